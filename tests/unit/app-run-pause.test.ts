// Pause in the worker's loop (the methods object on cpu, as the worker drives it): it answers after the step in
// flight, evaluates nothing, stops an evaluation under way at its next batch, and what it put off is done when the
// run trains on, at the same step. A run paused twice ends exactly like the same run never paused.
// Shown to fail on the old loop (pause finished the step's evaluation, then evaluated once more): the first test
// saw all 8 evaluation batches and an evaluation at the paused step; the second saw an evaluation at step 3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { setEmitter } from '../../src/workers/emit';
import type { TrainingEvent } from '../../src/workers/protocol';
import { datasetKey, type RunEvent, type StepRecord } from '../../src/workers/runProtocol';
import { runMethods } from '../../src/workers/runMethods';
import { getTrainer } from '../../src/workers/runs';
import { useBackend } from './helpers/backend';

const tf = await useBackend('cpu');

// 2,400 requests, 85% held out: an evaluation is 8 batches of 256 requests, a step one batch of 8.
const cfg: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 1, batchSize: 8, historyLen: 4, maxCandidates: 4, evalEvery: 2, probeEvery: 2, steps: 6, valFraction: 0.85, experts: 2, expertHidden: 8, towerHidden: 8 };
const shop = { requests: '2400', users: '100', items: '60', candidates: '4' };
const key = datasetKey('shop', shop, cfg);
// The other tests need no long evaluation: a small world.
const small = { ...cfg, valFraction: 0.2 };
const smallKey = datasetKey('shop', { requests: '300', users: '50', items: '40', candidates: '4' }, small);
const EVAL_BATCHES = Math.ceil(Math.round(2400 * 0.85) / 256);

let events: RunEvent[] = [];
const of = <T extends RunEvent['type']>(runId: string, type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type && e.runId === runId);
const steps = (runId: string): StepRecord[] => of(runId, 'run-steps').flatMap((e) => e.records);
const evalSteps = (runId: string) => of(runId, 'run-eval').map((e) => e.record.step);

beforeAll(() => {
  setEmitter((e: TrainingEvent) => {
    if (e.type !== 'log') events.push(e); // saving weights logs (no IndexedDB in Node)
  });
});
afterAll(async () => {
  for (const id of ['p', 'straight', 'paused', 'q']) await runMethods.closeRun({ runId: id });
});

/** Calls `onStep` after each training step of the run (as if a message came while the step ran). */
function afterEachStep(runId: string, onStep: (step: number) => void) {
  const t = getTrainer(runId);
  const trainStep = t.trainStep.bind(t);
  t.trainStep = async () => {
    const rec = await trainStep();
    onStep(t.step);
    return rec;
  };
}

describe('pause in the worker loop', () => {
  it('a pause sent during an evaluation stops it at its next batch; nothing is evaluated at the pause', async () => {
    expect(EVAL_BATCHES).toBe(8);
    await runMethods.openRun({ run: { id: 'p', config: { ...cfg, steps: 1000, probeEvery: 0 }, datasetKey: key }, restore: false });
    await runMethods.train({ runIds: ['p'], steps: 1, evaluate: false });
    const t = getTrainer('p');
    const before = tf.memory().numTensors;
    // Count the evaluation's forward passes; the first one sends a pause as a real message (a timer: it is seen only
    // when the loop lets queued messages in).
    let evalForwards = 0;
    const forward = t.model.forward.bind(t.model);
    t.model.forward = ((...args: Parameters<typeof forward>) => {
      if (args[1]?.training === false && evalForwards++ === 0) setTimeout(() => void runMethods.pause({}), 0);
      return forward(...args);
    }) as typeof t.model.forward;
    events = [];
    const t0 = Date.now();
    await runMethods.train({ runIds: ['p'] });
    console.log(`[pause] step ${t.step}: ${evalForwards} of ${EVAL_BATCHES} evaluation batches ran; paused ${Date.now() - t0} ms after Play`);
    // Step 2 is an evaluation step: its evaluation began and stopped, and the run stopped there.
    expect(t.step).toBe(2);
    expect(steps('p').map((s) => s.step)).toEqual([2]);
    expect(evalForwards).toBeGreaterThanOrEqual(1);
    expect(evalForwards).toBeLessThan(EVAL_BATCHES);
    expect(evalSteps('p')).toEqual([]);
    expect(of('p', 'run-status').at(-1)).toMatchObject({ training: false, step: 2 });
    expect(tf.memory().numTensors).toBe(before);
    // Play again: the evaluation put off at step 2 comes first, complete, then the steps.
    t.model.forward = forward;
    await runMethods.train({ runIds: ['p'], steps: 1 });
    expect(evalSteps('p')).toEqual([2, 3]);
    expect(steps('p').map((s) => s.step)).toEqual([2, 3]);
  });

  it('a run paused at steps 3 and 4 (an evaluation step) ends as the same run never paused: same evaluations, steps, weights', async () => {
    const spec = (id: string) => ({ run: { id, config: small, datasetKey: smallKey }, restore: false });
    events = [];
    await runMethods.openRun(spec('straight'));
    await runMethods.train({ runIds: ['straight'] });
    await runMethods.openRun(spec('paused'));
    // A pause arriving while step 3 runs (off the evaluation schedule), then while step 4 runs (on it: its probe and
    // evaluation are put off to the next Play).
    afterEachStep('paused', (step) => {
      if (step === 3 || step === 4) void runMethods.pause({});
    });
    await runMethods.train({ runIds: ['paused'] });
    expect(getTrainer('paused').step).toBe(3);
    expect(evalSteps('paused')).toEqual([0, 2]);
    await runMethods.train({ runIds: ['paused'] });
    expect(getTrainer('paused').step).toBe(4);
    expect(evalSteps('paused')).toEqual([0, 2]);
    expect(of('paused', 'run-probe').map((e) => e.record.step)).toEqual([2]);
    await runMethods.train({ runIds: ['paused'] });
    expect(getTrainer('paused').step).toBe(6);

    expect(evalSteps('straight')).toEqual([0, 2, 4, 6]);
    expect(evalSteps('paused')).toEqual(evalSteps('straight'));
    expect(of('paused', 'run-eval').map((e) => e.record)).toEqual(of('straight', 'run-eval').map((e) => e.record));
    expect(of('paused', 'run-probe').map((e) => e.record)).toEqual(of('straight', 'run-probe').map((e) => e.record));
    const losses = (id: string) => steps(id).map((s) => [s.step, s.loss]);
    expect(losses('paused')).toEqual(losses('straight'));
    const weights = async (id: string) => (await runMethods.exportWeights({ runId: id })).variables.map((v) => v.data);
    expect(await weights('paused')).toEqual(await weights('straight'));
  });

  it('a quiet stop (evaluate: false, a run catching up with another) puts off its evaluation to the next step', async () => {
    await runMethods.openRun({ run: { id: 'q', config: { ...small, probeEvery: 0 }, datasetKey: smallKey }, restore: false });
    events = [];
    await runMethods.train({ runIds: ['q'], steps: 2, evaluate: false });
    expect(evalSteps('q')).toEqual([]);
    await runMethods.train({ runIds: ['q'], steps: 1 });
    // the evaluation of step 2 before step 3 was trained; step 3 evaluated where the call stopped
    const order = events.filter((e) => e.runId === 'q').flatMap((e) => (e.type === 'run-eval' ? [`eval ${e.record.step}`] : e.type === 'run-steps' ? [`steps ${e.records.map((r) => r.step).join(',')}`] : []));
    expect(order).toEqual(['steps 1,2', 'eval 2', 'steps 3', 'eval 3']);
  });
});
