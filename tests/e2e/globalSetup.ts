// Serves a test build of the site (under a sub-path) and the dev server for the e2e tests.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { build, createServer, type ViteDevServer } from 'vite';
import { serveStatic } from './staticServer';

declare module 'vitest' {
  export interface ProvidedContext {
    siteUrl: string;
    devUrl: string;
    /** The production build (`npm run build`) and the test build the site is served from. */
    prodDist: string;
    testDist: string;
  }
}

export default async function setup(project: TestProject) {
  const root = resolve(import.meta.dirname, '../..');
  const dist = resolve(root, 'dist');
  // `npm test` builds the production site first; a lone `npm run test:e2e` builds it here (bundle.e2e.ts reads it).
  if (!existsSync(resolve(dist, 'index.html')) || process.env.E2E_REBUILD === '1') await build({ root, logLevel: 'warn' });
  // The tests drive hooks that break things on purpose (killWorker, loseDevice, in src/app/runs.tsx), which only
  // a build with VITE_TEST_HOOKS=1 has; built every time, so it is never stale. The dev server gets them too.
  process.env.VITE_TEST_HOOKS = '1';
  const testDist = resolve(root, 'dist-e2e');
  await build({ root, logLevel: 'warn', build: { outDir: testDist, emptyOutDir: true } });
  const site = await serveStatic(testDist, '/some/deep/base/');
  const dev: ViteDevServer = await createServer({ root, logLevel: 'warn', server: { port: 0, host: 'localhost', strictPort: false } });
  await dev.listen();
  const devUrl = dev.resolvedUrls?.local[0] ?? '';
  project.provide('siteUrl', site.url);
  project.provide('devUrl', devUrl);
  project.provide('prodDist', dist);
  project.provide('testDist', testDist);
  return async () => {
    await dev.close();
    await new Promise((r) => site.server.close(r));
  };
}
