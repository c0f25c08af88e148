import { describe, expect, inject, it } from 'vitest';
import { backendBadge, launch, open, sharedBrowser } from './browser';

const browser = sharedBrowser();

describe('foundation', () => {
  it('the built site, served from a sub-path, shows the WebGPU badge with a software adapter', async () => {
    // Forced: on a software adapter 'auto' races WebGPU against wasm (newcomer.e2e.ts checks that).
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=webgpu`);
    const text = await backendBadge(page);
    expect(text).toMatch(/^WebGPU - .*swiftshader.*\(software\)/i);
    expect(await page.getByTestId('backend-fallback').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the dev server serves the same app', async () => {
    const { page } = await open(browser(), `${inject('devUrl')}?backend=webgpu`);
    expect(await backendBadge(page, 120_000)).toMatch(/^WebGPU/);
    await page.context().close();
  });

  it('?backend=wasm forces the wasm backend (its .wasm files load from the built site)', async () => {
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=wasm`);
    expect(await backendBadge(page)).toBe('WASM');
    expect(await page.getByTestId('backend-select').inputValue()).toBe('wasm');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the backend selector switches backend and writes it to the URL', async () => {
    const { page } = await open(browser(), inject('siteUrl'));
    await backendBadge(page);
    await page.getByTestId('backend-select').selectOption('cpu');
    await page.locator('[data-testid="backend-badge"][data-backend="cpu"]').waitFor();
    expect(await page.getByTestId('backend-badge').textContent()).toBe('CPU');
    expect(new URL(page.url()).searchParams.get('backend')).toBe('cpu');
    await page.context().close();
  });

  it('with WebGPU present but no adapter, the ladder falls back and says why', async () => {
    const noAdapter = await launch({ without: ['--enable-unsafe-webgpu'] });
    try {
      const { page } = await open(noAdapter, inject('siteUrl'));
      const text = await backendBadge(page);
      expect(text).not.toMatch(/WebGPU/);
      expect(await page.getByTestId('backend-fallback').textContent()).toMatch(/webgpu unavailable: WebGPU is present but no GPU adapter/);
    } finally {
      await noAdapter.close();
    }
  });

  it('the whole path: a tiny model trains in the Web Worker on WebGPU and learns', async () => {
    // A tiny model on a tiny world (SwiftShader is a software GPU); a higher learning rate so a few steps show it.
    const tiny =
      'd=8&layers=1&heads=1&batchSize=32&historyLen=4&maxCandidates=4&steps=32&evalEvery=16&probeEvery=0&lr=0.03' +
      '&shop.requests=400&shop.users=50&shop.items=40&shop.candidates=4&shop.noise=0.1';
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=webgpu#${tiny}`);
    expect(await backendBadge(page)).toMatch(/^WebGPU/);
    await page.getByTestId('train-start').click();
    await page.waitForFunction(() => (window.__playground?.runs() ?? []).some((r) => r.step >= 32 && r.status !== 'training'), null, { timeout: 300_000 });
    const losses = await page.evaluate(() => window.__playground!.runs()[0].history.steps.map((s) => s.loss));
    expect(losses.length).toBe(32);
    expect(losses.every(Number.isFinite)).toBe(true);
    // It learns: the mean validation AUC at step 32 clearly above step 0's. OneRank starts at the base rate (its
    // validation loss is the constant predictor's from step 0), so in a few dozen steps it is the ranking that
    // improves first; the loss barely moves yet (cpu, same world and seeds: mean AUC 0.42 -> 0.68).
    const evals = await page.evaluate(() => window.__playground!.runs()[0].history.evals.map((e) => ({ step: e.step, auc: e.tasks.map((t) => t.auc) })));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(evals.map((e) => e.step)).toEqual([0, 16, 32]);
    expect(mean(evals[2].auc), JSON.stringify(evals)).toBeGreaterThan(mean(evals[0].auc) + 0.1);
    // The recorded step runs in the browser's WebGPU too: TF.js plans the first steps, then the recording replays.
    const replayed = await page.evaluate(() => window.__playground!.runs()[0].history.steps.map((s) => s.replayed === true));
    expect(replayed[0]).toBe(false);
    expect(replayed.filter(Boolean).length, JSON.stringify(replayed)).toBeGreaterThanOrEqual(6);
    expect(await page.getByTestId('step-path').textContent()).toBe('recorded step');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
