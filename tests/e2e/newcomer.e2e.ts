// Issue 14, end to end on the built site: what a newcomer sees first (a small OneRank learning within seconds, wall
// clock printed), the backend ladder on a software GPU (it times WebGPU and wasm and says which won), runs of two
// datasets kept apart in the charts and in Look inside (on WebGPU and on wasm), a comparison that leaves the next
// run's settings alone, and a setting refused at its field. It writes the README's screenshots to docs/screenshots/.
// Tiny models throughout (SwiftShader is a software GPU on 2 shared cores).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { backendBadge, open, sharedBrowser } from './browser';

const ROOT = resolve(import.meta.dirname, '../..');
const ALI = resolve(ROOT, '../shared/data/ali-ccp/ali_ccp_train_sample.csv');
const SHOTS = resolve(ROOT, 'docs/screenshots');
const TINY =
  'd=8&layers=1&heads=1&batchSize=8&historyLen=4&maxCandidates=4&steps=4&evalEvery=2&probeEvery=0' +
  '&shop.requests=200&shop.users=40&shop.items=60&shop.candidates=4&shop.historyLen=4';
const SLOW = 300_000;
// E2E_BACKEND=wasm (or webgpu) runs the per-backend checks on one backend only.
const BACKENDS = process.env.E2E_BACKEND ? [process.env.E2E_BACKEND] : ['webgpu', 'wasm'];

const browser = sharedBrowser();

function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: resolve(SHOTS, name), fullPage: opts.fullPage ?? false });
}

type Runs = { id: string; dataset: string; step: number; status: string; history: { evals: { step: number }[] }; tasks: string[] }[];
const runs = (page: Page) => page.evaluate(() => (window.__playground?.runs() ?? []) as unknown as Runs);

/** Waits until `n` runs exist and all are idle at step >= `step`. */
async function waitIdle(page: Page, n: number, step: number) {
  await page.waitForFunction(
    ([count, s]) => {
      const r = window.__playground?.runs() ?? [];
      return r.length === count && r.every((x) => x.status === 'idle' && x.step >= s);
    },
    [n, step] as const,
    { timeout: SLOW },
  );
}

/** Series ids (`runId:task:kind`) the loss chart draws. */
async function drawnRunIds(page: Page): Promise<string[]> {
  const ids = await page.getByTestId('loss-chart').locator('.series-summary li').evaluateAll((l) => l.map((x) => x.getAttribute('data-series') ?? ''));
  return [...new Set(ids.map((s) => s.split(':')[0]))];
}

