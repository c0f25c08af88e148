// The IndexedDB stores (src/storage/*) in a real Chromium, loaded from the dev server as the page loads them:
// datasets and runs round-trip (typed arrays stay typed arrays), deletes remove what belongs together, and a full
// quota gives a message that says what happened and what to do (before this test: 'QuotaExceededError' with an
// empty message; the fix is in datasetStore.saveDataset). There is no earlier schema version to upgrade from yet (db.ts
// is at version 1).
import { describe, expect, inject, it } from 'vitest';
import { open, sharedBrowser } from './browser';

const browser = sharedBrowser();
type DatasetStore = typeof import('../../src/storage/datasetStore');
type RunStore = typeof import('../../src/storage/runStore');

/**
 * A page on the dev server's origin that runs no app: the stores are imported inside it (through `new Function`,
 * because the test runner rewrites a literal import() in the callback's source).
 */
async function storePage() {
  const { page, errors } = await open(browser(), `${inject('devUrl')}favicon.svg`);
  return { page, errors };
}

describe('IndexedDB stores', () => {
  it('datasets: saved, listed, loaded back with their typed arrays, deleted', async () => {
    const { page } = await storePage();
    const out = await page.evaluate(async () => {
      const store = await (new Function('p', 'return import(p)') as (p: string) => Promise<DatasetStore>)('/src/storage/datasetStore.ts');
      const dataset = { name: 'tiny', tasks: ['click', 'order'], labels: new Float32Array([0, 1, 1, 0]), candMask: new Float32Array([1, 1, 1, 0]), user: new Int32Array([3, -1]) };
      const input = { name: 'Tiny', fileName: 'tiny.csv', recipe: { fileBytes: 10 }, summary: { rows: 4, requests: 2 } };
      const info = await store.saveDataset(input as never, dataset as never);
      const listed = (await store.listDatasets()).map((d) => d.id);
      const back = await store.loadStoredDataset(info.id);
      await store.deleteDataset(info.id);
      const after = (await store.listDatasets()).length;
      let missing = '';
      try {
        await store.loadStoredDataset(info.id);
      } catch (e) {
        missing = (e as Error).message;
      }
      return {
        info: { rows: info.rows, requests: info.requests, tasks: info.tasks, sizeBytes: info.sizeBytes },
        listed: listed.includes(info.id),
        labels: back.labels instanceof Float32Array ? Array.from(back.labels as Float32Array) : null,
        user: back.user instanceof Int32Array ? Array.from(back.user as Int32Array) : null,
        after,
        missing,
      };
    });
    expect(out.info).toEqual({ rows: 4, requests: 2, tasks: ['click', 'order'], sizeBytes: 16 + 16 + 8 });
    expect(out.listed).toBe(true);
    expect(out.labels).toEqual([0, 1, 1, 0]);
    expect(out.user).toEqual([3, -1]);
    expect(out.after).toBe(0);
    expect(out.missing).toMatch(/is not stored in this browser.*Choose another dataset in the Data tab/);
  });

  it('runs and their weights: saved, loaded oldest first, deleted together', async () => {
    const { page } = await storePage();
    const out = await page.evaluate(async () => {
      const store = await (new Function('p', 'return import(p)') as (p: string) => Promise<RunStore>)('/src/storage/runStore.ts');
      const run = (id: string, createdAt: number) => ({ id, name: id, config: { d: 8 }, dataset: 'shop', shop: {}, datasetKey: 'k', seed: 42, step: 3, status: 'idle', color: '#000', createdAt, history: { steps: [{ step: 1, loss: 0.5 }], evals: [], probes: [] } });
      await store.saveRun(run('b', 2) as never);
      await store.saveRun(run('a', 1) as never);
      await store.saveWeights('a', { format: 'onerank-weights', version: 1, variables: [{ name: 'w', shape: [2], data: [0.25, -1] }] } as never);
      const loaded = (await store.loadRuns()).map((r) => [r.id, r.history] as const);
      const weights = await store.loadWeights('a');
      await store.deleteStoredRun('a');
      return { loaded, weights, afterIds: (await store.loadRuns()).map((r) => r.id), weightsAfter: await store.loadWeights('a') };
    });
    expect(out.loaded.map((x) => x[0])).toEqual(['a', 'b']);
    expect(out.loaded[0][1]).toEqual({ steps: [{ step: 1, loss: 0.5 }], evals: [], probes: [] });
    expect(out.weights?.variables[0].data).toEqual([0.25, -1]);
    expect(out.afterIds).toEqual(['b']);
    expect(out.weightsAfter).toBeNull();
  });

  it('a full quota: saving a dataset fails with a message that says the browser\u2019s storage is full and what to do', async () => {
    const { page } = await storePage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin' as never, { origin: new URL(inject('devUrl')).origin, quotaSize: 200_000 } as never);
    const message = await page.evaluate(async () => {
      const store = await (new Function('p', 'return import(p)') as (p: string) => Promise<DatasetStore>)('/src/storage/datasetStore.ts');
      const dataset = { name: 'big', tasks: ['click'], labels: new Float32Array(2_000_000) };
      try {
        await store.saveDataset({ name: 'Big', fileName: 'big.csv', recipe: {}, summary: { rows: 1, requests: 1 } } as never, dataset as never);
        return 'saved';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    });
    expect(message).not.toBe('saved');
    expect(message).toMatch(/storage/i);
    expect(message).toMatch(/delete|free/i);
  });
});
