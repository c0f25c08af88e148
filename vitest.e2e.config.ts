import { defineConfig } from 'vitest/config';

// End-to-end tests: the built site, served statically, in headless Chromium on WebGPU (SwiftShader).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/globalSetup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
