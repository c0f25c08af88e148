// The worker's loop on webgpu (Dawn in Node, SwiftShader), where replayed steps go ahead (trainer.trainStep's
// `ahead`): every step posted once and in order, evaluations on schedule, and what else uses the run in the middle
// of training (an export, a pause) reads the step in flight first and finds nothing in flight after; and slow steps
// (over the worker's quickStepMs) do not go ahead, so Pause stays within one step where a step takes long.
// Shown to fail: with exportWeights through a plain withRun (no settle), the export in the middle of training threw
// "step N is in flight"; with finish() not settling, the paused run kept a step in flight; with the due work
// settling a step left in flight (a first version did), the evaluations at steps 12 and 14 were skipped; without
// the quick-step condition, slow steps went ahead; with settleRun not owing the settled step's evaluation, the
// export's step 12 and the pause's step 8 were never evaluated (CI's pause e2e saw a comparison miss step 6's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { setEmitter } from '../../src/workers/emit';
import type { TrainingEvent } from '../../src/workers/protocol';
import { datasetKey, type RunEvent } from '../../src/workers/runProtocol';
import { runMethods, setQuickStepMs } from '../../src/workers/runMethods';
import { getTrainer } from '../../src/workers/runs';
import { useBackend } from './helpers/backend';

await useBackend('webgpu');

const cfg: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 1, batchSize: 8, historyLen: 4, maxCandidates: 4, evalEvery: 6, probeEvery: 0, steps: 14, experts: 2, expertHidden: 8, towerHidden: 8, dropout: 0 };
const key = datasetKey('shop', { requests: '200', users: '50', items: '40', candidates: '4' }, cfg);

let events: RunEvent[] = [];
const of = <T extends RunEvent['type']>(runId: string, type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type && e.runId === runId);
const stepsOf = (runId: string) => of(runId, 'run-steps').flatMap((e) => e.records.map((r) => r.step));

beforeAll(() => {
  // SwiftShader's steps are slower than what the worker calls quick: every step counts as quick here.
  setQuickStepMs(Infinity);
  setEmitter((e: TrainingEvent) => {
    if (e.type !== 'log') events.push(e); // saving weights logs (no IndexedDB in Node)
  });
});
afterAll(async () => {
  setQuickStepMs(50);
  for (const id of ['a', 'b']) await runMethods.closeRun({ runId: id });
});

describe('the worker loop with steps going ahead (webgpu)', () => {
  it('posts every step once, evaluates on schedule, and an export mid-run reads the step in flight first', async () => {
    await runMethods.openRun({ run: { id: 'a', config: cfg, datasetKey: key }, restore: false });
    const t = getTrainer('a');
    let wentAhead = 0;
    let exported: number | null = null;
    const trainStep = t.trainStep.bind(t);
    t.trainStep = async (o) => {
      const rec = await trainStep(o);
      if (t.stepInFlight) wentAhead++;
      // An export sent while step 11 is read (a message: it comes in between two turns, with step 12 in flight: the
      // export reads it, and step 12's evaluation is done before training goes on).
      if (rec.step === 11) setTimeout(() => void runMethods.exportWeights({ runId: 'a', which: 'last' }).then((f) => (exported = f.step ?? -1)), 0);
      return rec;
    };
    events = [];
    await runMethods.train({ runIds: ['a'] });
    expect(t.step).toBe(14);
    expect(t.stepInFlight).toBe(false);
    expect(wentAhead, 'replayed steps went ahead').toBeGreaterThan(4);
    expect(stepsOf('a')).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(of('a', 'run-eval').map((e) => e.record.step)).toEqual([6, 12, 14]);
    expect(exported).not.toBeNull();
    expect(exported!).toBe(12);
    expect(of('a', 'run-status').at(-1)).toMatchObject({ training: false, step: 14 });
  });

  it('slow steps do not go ahead (Pause stays within one step there)', async () => {
    setQuickStepMs(0);
    try {
      await runMethods.openRun({ run: { id: 'c', config: { ...cfg, steps: 8 }, datasetKey: key }, restore: false });
      const t = getTrainer('c');
      let wentAhead = 0;
      const trainStep = t.trainStep.bind(t);
      t.trainStep = async (o) => {
        const rec = await trainStep(o);
        if (t.stepInFlight) wentAhead++;
        return rec;
      };
      await runMethods.train({ runIds: ['c'] });
      expect(t.step).toBe(8);
      expect(wentAhead).toBe(0);
    } finally {
      setQuickStepMs(Infinity);
      await runMethods.closeRun({ runId: 'c' });
    }
  });

  it("a pause stops after the step in flight, puts off what falls due there, and Play does it first", async () => {
    await runMethods.openRun({ run: { id: 'b', config: { ...cfg, steps: 1000, evalEvery: 8 }, datasetKey: key }, restore: false });
    const t = getTrainer('b');
    const trainStep = t.trainStep.bind(t);
    t.trainStep = async (o) => {
      const rec = await trainStep(o);
      // Step 8 (an evaluation step) is in flight behind step 7 when the pause comes.
      if (rec.step === 7 && t.stepInFlight) setTimeout(() => void runMethods.pause({}), 0);
      return rec;
    };
    events = [];
    await runMethods.train({ runIds: ['b'] });
    expect(t.stepInFlight).toBe(false);
    expect(t.step).toBe(8);
    expect(stepsOf('b')).toEqual(Array.from({ length: 8 }, (_, i) => i + 1));
    expect(of('b', 'run-eval').map((e) => e.record.step), 'nothing evaluated at the pause').toEqual([]);
    expect(of('b', 'run-status').at(-1)).toMatchObject({ training: false, step: 8 });
    await runMethods.train({ runIds: ['b'], steps: 1 });
    // The pause's evaluation first, then step 9 (a Step evaluates where it stops).
    expect(of('b', 'run-eval').map((e) => e.record.step)).toEqual([8, 9]);
    expect(stepsOf('b').at(-1)).toBe(9);
  });
});
