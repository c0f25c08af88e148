// The training workspace in headless Chromium on WebGPU (SwiftShader), against the built site: live charts,
// playback controls, comparison runs, persistence, the URL, weights round-trip, a killed worker, and the page's
// responsiveness while training. One browser context throughout (IndexedDB persists across its pages), with a
// tiny model and a tiny shop world because a software GPU is slow.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendBadge, open, sharedBrowser } from './browser';

/** The step budget N; evaluations at 0, N/2 and N; one probe at N. */
const N = 4;
const TINY =
  `d=8&layers=1&heads=1&batchSize=8&historyLen=4&maxCandidates=4&steps=${N}&evalEvery=${N / 2}&probeEvery=${N}` +
  '&shop.requests=200&shop.users=50&shop.items=40&shop.candidates=4';
/** SwiftShader is a software GPU, and slower still on a busy machine. */
const SLOW = 240_000;
const TASKS = ['click', 'cart', 'order'];
/** WebGPU unless E2E_BACKEND names another (e.g. to tell an engine bug on WebGPU from a workspace bug). */
const BACKEND = process.env.E2E_BACKEND ?? 'webgpu';
// Always named: on a software adapter 'auto' may pick wasm (the ladder times both; newcomer.e2e.ts).
const QUERY = `?backend=${BACKEND}`;

const browser = sharedBrowser();
let context: BrowserContext;
let page: Page;
let errors: string[];
const downloads = mkdtempSync(join(tmpdir(), 'onerank-e2e-'));

interface RunInfo {
  id: string;
  name: string;
  status: string;
  step: number;
  error?: string;
}
const runsOf = (p: Page) => p.evaluate(() => window.__playground!.runs().map((r) => ({ id: r.id, name: r.name, status: r.status, step: r.step, error: r.error })) as RunInfo[]);
const stepCounter = async (p: Page) => Number(await p.getByTestId('step-counter').textContent());

/**
 * Points of one series as the chart's data list states it. With `expected`, waits (up to 10 s) for the chart to
 * show it first: charts re-render in a React transition, which may commit a moment after the run store (the test's
 * source of truth) changed, most of all on a loaded machine; the caller's assertion still decides.
 */
async function seriesPoints(p: Page, chart: string, series: string, expected?: number): Promise<number> {
  const sel = `[data-testid="${chart}"] li[data-series="${series}"]`;
  if (expected !== undefined) {
    await p
      .waitForFunction(([s, n]) => document.querySelector(s)?.getAttribute('data-points') === String(n), [sel, expected] as const, { timeout: 30_000 })
      .catch(() => {});
  }
  return Number(await p.locator(sel).getAttribute('data-points'));
}

/** Vertices of a drawn (linear) line: its path is 'M x,y L x,y L x,y ...'. */
async function drawnVertices(p: Page, selector: string): Promise<number> {
  const d = (await p.locator(selector).getAttribute('d')) ?? '';
  return (d.match(/[ML]/g) ?? []).length;
}

/**
 * Sets the fields (a new run when there are runs already), starts training and waits until the new run has reached
 * `minStep`: its id and the step the page shows then. Returns with the run still training.
 */
async function startRunTo(p: Page, fields: Record<string, string>, minStep: number): Promise<{ id: string; step: number; count: number }> {
  const before = (await runsOf(p)).length;
  for (const [key, value] of Object.entries(fields)) await p.getByTestId(`cfg-${key}`).fill(value);
  if (before > 0) await p.getByTestId('settings-changed').waitFor();
  await p.getByTestId('train-start').click();
  const shown = await p.evaluate(
    async ([i, at, limit]) => {
      const r = () => window.__playground!.runs()[i];
      const until = Date.now() + limit;
      while (!(r()?.step >= at)) {
        if (Date.now() > until) throw new Error(`the new run did not reach step ${at} (status ${r()?.status}, step ${r()?.step}, error ${r()?.error})`);
        await new Promise((res) => setTimeout(res, 5));
      }
      return { id: r().id, step: r().step };
    },
    [before, minStep, SLOW] as const,
  );
  return { ...shown, count: before + 1 };
}

