import { defineConfig } from 'vitest/config';

// Unit tests: the engine on the cpu backend in Node (and a few on webgpu through Dawn + SwiftShader).
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
