// Early stopping and the best checkpoint in the worker's loop (the methods object on cpu, as the worker drives
// them). Shown to fail: without the `t.stalled` check in stepOnce the run trains on to its budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { bestEvaluation } from '../../src/engine/train/checkpoint';
import { setEmitter } from '../../src/workers/emit';
import type { TrainingEvent } from '../../src/workers/protocol';
import { datasetKey, type RunEvent } from '../../src/workers/runProtocol';
import { runMethods } from '../../src/workers/runMethods';
import { useBackend } from './helpers/backend';

await useBackend('cpu');
// A high lr on a small world: the validation curve peaks and wanders, so patience 2 stops it early.
const cfg: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 1, batchSize: 16, historyLen: 4, maxCandidates: 4, evalEvery: 10, probeEvery: 0, steps: 400, lr: 0.05, seed: 3, patience: 2, experts: 2, expertHidden: 8, towerHidden: 8 };
const shop = { requests: '160', users: '200', items: '150', candidates: '4', historyLen: '5' };

const events: RunEvent[] = [];
const logs: string[] = [];
beforeAll(() => {
  setEmitter((e: TrainingEvent) => {
    if (e.type === 'log') logs.push(e.message);
    else events.push(e);
  });
});
afterAll(async () => {
  await runMethods.closeRun({ runId: 'e' });
});

describe('early stopping in the worker', () => {
  it('stops `patience` evaluations after the best, says so, and exports the best weights on request', async () => {
    await runMethods.openRun({ run: { id: 'e', config: cfg, datasetKey: datasetKey('shop', shop, cfg) }, restore: false });
    await runMethods.train({ runIds: ['e'] });
    const evals = events.filter((e): e is Extract<RunEvent, { type: 'run-eval' }> => e.type === 'run-eval').map((e) => e.record);
    const best = bestEvaluation(evals, '')!;
    const last = evals.at(-1)!;
    expect(last.step).toBeLessThan(400);
    expect(last.step).toBe(best.step + 2 * cfg.evalEvery);
    expect(logs.some((m) => /stopped early at step \d+: 2 evaluations without a new best/.test(m))).toBe(true);
    const stopped = events.filter((e) => e.type === 'run-status').at(-1);
    expect(stopped).toMatchObject({ training: false, step: last.step });
    expect((await runMethods.exportWeights({ runId: 'e', which: 'best' })).step).toBe(best.step);
    expect((await runMethods.exportWeights({ runId: 'e' })).step).toBe(last.step);
  });
});
