// Serves the built site (under a sub-path) and the dev server for the e2e tests.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { build, createServer, type ViteDevServer } from 'vite';
import { serveStatic } from './staticServer';

declare module 'vitest' {
  export interface ProvidedContext {
    siteUrl: string;
    devUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const root = resolve(import.meta.dirname, '../..');
  const dist = resolve(root, 'dist');
  // `npm test` builds first; a lone `npm run test:e2e` builds here so it never tests a stale or missing site.
  if (!existsSync(resolve(dist, 'index.html')) || process.env.E2E_REBUILD === '1') await build({ root, logLevel: 'warn' });
  const site = await serveStatic(dist, '/some/deep/base/');
  const dev: ViteDevServer = await createServer({ root, logLevel: 'warn', server: { port: 0, host: 'localhost', strictPort: false } });
  await dev.listen();
  const devUrl = dev.resolvedUrls?.local[0] ?? '';
  project.provide('siteUrl', site.url);
  project.provide('devUrl', devUrl);
  return async () => {
    await dev.close();
    await new Promise((r) => site.server.close(r));
  };
}
