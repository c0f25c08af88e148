// Look inside and guided demos, end to end on the built site (WebGPU on SwiftShader), with a TINY config from
// the URL hash so every test takes seconds. The expected mask comes from the engine's own mask functions in
// Node, not from the page, so a page that drew the wrong mask would fail.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { backendBadge, open, sharedBrowser } from './browser';
import { makeLayout, structuredMask } from '../../src/engine/model/mask';

const TASKS = ['click', 'cart', 'order'];
// H = 4 and N = 4 match the world (every history has >= 5 items, every request 4 candidates): no padding, so
// the masked cells are exactly the structured mask's zeros.
const TINY =
  'd=8&layers=1&heads=1&batchSize=8&historyLen=4&maxCandidates=4&steps=4&evalEvery=2&probeEvery=0' +
  '&shop.requests=200&shop.users=40&shop.items=60&shop.candidates=4&shop.historyLen=4';

function expectedMaskZeros(historyLen: number, N: number): number {
  const layout = makeLayout({ sdLabels: ['ctx'], historyLen, numGroups: N, taskNames: TASKS });
  return structuredMask(layout).flat().filter((v) => v === 0).length;
}

const browser = sharedBrowser();
let page: Page;
let errors: string[];

beforeAll(async () => {
  // E2E_BACKEND=cpu (or wasm) runs the same checks off WebGPU, to tell a backend bug from a UI bug.
  // Named even for WebGPU: on a software adapter 'auto' may pick wasm (the ladder times both).
  const query = `?backend=${process.env.E2E_BACKEND ?? 'webgpu'}`;
  ({ page, errors } = await open(browser(), `${inject('siteUrl')}${query}#tab=demos&${TINY}`));
  await backendBadge(page);
});

/** Reads the grad-flow cells of one table as a K x K matrix of the exact strings in data-value. */
async function flowCells(table: ReturnType<Page['locator']>): Promise<string[][]> {
  const cells = await table.locator('[data-testid="grad-flow-cell"]').evaluateAll((els) =>
    els.map((e) => ({ k: Number(e.getAttribute('data-k')), j: Number(e.getAttribute('data-j')), v: e.getAttribute('data-value') ?? '', text: e.firstChild?.textContent ?? '' })),
  );
  const K = Math.max(...cells.map((c) => c.k)) + 1;
  const m = Array.from({ length: K }, () => new Array<string>(K).fill(''));
  for (const c of cells) {
    m[c.k][c.j] = c.v;
    if (c.v === '0') expect(c.text).toBe('0');
  }
  return m;
}