describe('a newcomer\u2019s first screen', () => {
  it('says what this is, names the data, and one button shows OneRank learning within seconds (wall clock printed)', async () => {
    const t0 = Date.now();
    const { page, errors } = await open(browser(), inject('siteUrl'));
    try {
      const intro = page.getByTestId('intro');
      await intro.waitFor({ timeout: 60_000 });
      expect(await intro.textContent()).toMatch(/OneRank ranks the items .* one Transformer/);
      expect(await page.getByTestId('train-dataset').textContent()).toMatch(/built-in shop world \(click, cart, order\)/);
      const start = page.getByTestId('quick-start');
      await start.click();
      const tClick = Date.now();
      // A curve moving: the loss chart holds at least 3 training steps of the first task.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="loss-chart"] .series-summary li[data-series$=":click:train"]')?.getAttribute('data-points') ?? 0) >= 3,
        null,
        { timeout: SLOW },
      );
      const tCurve = Date.now();
      const badge = await backendBadge(page);
      console.log(`[newcomer] backend ${badge}: page opened -> curve moving ${((tCurve - t0) / 1000).toFixed(1)} s (click -> curve ${((tCurve - tClick) / 1000).toFixed(1)} s)`);
      // Generous: the 10 s goal is measured and printed above, not asserted on a loaded 2-core box.
      expect(tCurve - t0).toBeLessThan(120_000);
      // Let the first evaluations land, so the screenshot shows AUC too.
      await page.waitForFunction(() => (window.__playground?.runs()[0]?.history.evals.length ?? 0) >= 3, null, { timeout: SLOW });
      await shot(page, 'first-screen.png');
      expect(await page.getByTestId('eta').textContent()).toMatch(/^ETA \d+ (s|min)/);
      await page.getByTestId('train-pause').click();
      await page.waitForFunction(() => (window.__playground?.runs() ?? []).every((r) => r.status !== 'training'), null, { timeout: SLOW });
      // A paused run has no current speed: no stale ETA (it said "ETA 40 s" while paused before).
      await page.waitForFunction(() => document.querySelector('[data-testid="eta"]')?.textContent === 'ETA - (paused)');
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

describe('the backend ladder on a software GPU', () => {
  it('times one tiny step on WebGPU and on wasm, keeps the faster and says why', async () => {
    const { page } = await open(browser(), inject('siteUrl'));
    try {
      const badge = await backendBadge(page);
      const why = page.getByTestId('backend-why');
      // This machine's WebGPU is SwiftShader (a software adapter), so the race must have run.
      await why.waitFor();
      const text = (await why.textContent()) ?? '';
      const chosen = await why.getAttribute('data-chosen');
      console.log(`[newcomer] ladder: ${badge} | ${text}`);
      const m = /WebGPU (not finished after [\d.]+ m?s|([\d.]+) (ms|s)), WASM ([\d.]+) (ms|s)/.exec(text);
      expect(m).not.toBeNull();
      const ms = (v: string, unit: string) => Number(v) * (unit === 's' ? 1000 : 1);
      const gpu = m![2] === undefined ? Infinity : ms(m![2], m![3]);
      const wasm = ms(m![4], m![5]);
      expect(chosen).toBe(wasm < gpu ? 'wasm' : 'webgpu');
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe(chosen);
      if (chosen === 'wasm') expect(badge).toBe('WASM (faster here than WebGPU on a software adapter)');
    } finally {
      await page.context().close();
    }
  });

  it('a forced backend is honoured: ?backend=webgpu stays on the software GPU, no race', async () => {
    const { page } = await open(browser(), `${inject('siteUrl')}?backend=webgpu`);
    try {
      expect(await backendBadge(page)).toMatch(/^WebGPU - .*\(software\)/);
      expect(await page.getByTestId('backend-why').count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });
});

describe.each(BACKENDS)('runs of two datasets on %s', (backend) => {
  it('are drawn apart (each in its own tasks\u2019 charts, the other listed by name) and Look inside follows the selected run\u2019s dataset', async () => {
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=${backend}#tab=data&${TINY}`);
    try {
      await backendBadge(page);
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe(backend);
      // An upload (Ali-CCP sample: tasks click, purchase), used, then a run on it.
      await page.getByTestId('dataset-summary').first().waitFor({ timeout: 60_000 });
      await page.getByTestId('dataset-file-input').setInputFiles(ALI);
      await page.getByTestId('schema-table').waitFor({ timeout: 60_000 });
      await page.getByTestId('use-upload').click();
      await page.getByTestId('upload-stored').waitFor({ timeout: 60_000 });
      const uploadId = await page.locator('[data-testid="dataset-list"] tr[data-active="true"]').getAttribute('data-dataset-id');
      const uploadName = (await page.locator('[data-testid="dataset-list"] tr[data-active="true"]').getAttribute('data-dataset-name')) ?? '';
      expect(uploadId).toMatch(/^u-/);
      await page.getByTestId('tab-train').click();
      expect(await page.getByTestId('train-dataset').textContent()).toContain(`${uploadName} (click, purchase)`);
      await page.getByTestId('train-start').click();
      await waitIdle(page, 1, 4);
      // Back to the built-in world (same settings), and a run there.
      await page.getByTestId('tab-data').click();
      await page.locator('[data-testid="dataset-list"] tr[data-dataset-id="shop"]').getByTestId('use-dataset').click();
      await page.getByTestId('tab-train').click();
      await page.getByTestId('train-start').click();
      await waitIdle(page, 2, 4);
      const all = await runs(page);
      const ali = all.find((r) => r.dataset === uploadId)!;
      const shop = all.find((r) => r.dataset === 'shop')!;
      expect(ali.tasks).toEqual(['click', 'purchase']);
      expect(shop.tasks).toEqual(['click', 'cart', 'order']);

      // The shop run is selected: only it is drawn, with the shop's three tasks; the upload run is listed by name.
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="metric-table"] tr[data-task]').length === 3);
      expect(await drawnRunIds(page)).toEqual([shop.id]);
      expect(await page.getByTestId('metric-table').locator('tr[data-task]').evaluateAll((l) => l.map((x) => x.getAttribute('data-task')))).toEqual(['click', 'cart', 'order']);
      expect(await page.getByTestId('other-dataset-runs').getAttribute('data-count')).toBe('1');
      const aliRow = page.locator(`[data-testid="run-row"][data-run="${ali.id}"]`);
      expect(await aliRow.getAttribute('data-drawn')).toBe('false');
      expect(await aliRow.getByTestId('run-dataset').textContent()).toBe(uploadName);
      expect(await page.locator(`[data-testid="run-row"][data-run="${shop.id}"]`).getByTestId('run-dataset').textContent()).toBe('built-in shop world');
      expect(await page.getByTestId('run-group').count()).toBe(2);
      // Shown to fail: drawing every run put the upload run's curves into the click chart (two run ids here).

      // Select the upload run: now only it is drawn, under its own two tasks.
      await aliRow.getByTestId('run-name').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="metric-table"] tr[data-task]').length === 2);
      expect(await drawnRunIds(page)).toEqual([ali.id]);
      expect(await page.getByTestId('metric-table').locator('tr[data-task]').evaluateAll((l) => l.map((x) => x.getAttribute('data-task')))).toEqual(['click', 'purchase']);

      // Look inside: the architecture of the selected run, its dataset's tasks, then the other run's.
      await page.getByTestId('tab-inspect').click();
      const arch = page.getByTestId('architecture-view');
      await page.locator('[data-testid="architecture-view"][data-mode="run"][data-tasks="click,purchase"]').waitFor();
      expect(await arch.getByTestId('arch-run-facts').textContent()).toContain(uploadName);
      expect(await arch.getByTestId('layout-summary').textContent()).toMatch(/of \[1 candidate \+ 2 task tokens\]/);
      await page.getByTestId('inspect-run').selectOption(shop.id);
      await page.locator('[data-testid="architecture-view"][data-mode="run"][data-tasks="click,cart,order"]').waitFor();
      const facts = (await arch.getByTestId('arch-run-facts').textContent()) ?? '';
      expect(facts).toContain('built-in shop world');
      expect(facts).toMatch(/Context token: user_id, segment, device, hour, budget/);
      expect(await arch.getByTestId('layout-strip').locator('span').first().textContent()).toMatch(/^ctx: user_id/);
      // The layer x head grid is labelled (TINY: 1 layer, 1 head, and the mean) and has its colour scale.
      await page.getByTestId('attention-grid-toggle').check();
      await page.getByTestId('attention-grid').waitFor();
      expect(await page.getByTestId('attention-grid-col').allTextContents()).toEqual(['head 1', 'mean over heads']);
      expect(await page.getByTestId('attention-grid-row').allTextContents()).toEqual(['layer 1']);
      expect(await page.getByTestId('attention-legend').textContent()).toMatch(/attention weight: 0/);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

// (A comparison on WebGPU: workspace.e2e.ts, which runs there.)
describe('comparisons and settings', () => {
  it('a comparison leaves the next run\u2019s settings alone and is evaluated at its base\u2019s steps', async () => {
    // 20 steps, evaluated every 5: enough for the screenshot to show two curves apart.
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=wasm#${TINY}&steps=20&evalEvery=5`);
    try {
      await backendBadge(page);
      await page.getByTestId('train-start').click();
      await waitIdle(page, 1, 20);
      const hash = new URL(page.url()).hash;
      await page.getByTestId('compare-detach').click();
      await waitIdle(page, 2, 20);
      const [base, cmp] = await runs(page);
      // The sidebar still shows the settings of the next run: detachment on, the same link, the base selected.
      expect(new URL(page.url()).hash).toBe(hash);
      expect(await page.getByTestId('cfg-detach').isChecked()).toBe(true);
      expect(await page.getByTestId('settings-changed').count()).toBe(0);
      expect(await page.locator('.run-row.active').getAttribute('data-run')).toBe(base.id);
      expect(cmp.history.evals.map((e) => e.step)).toEqual(base.history.evals.map((e) => e.step));
      // Shown to fail: the former compare() set the sidebar to detach=false (the hash gained detach=false).
      await page.getByTestId('chart-view-curves').click();
      await shot(page, 'comparison.png');
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('Play while a run trains queues a new run with the new settings; it starts when the first stops', async () => {
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=wasm#${TINY}&steps=30`);
    try {
      await backendBadge(page);
      await page.getByTestId('train-start').click();
      await page.waitForFunction(() => (window.__playground?.runs() ?? []).some((r) => r.status === 'training'), null, { timeout: SLOW });
      await page.getByTestId('cfg-lr').fill('0.01');
      await page.locator('[data-testid="train-start"]:has-text("Queue new run")').click();
      await page.getByTestId('queued').waitFor();
      await waitIdle(page, 2, 30);
      const [first, second] = await runs(page);
      // Shown to fail: before, Play was disabled while a run trained (this click timed out).
      expect(first.step).toBe(30);
      expect(second.step).toBe(30);
      expect(await page.getByTestId('queued').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it.each(BACKENDS)('heads that do not divide d are refused at the field (%s), with why; the config keeps a working value', async (backend) => {
    const { page } = await open(browser(), `${inject('siteUrl')}?backend=${backend}#${TINY}`);
    try {
      await backendBadge(page);
      const heads = page.getByTestId('cfg-heads');
      await heads.fill('3');
      const err = page.getByTestId('cfg-heads-error');
      await err.waitFor();
      expect(await err.textContent()).toMatch(/3 heads do not divide width d = 8: pick 1, 2, 4, 8/);
      expect(new URL(page.url()).hash).not.toContain('heads=3');
      await heads.blur();
      expect(await heads.inputValue()).toBe('1');
      // Shown to fail: without the refusal the hash took heads=3 and Play left a dead run.
      expect(await page.getByTestId('train-start').isEnabled()).toBe(true);
      // Every field has a plain label, its config key in the tooltip, and a ? into the glossary.
      const clip = page.locator('label.cfg-field[data-key="clipNorm"]');
      expect(await clip.locator('span').first().textContent()).toContain('gradient clip');
      expect(await clip.getAttribute('title')).toMatch(/\(config key: clipNorm\)$/);
      await page.getByTestId('glossary-link-clipNorm').click();
      await page.locator('[data-testid="glossary"][data-at="clipNorm"]').waitFor();
      for (const v of ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'alpha']) expect(await page.locator(`[data-testid="glossary"] [data-term="${v}"] dd`).count()).toBe(1);
    } finally {
      await page.context().close();
    }
  });
});

describe('screenshots of the guided demos', () => {
  it('each demo, started on a tiny world, as a student sees it', async () => {
    const { page } = await open(browser(), `${inject('siteUrl')}?backend=wasm#tab=demos&${TINY}`);
    try {
      await backendBadge(page);
      const ids = await page.getByTestId('demo-list').locator('article.demo').evaluateAll((l) => l.map((x) => (x.getAttribute('data-testid') ?? '').replace(/^demo-/, '')));
      expect(ids.length).toBeGreaterThanOrEqual(4);
      for (const id of ids) {
        const demo = page.locator(`article.demo[data-testid="demo-${id}"]`);
        await demo.getByTestId('demo-start').click();
        await page.locator(`[data-testid="demo-${id}"][data-min-step="4"]`).waitFor({ timeout: SLOW });
        await page.waitForFunction(() => (window.__playground?.runs() ?? []).every((r) => r.status !== 'training'), null, { timeout: SLOW });
        await demo.scrollIntoViewIfNeeded();
        await demo.screenshot({ path: resolve(SHOTS, `demo-${id}.png`) });
      }
    } finally {
      await page.context().close();
    }
  });
});
