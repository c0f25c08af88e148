// Test hooks that break things on purpose (killWorker, loseDevice) exist only in a test build: the production
// bundle (`npm run build`) has none, the e2e build (VITE_TEST_HOOKS=1, globalSetup.ts) has them.
// Shown to fail: with the `if (import.meta.env.VITE_TEST_HOOKS === '1')` in src/app/runs.tsx replaced by `if (true)`,
// the production bundle holds 'killWorker' and the first test fails.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

/** Every JavaScript file of a build, by name, with its text. */
function scripts(dist: string): { name: string; text: string }[] {
  const dir = join(dist, 'assets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}
/** The page's scripts: the worker bundles answer 'loseDevice' requests, but only a page hook can send one. */
const pageScripts = (dist: string) => scripts(dist).filter((s) => !/worker/i.test(s.name));

describe('test hooks only in test builds', () => {
  it('the production bundle installs no killWorker or loseDevice hook', () => {
    const all = scripts(inject('prodDist'));
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) expect(s.text.includes('killWorker') || s.text.includes('(test hook)'), s.name).toBe(false);
    for (const s of pageScripts(inject('prodDist'))) expect(s.text.includes('loseDevice'), s.name).toBe(false);
  });
  it('the test build the e2e tests open has both', () => {
    const page = pageScripts(inject('testDist')).map((s) => s.text).join('\n');
    expect(page).toContain('killWorker');
    expect(page).toContain('loseDevice');
  });
});