/** Reloads the page and waits until its `count` runs are loaded. */
async function reloadWith(p: Page, count: number) {
  await p.reload();
  await backendBadge(p);
  await p.waitForFunction((n) => (window.__playground?.runs().length ?? 0) === n, count);
}

/** A run's status, step and step history as the page holds them. */
const historyOf = (p: Page, id: string) =>
  p.evaluate((x) => {
    const r = window.__playground!.runs().find((q) => q.id === x)!;
    return { status: r.status, step: r.step, steps: r.history.steps.map((s) => s.step) };
  }, id);

/** Waits until every run is idle and the active run's counter shows `step`. */
async function waitIdleAt(p: Page, step: number, timeout = SLOW) {
  await p.waitForFunction(
    (s) => {
      const runs = window.__playground?.runs() ?? [];
      return runs.length > 0 && runs.every((r) => r.status !== 'training') && document.querySelector('[data-testid="step-counter"]')?.textContent === String(s);
    },
    step,
    { timeout },
  );
}

beforeAll(async () => {
  ({ page, errors } = await open(browser(), `${inject('siteUrl')}${QUERY}#${TINY}`));
  context = page.context();
  await backendBadge(page);
});
afterAll(async () => {
  await context?.close();
});

describe('training workspace', () => {
  it('trains N steps in the worker: N points per task in the loss chart, evals in the metric chart and table, no long task over 50 ms', async () => {
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe(BACKEND);
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    await page.getByTestId('train-start').click();
    await waitIdleAt(page, N);
    const [run] = await runsOf(page);
    for (const t of TASKS) {
      expect(await seriesPoints(page, 'loss-chart', `${run.id}:${t}:train`, N)).toBe(N);
      // evaluations at 0, N/2 and N
      expect(await seriesPoints(page, 'loss-chart', `${run.id}:${t}:val`, 3)).toBe(3);
      expect(await seriesPoints(page, 'metric-chart', `${run.id}:${t}:auc`, 3)).toBe(3);
    }
    // What is drawn matches the data: the drawn line of each task's training loss has one vertex per step.
    for (let k = 0; k < 3; k++) expect(await drawnVertices(page, `[data-testid="loss-chart"] .series-r0-t${k}-train path.line-curve`)).toBe(N);
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const worst = Math.max(0, ...longTasks);
    console.log(`[workspace] long tasks while training: ${longTasks.length}, worst ${worst.toFixed(0)} ms`);
    // 50 ms is the bar. On a software GPU (SwiftShader) the "GPU" is the same two CPU cores the page runs on, so
    // the OS itself pauses the page's thread while shaders execute (seen: 0 to 199 ms on a quiet box): there the bar is 400 ms, catching
    // gross main-thread work (recharts renders took 100-1500 ms). A real GPU gets the strict 50 ms.
    const software = /\(software\)/.test((await page.getByTestId('backend-badge').textContent()) ?? '');
    expect(worst).toBeLessThanOrEqual(software || BACKEND !== 'webgpu' ? 400 : 50);

    // The seesaw and gradient views (each mounted only while shown).
    await page.getByTestId('chart-view-seesaw').click();
    for (const t of TASKS) expect(await seriesPoints(page, 'seesaw-chart', `${run.id}:${t}:relative`, 3)).toBe(3);
    expect(await seriesPoints(page, 'seesaw-chart', `${run.id}:plane`, 3)).toBe(3);
    await page.getByTestId('chart-view-gradients').click();
    for (const t of TASKS) expect(await seriesPoints(page, 'grad-conflict-chart', `${run.id}:${t}:flow-own`, 1)).toBe(1);
    expect(await seriesPoints(page, 'grad-conflict-chart', `${run.id}:click|cart:cosine`, 1)).toBe(1);
    await page.getByTestId('chart-view-curves').click();
    const rows = page.locator('[data-testid="metric-table"] tbody tr');
    expect(await rows.count()).toBe(3);
    for (let k = 0; k < 3; k++) {
      const auc = Number(await rows.nth(k).locator('[data-metric="auc"]').textContent());
      expect(auc).toBeGreaterThan(0);
      expect(auc).toBeLessThan(1);
      expect(Number(await rows.nth(k).locator('[data-metric="positiveRate"]').textContent())).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('samples-per-sec').textContent()).toMatch(/^\d+(\.\d)? requests\/s$/);

    // Exports: metrics as CSV and JSON, a chart as SVG and PNG.
    const download = async (testId: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      return readFileSync((await d.path())!);
    };
    const csv = (await download('metrics-export-csv')).toString('utf8').split('\n');
    expect(csv[0]).toBe('run_id,run_name,step,split,task,metric,value');
    expect(csv.filter((l) => l.startsWith(`${run.id},`) && l.includes(',train,click,bce,')).length).toBe(N);
    const json = JSON.parse((await download('metrics-export-json')).toString('utf8'));
    expect(json.runs[0].history.evals.length).toBe(3);
    expect((await download('loss-chart-svg')).toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<path/);
    expect((await download('loss-chart-png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('step adds exactly one step; pause stops a run mid-way; reset goes back to step 0 and clears the curves', async () => {
    await page.getByTestId('train-step').click();
    await waitIdleAt(page, N + 1);
    const [run] = await runsOf(page);
    expect(await seriesPoints(page, 'loss-chart', `${run.id}:click:train`, N + 1)).toBe(N + 1);

    // Pause needs a run long enough to catch mid-way: a bigger budget makes Play start a new run.
    await page.getByTestId('cfg-steps').fill('500');
    await page.getByTestId('settings-changed').waitFor();
    await page.getByTestId('train-start').click();
    await page.waitForFunction(() => window.__playground!.runs().length === 2 && window.__playground!.runs()[1].step >= 2, null, { timeout: SLOW });
    await page.getByTestId('train-pause').click();
    await page.waitForFunction(() => window.__playground!.runs().every((r) => r.status === 'idle'), null, { timeout: SLOW });
    const long = (await runsOf(page))[1];
    expect(long.step).toBeGreaterThanOrEqual(2);
    expect(long.step).toBeLessThan(500);
    await page.waitForTimeout(1500);
    expect((await runsOf(page))[1].step).toBe(long.step);
    expect(await stepCounter(page)).toBe(long.step);
    expect(await seriesPoints(page, 'loss-chart', `${long.id}:click:train`, long.step)).toBe(long.step);
    // Delete asks once more, then the run and its curves are gone.
    const longRow = page.locator(`[data-testid="run-row"][data-run="${long.id}"]`);
    await longRow.getByTestId('run-delete').click();
    await longRow.getByTestId('run-delete-confirm').click();
    await page.waitForFunction((id) => window.__playground!.runs().length === 1 && !document.querySelector(`[data-testid="loss-chart"] li[data-series^="${id}:"]`), long.id);

    // Selecting the first run loads its settings back; reset takes it to step 0.
    await page.locator('[data-testid="run-row"]').first().getByTestId('run-name').click();
    await page.waitForFunction(() => !location.hash.includes('steps=500'));
    await page.getByTestId('train-reset').click();
    await waitIdleAt(page, 0);
    await page.waitForFunction((id) => document.querySelector(`[data-testid="loss-chart"] li[data-series="${id}:click:train"]`)?.getAttribute('data-points') === '0', run.id);
    expect(await seriesPoints(page, 'metric-chart', `${run.id}:click:auc`, 1)).toBe(1);
  });

  it('compare-detach makes a second run (same seed and data, detachment off) whose curves overlay, named by the difference', async () => {
    await page.getByTestId('compare-detach').click();
    await page.getByTestId('run-row').nth(1).waitFor();
    const [base, cmp] = await runsOf(page);
    expect(cmp.name).toContain('detach=false');
    await page.getByTestId('train-start').click();
    await page.waitForFunction((n) => window.__playground!.runs().every((r) => r.status === 'idle' && r.step === n), N, { timeout: SLOW });
    for (const id of [base.id, cmp.id]) {
      for (const t of TASKS) expect(await seriesPoints(page, 'loss-chart', `${id}:${t}:train`, N)).toBe(N);
    }
    // the legend names the run with its difference
    expect(await page.locator('[data-testid="loss-chart"] .legend-item', { hasText: 'detach=false' }).count()).toBe(1);
    // The sidebar (and the URL) keep the settings of the next run: a comparison never changes them.
    expect(new URL(page.url()).hash).not.toContain('detach=false');
    await page.getByTestId('chart-view-seesaw').click();
    expect(await page.locator('[data-testid="seesaw-chart"] li[data-series$=":plane"]').count()).toBe(2);
    await page.getByTestId('chart-view-curves').click();
  });

  it('the URL hash holds the whole configuration and opening it restores the controls', async () => {
    // (A comparison no longer changes the sidebar, so detachment is switched off here by hand.)
    await page.getByTestId('cfg-detach').uncheck();
    await page.getByTestId('cfg-lr').fill('0.01');
    await page.getByTestId('cfg-model').selectOption('mmoe');
    await page.waitForFunction(() => location.hash.includes('lr=0.01') && location.hash.includes('model=mmoe'));
    const url = page.url();
    expect(url).toContain('shop.requests=200');
    expect(url).toContain('detach=false');
    const other = await context.newPage();
    await other.goto(url);
    await backendBadge(other);
    expect(await other.getByTestId('cfg-lr').inputValue()).toBe('0.01');
    expect(await other.getByTestId('cfg-model').inputValue()).toBe('mmoe');
    expect(await other.getByTestId('cfg-d').inputValue()).toBe('8');
    expect(await other.getByTestId('cfg-detach').isChecked()).toBe(false);
    expect(await other.getByTestId('settings-changed').count()).toBe(1);
    await other.close();
    // back to the selected run's settings
    await page.locator('[data-testid="run-row"]').first().getByTestId('run-name').click();
    await page.waitForFunction(() => !location.hash.includes('model=mmoe'));
  });

  it('a reload keeps both runs with their history', async () => {
    const before = await runsOf(page);
    await reloadWith(page, 2);
    const after = await runsOf(page);
    expect(after.map((r) => [r.id, r.name, r.step])).toEqual(before.map((r) => [r.id, r.name, r.step]));
    expect(await page.getByTestId('run-row').count()).toBe(2);
    for (const r of after) expect(await seriesPoints(page, 'loss-chart', `${r.id}:order:train`, N)).toBe(N);
  });

  it('exported weights imported as a new run give identical predictions', async () => {
    const [base] = await runsOf(page);
    const row = page.locator(`[data-testid="run-row"][data-run="${base.id}"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('run-export-weights').click()]);
    const path = join(downloads, download.suggestedFilename());
    await download.saveAs(path);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.format).toBe('onerank-weights');
    expect(file.step).toBe(N);
    await page.getByTestId('import-weights-new').setInputFiles(path);
    await page.waitForFunction((n) => window.__playground!.runs().length === 3 && window.__playground!.runs()[2].step === n, N, { timeout: SLOW });
    const imported = (await runsOf(page))[2];
    expect(imported.name).toContain('imported');
    const [a, b] = await page.evaluate(async ([x, y]) => Promise.all([window.__playground!.predict(x, 6), window.__playground!.predict(y, 6)]), [base.id, imported.id]);
    expect(a.probs.length).toBe(6);
    expect(b.probs).toEqual(a.probs);
    // and a run from another seed does not predict the same (the comparison is not vacuous)
    const [, cmp] = await runsOf(page);
    const c = await page.evaluate((id) => window.__playground!.predict(id, 6), cmp.id);
    expect(c.probs).not.toEqual(a.probs);
  });

  it('a worker killed mid-run leaves the run interrupted with a message, and Resume trains it on', async () => {
    const [base] = await runsOf(page);
    await page.locator(`[data-testid="run-row"][data-run="${base.id}"]`).getByTestId('run-name').click();
    await page.getByTestId('train-start').click();
    await page.waitForFunction(([id, n]) => (window.__playground!.runs().find((r) => r.id === id)?.step ?? 0) > n, [base.id, N] as const, { timeout: SLOW });
    await page.evaluate(() => window.__playground!.killWorker!());
    // Interrupted where it was, mid-way between the budget marks.
    const stepAtKill = await page.evaluate(
      (id) =>
        new Promise<number>((resolve) => {
          const poll = () => {
            const r = window.__playground!.runs().find((x) => x.id === id);
            if (r?.status === 'interrupted') resolve(r.step);
            else setTimeout(poll, 20);
          };
          poll();
        }),
      base.id,
    );
    expect(stepAtKill).toBeGreaterThan(N);
    expect(stepAtKill).toBeLessThan(2 * N);
    const row = page.locator(`[data-testid="run-row"][data-run="${base.id}"]`);
    expect(await row.getByTestId('run-error').textContent()).toMatch(/killed.*Resume continues from its last saved weights/);
    await backendBadge(page);
    await row.getByTestId('run-resume').click();
    await page.waitForFunction((id) => {
      const r = window.__playground!.runs().find((x) => x.id === id);
      return r?.status === 'idle' && r.step === 8; // the next multiple of the budget N = 4
    }, base.id, { timeout: SLOW });
    // history continues without gaps or duplicates from the restored step
    expect(await seriesPoints(page, 'loss-chart', `${base.id}:click:train`, 2 * N)).toBe(2 * N);
    expect(errors.filter((e) => !/killed/.test(e))).toEqual([]);
  });

  // A real device loss: the worker destroys the WebGPU backend's own GPUDevice (a test-only command), as a driver
  // reset or a crashed GPU process would. Only WebGPU has a device to lose.
  it.runIf(BACKEND === 'webgpu')('a lost GPU device stops the run with a message and its history; Resume on wasm trains it on to the budget', async () => {
    const M = 3 * N; // a budget long enough to lose the device mid-run
    const before = (await runsOf(page)).length;
    await page.getByTestId('cfg-steps').fill(String(M));
    if (before > 0) await page.getByTestId('settings-changed').waitFor();
    await page.getByTestId('train-start').click();
    // Lose the device from inside the page as soon as the new run has a step (no round trip to the test).
    await page.evaluate(
      async ([i, limit]) => {
        const until = Date.now() + limit;
        while ((window.__playground!.runs()[i]?.step ?? 0) < 1) {
          if (Date.now() > until) throw new Error('the new run never reached step 1');
          await new Promise((r) => setTimeout(r, 10));
        }
        await window.__playground!.loseDevice!();
      },
      [before, SLOW] as const,
    );
    const id = (await runsOf(page))[before].id;
    await page.waitForFunction((x) => window.__playground!.runs().find((r) => r.id === x)?.status === 'fault', id, { timeout: SLOW });
    const lost = await page.evaluate((x) => {
      const r = window.__playground!.runs().find((q) => q.id === x)!;
      return { step: r.step, error: r.error, faultKind: r.faultKind, steps: r.history.steps.map((s) => s.step), evals: r.history.evals.map((e) => e.step) };
    }, id);
    expect(lost.faultKind).toBe('device-lost');
    expect(lost.error).toMatch(/GPU device was lost \(destroyed/);
    expect(lost.step).toBeGreaterThanOrEqual(1);
    expect(lost.step).toBeLessThan(M);
    // The history stays, every step up to where it stopped, and so does the chart.
    expect(lost.steps).toEqual(Array.from({ length: lost.step }, (_, i) => i + 1));
    expect(lost.evals[0]).toBe(0);
    const row = page.locator(`[data-testid="run-row"][data-run="${id}"]`);
    // The row draws what the store holds a render later (a loaded box can take seconds): poll, don't read once.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: SLOW }).toBe('fault');
    await expect.poll(() => row.getByTestId('run-error').textContent(), { timeout: SLOW }).toMatch(/GPU device was lost.*Resume/);
    expect(await seriesPoints(page, 'loss-chart', `${id}:click:train`, lost.step)).toBe(lost.step);

    // Resume on another backend, picked where the user would: the run's own Resume control.
    await row.getByTestId('run-resume-backend').selectOption('wasm');
    await row.getByTestId('run-resume').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.getAttribute('data-backend') === 'wasm', null, { timeout: SLOW });
    await page.waitForFunction(
      ([x, m]) => {
        const r = window.__playground!.runs().find((q) => q.id === x);
        return r?.status === 'idle' && r.step === m;
      },
      [id, M] as const,
      { timeout: SLOW },
    );
    const done = await page.evaluate((x) => {
      const r = window.__playground!.runs().find((q) => q.id === x)!;
      return { steps: r.history.steps.map((s) => s.step), evals: r.history.evals.map((e) => e.step), error: r.error };
    }, id);
    // Continuous: every step once, from 1 to the budget (the lost steps after the last good weights were redone).
    expect(done.steps).toEqual(Array.from({ length: M }, (_, i) => i + 1));
    expect(done.evals).toEqual(Array.from({ length: M / (N / 2) + 1 }, (_, i) => i * (N / 2)));
    expect(done.error).toBeUndefined();
    expect(await seriesPoints(page, 'loss-chart', `${id}:click:train`, M)).toBe(M);
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('wasm');
    expect(await page.getByTestId('backend-badge').textContent()).toMatch(/wasm/i);
  });

  it('a reload while a run trains keeps its step history up to the step the page had shown', async () => {
    // Past the last throttled save of the run's record there are steps only the page holds: they must survive too.
    const shown = await startRunTo(page, { steps: '2000' }, 12);
    await reloadWith(page, shown.count);
    const after = await historyOf(page, shown.id);
    expect(after.status).toBe('interrupted');
    expect(after.step).toBeGreaterThanOrEqual(shown.step);
    expect(after.steps).toEqual(Array.from({ length: after.step }, (_, i) => i + 1));
    expect(await seriesPoints(page, 'loss-chart', `${shown.id}:click:train`, after.step)).toBe(after.step);
  });

  // Shown to fail when the hidden Look inside tab reopened the selected run on load: the run went back to step 0
  // (its only saved weights) behind the Train tab, within a second of the reload.
  it('a run cut off by a reload stays where the page left it until someone looks inside, which reopens it at its saved weights', async () => {
    // evalEvery 1000: while it trains, only step 0's weights are saved.
    const shown = await startRunTo(page, { steps: '2000', evalEvery: '1000' }, 6);
    await reloadWith(page, shown.count);
    const state = () => historyOf(page, shown.id);
    await page.waitForTimeout(3000);
    const after = await state();
    expect(after.status).toBe('interrupted');
    expect(after.step).toBeGreaterThanOrEqual(shown.step);
    expect(after.steps).toEqual(Array.from({ length: after.step }, (_, i) => i + 1));
    // Looking inside opens the model from its saved weights (step 0's): the run, and its history, go back there.
    await page.getByTestId('tab-inspect').click();
    await page.waitForFunction((x) => window.__playground!.runs().find((q) => q.id === x)?.step === 0, shown.id, { timeout: SLOW });
    expect((await state()).steps).toEqual([]);
    await page.getByTestId('tab-train').click();
  });
});
