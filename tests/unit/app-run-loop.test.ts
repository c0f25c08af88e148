// The worker's training loop, driven in Node on the cpu backend exactly as the worker drives it (the methods
// object and the event outlet); only IndexedDB is missing here, which the loop reports and survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { setEmitter } from '../../src/workers/emit';
import type { TrainingEvent } from '../../src/workers/protocol';
import { datasetKey, type RunEvent, type StepRecord } from '../../src/workers/runProtocol';
import { runMethods } from '../../src/workers/runMethods';
import { getTrainer } from '../../src/workers/runs';
import { useBackend } from './helpers/backend';

const tf = await useBackend('cpu');

const cfg: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 1, batchSize: 8, historyLen: 4, maxCandidates: 4, evalEvery: 3, probeEvery: 2, steps: 7, experts: 2, expertHidden: 8, towerHidden: 8 };
const shop = { requests: '200', users: '50', items: '40', candidates: '4' };
const key = datasetKey('shop', shop, cfg);

let events: RunEvent[] = [];
const of = <T extends RunEvent['type']>(runId: string, type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type && e.runId === runId);
const steps = (runId: string): StepRecord[] => of(runId, 'run-steps').flatMap((e) => e.records);

beforeAll(() => {
  setEmitter((e: TrainingEvent) => {
    if (e.type !== 'log') events.push(e);
  });
});
afterAll(async () => {
  for (const id of ['a', 'b', 'c']) await runMethods.closeRun({ runId: id });
});

describe('run loop (worker methods on cpu)', () => {
  it('opens a run with a step-0 evaluation, trains to its budget with evals, probes and batched step events', async () => {
    events = [];
    const opened = await runMethods.openRun({ run: { id: 'a', config: cfg, datasetKey: key }, restore: false });
    expect(opened).toMatchObject({ step: 0, tasks: ['click', 'cart', 'order'], restored: false });
    expect(opened.parameters).toBeGreaterThan(0);
    expect(of('a', 'run-eval').map((e) => e.record.step)).toEqual([0]);
    await runMethods.train({ runIds: ['a'] });
    expect(steps('a').map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps('a').every((s) => s.taskLoss.length === 3 && Number.isFinite(s.loss) && s.samples === 8)).toBe(true);
    // eval every 3 and once at the end of the budget
    expect(of('a', 'run-eval').map((e) => e.record.step)).toEqual([0, 3, 6, 7]);
    const last = of('a', 'run-eval').at(-1)!.record;
    expect(last.tasks.map((t) => t.task)).toEqual(['click', 'cart', 'order']);
    expect(last.tasks.every((t) => t.auc >= 0 && t.auc <= 1)).toBe(true);
    const probes = of('a', 'run-probe').map((e) => e.record);
    expect(probes.map((p) => p.step)).toEqual([2, 4, 6]);
    expect(probes[0].cosine.length).toBe(3);
    expect(probes[0].flow?.length).toBe(3);
    // step records arrive batched: fewer messages than steps
    expect(of('a', 'run-steps').length).toBeLessThan(7);
    const status = of('a', 'run-status');
    expect(status[0]).toMatchObject({ training: true, step: 0 });
    expect(status.at(-1)).toMatchObject({ training: false, step: 7 });
    // an explicit step count: exactly that many more
    events = [];
    await runMethods.train({ runIds: ['a'], steps: 2 });
    expect(steps('a').map((s) => s.step)).toEqual([8, 9]);
  });

  it('two runs advance round-robin; pause stops both after their current step; memory stays flat', async () => {
    // No probes here: this test is about the round-robin and pause (train-leak.test.ts checks probes for leaks).
    await runMethods.openRun({ run: { id: 'b', config: { ...cfg, detach: false, steps: 1000, probeEvery: 0 }, datasetKey: key }, restore: false });
    await runMethods.openRun({ run: { id: 'c', config: { ...cfg, steps: 1000, probeEvery: 0 }, datasetKey: key }, restore: false });
    await runMethods.train({ runIds: ['b', 'c'], steps: 3 });
    const before = tf.memory().numTensors;
    events = [];
    const training = runMethods.train({ runIds: ['b', 'c'] });
    await new Promise((r) => setTimeout(r, 300));
    await runMethods.pause({});
    await training;
    const nb = steps('b').length;
    const nc = steps('c').length;
    expect(nb).toBeGreaterThan(0);
    expect(Math.abs(nb - nc)).toBeLessThanOrEqual(1);
    expect(of('b', 'run-status').at(-1)).toMatchObject({ training: false });
    expect(getTrainer('b').step).toBeLessThan(1000);
    expect(tf.memory().numTensors).toBe(before);
  });

  // Shown to fail: resetting with another seed (createEntry with config.seed 99 in resetRun) fails the weights check.
  it('reset goes back to step 0 with the same initial weights; export/import restores identical predictions', async () => {
    const trained = await runMethods.predict({ runId: 'c', requests: 5 });
    const fresh = await runMethods.resetRun({ runId: 'c' });
    expect(fresh.step).toBe(0);
    expect(getTrainer('c').step).toBe(0);
    expect((await runMethods.predict({ runId: 'c', requests: 5 })).probs).not.toEqual(trained.probs);
    // A run opened afresh from the same config and data, never trained: the reset gives exactly its weights (compared
    // as weights: every model predicts the base rate at step 0, whatever its weights).
    await runMethods.openRun({ run: { id: 'c0', config: { ...cfg, steps: 1000, probeEvery: 0 }, datasetKey: key }, restore: false });
    const weights = async (id: string) => (await runMethods.exportWeights({ runId: id })).variables.map((v) => v.data);
    expect(await weights('c')).toEqual(await weights('c0'));
    await runMethods.closeRun({ runId: 'c0' });

    const file = await runMethods.exportWeights({ runId: 'a' });
    expect(file.datasetKey).toBe(key);
    const pa = await runMethods.predict({ runId: 'a', requests: 5 });
    const pcBefore = await runMethods.predict({ runId: 'c', requests: 5 });
    expect(pcBefore.probs).not.toEqual(pa.probs);
    const back = JSON.parse(JSON.stringify(file));
    const o = await runMethods.importWeights({ runId: 'c', file: back });
    expect(o.step).toBe(getTrainer('a').step);
    expect((await runMethods.predict({ runId: 'c', requests: 5 })).probs).toEqual(pa.probs);
  });

  it('a NaN loss stops the run with a message, keeps its step, and it trains again after the fault is fixed', async () => {
    events = [];
    const t = getTrainer('b');
    const stepBefore = t.step;
    // Poison one weight: the next loss is NaN, the trainer refuses the update.
    const v = t.model.variables[0];
    const saved = v.clone();
    v.assign(tf.fill(v.shape, NaN));
    await runMethods.train({ runIds: ['b'], steps: 3 });
    const f = of('b', 'run-fault');
    expect(f.length).toBe(1);
    expect(f[0].kind).toBe('nan');
    expect(f[0].message).toMatch(/NaN/);
    expect(f[0].step).toBe(stepBefore);
    expect(t.step).toBe(stepBefore);
    v.assign(saved);
    saved.dispose();
    await runMethods.train({ runIds: ['b'], steps: 1 });
    expect(t.step).toBe(stepBefore + 1);
  });

  it('an unknown run is a clear error', async () => {
    await expect(runMethods.train({ runIds: ['nope'] })).rejects.toThrow(/not loaded in the training worker/);
  });
});