describe('guided demos and look inside', () => {
  it('lists the four demos; "Why detach gradients?" sets up its two runs and trains them', async () => {
    const list = page.getByTestId('demo-list');
    await expect(list.locator('article.demo').count()).resolves.toBe(4);
    const demo = page.getByTestId('demo-detach');
    await demo.getByTestId('demo-start').click();
    await page.locator('[data-testid="demo-detach"][data-runs="2"]').waitFor({ timeout: 240_000 });
    // Both runs reach the tiny config's 4 steps (min step over the demo's runs).
    await page.locator('[data-testid="demo-detach"][data-min-step="4"]').waitFor({ timeout: 300_000 });
    await expect(demo.getByTestId('demo-result-row').count()).resolves.toBe(2);
    await expect(demo.getByTestId('demo-chart').count()).resolves.toBeGreaterThan(0);
  });

  it('gradient flow: off-diagonal exactly 0 with detachment, non-zero where the cascade mask reads without it', async () => {
    const demo = page.getByTestId('demo-detach');
    const on = demo.locator('[data-testid="grad-flow"][data-detach="on"]');
    const off = demo.locator('[data-testid="grad-flow"][data-detach="off"]');
    await on.waitFor({ timeout: 60_000 });
    await off.waitFor({ timeout: 60_000 });
    const a = await flowCells(on);
    const b = await flowCells(off);
    expect(a.length).toBe(3);
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 3; j++) {
        if (k === j) {
          expect(Number(a[k][j])).toBeGreaterThan(0);
          expect(Number(b[k][j])).toBeGreaterThan(0);
        } else {
          expect(a[k][j]).toBe('0');
          // Cascade: task k reads j <= k, so only those edges can carry gradient once detachment is off.
          if (j < k) expect(Number(b[k][j])).toBeGreaterThan(0);
          else expect(b[k][j]).toBe('0');
        }
      }
  });

  it('the trunk heatmap for layer 0, head 0 renders non-blank, with exactly the masked cells marked', async () => {
    await page.getByTestId('tab-inspect').click();
    const map = page.locator('[data-testid="attention-heatmap"][data-layer="0"][data-head="0"]');
    await map.waitFor({ timeout: 60_000 });
    const T = 1 + 4 + 4 * 4;
    expect(Number(await map.getAttribute('data-rows'))).toBe(T);
    expect(Number(await map.getAttribute('data-masked-cells'))).toBe(expectedMaskZeros(4, 4));
    const max = Number(await map.getAttribute('data-max-weight'));
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(1);
    // Every allowed cell of a softmax row is > 0, so non-zero cells = allowed cells.
    expect(Number(await map.getAttribute('data-nonzero-cells'))).toBe(T * T - expectedMaskZeros(4, 4));
    // Pixels: the canvas is not blank, a masked cell (context row 0 -> last task token) is the masked gray, and an
    // allowed one (row 0 reads itself) is not.
    const px = await map.locator('canvas').evaluate((c: HTMLCanvasElement, n: number) => {
      const ctx = c.getContext('2d')!;
      const cell = c.width / n;
      const at = (r: number, col: number) => Array.from(ctx.getImageData(Math.floor(col * cell + cell * 0.25), Math.floor(r * cell + cell * 0.25), 1, 1).data);
      const all = ctx.getImageData(0, 0, c.width, c.height).data;
      const colors = new Set<number>();
      for (let i = 0; i < all.length; i += 4) colors.add((all[i] << 16) | (all[i + 1] << 8) | all[i + 2]);
      return { masked: at(0, n - 1), allowed: at(0, 0), colors: colors.size };
    }, T);
    expect(px.colors).toBeGreaterThan(3);
    expect(px.masked.slice(0, 3)).toEqual([222, 224, 230]);
    expect(px.allowed.slice(0, 3)).not.toEqual([222, 224, 230]);
    // Hover says the exact weight of a cell (scrolled into view first: the run's architecture above it is taller).
    await map.locator('canvas').scrollIntoViewIfNeeded();
    const box = (await map.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / T / 2, box.y + box.height / T / 2);
    await expect(map.getByTestId('heatmap-hover').textContent()).resolves.toMatch(/^query ctx: .* \u2192 key ctx: .*: 1$/);
    // The cross-task map shows its mask preset; the candidate-aware one exists for the full model.
    await expect(page.locator('[data-testid="cross-task-attention"][data-preset="cascade"]').count()).resolves.toBe(1);
    await expect(page.getByTestId('candidate-attention').count()).resolves.toBe(1);
  });

  it('exports a map as PNG and as CSV', async () => {
    const map = page.getByTestId('attention-heatmap');
    const [png] = await Promise.all([page.waitForEvent('download'), map.getByTestId('export-png').click()]);
    expect(png.suggestedFilename()).toMatch(/^trunk-layer-1-head-1-step-\d+-request-1\.png$/);
    const bytes = await readFile((await png.path())!);
    expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(bytes.length).toBeGreaterThan(1000);
    const [csv] = await Promise.all([page.waitForEvent('download'), map.getByTestId('export-csv').click()]);
    const text = await readFile((await csv.path())!, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(1 + 21);
    expect(lines[0].startsWith('query \\ key,')).toBe(true);
  });

  it('the architecture view redraws from the config and says what a row may read', async () => {
    const view = page.getByTestId('architecture-view');
    // A run is selected (the demos made some): its own architecture shows; the editable sketch is one click away.
    await view.getByTestId('arch-sketch-toggle').click();
    await expect(view.getByTestId('layout-strip').getAttribute('data-tokens')).resolves.toBe('21');
    await view.getByTestId('arch-candidates').fill('3');
    await page.locator('[data-testid="layout-strip"][data-tokens="17"]').waitFor();
    await expect(view.getByTestId('mask-grid').getAttribute('data-masked-cells')).resolves.toBe(String(expectedMaskZeros(4, 3)));
    expect(new URL(page.url()).hash).toContain('maxCandidates=3');
    await view.getByTestId('arch-ablation').selectOption('V6');
    await expect(view.getByTestId('mask-grid').getAttribute('data-masked-cells')).resolves.toBe('0');
    await view.getByTestId('arch-ablation').selectOption('none');
    const strip = view.getByTestId('layout-strip').locator('span');
    await strip.nth(17 - 2).hover(); // T = 17 = [ctx, h1..h4, (c, click, cart, order) x 3]: 'task: cart' of cand 3
    await expect(view.getByTestId('mask-row-reading').textContent()).resolves.toMatch(/^Task: cart \(group of cand 3\) may read all 5 context tokens, its candidate \(cand 3\) and itself\./);
    expect(errors).toEqual([]);
  });
});
