// Steps submitted ahead (trainer.trainStep({ ahead }): the next replay goes to the GPU before this step's scalars
// are read), on WebGPU in Node (SwiftShader): the same losses and weights as steps read one at a time, nothing
// that reads the model while a step is in flight, no tensor growth, and a bad step that holds the good one already
// submitted behind it (the device latch, kernels/stepTail.ts).
// Shown to fail: (1) with the latch ignored in the step-scalars program (ok && !halted -> ok), the good step behind
// the bad one applied its update: the weights after the fault were not the last good step's; (2) without the
// rewind for the dropped step, Adam's count was one ahead.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './helpers/backend';
import { tinyTrainConfig } from './helpers/trainSetup';
import { generateShop } from '../../src/engine/data/synthetic';
import { Trainer, TrainingFault, runTraining } from '../../src/engine/train/trainer';
import type { Config } from '../../src/engine/config';

await useBackend('webgpu');
const world = () => generateShop({ requests: 200, historyLen: 6, candidates: 4, noise: 0.1 });
const make = (ds: ReturnType<typeof world>, o: Partial<Config> = {}) => Trainer.create(ds, tinyTrainConfig(ds, { d: 8, evalEvery: 1000, dropout: 0, ...o }));

async function weights(t: Trainer): Promise<number[][]> {
  return Promise.all(t.model.variables.map(async (v) => Array.from((await v.data()) as Float32Array)));
}

function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((x, i) => x.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
  return worst;
}

describe('steps submitted ahead (webgpu)', () => {
  it('give the losses and weights of steps read one at a time; a step goes ahead only between replays', async () => {
    const ds = world();
    const [ahead, alone] = [make(ds), make(ds)];
    const counts: number[] = [];
    for (let step = 1; step <= 10; step++) {
      const a = await ahead.trainStep({ ahead: step < 10 });
      const b = await alone.trainStep();
      expect(a.step).toBe(step);
      expect(Math.abs(a.loss - b.loss) / Math.abs(b.loss), `step ${step} loss`).toBeLessThan(1e-4);
      a.taskLoss.forEach((l, k) => expect(Math.abs(l - b.taskLoss[k])).toBeLessThan(1e-4));
      // Steps 1-3 go through TF.js (the first, then two recordings): nothing goes ahead of them.
      expect(ahead.stepInFlight, `after step ${step}`).toBe(a.replayed === true && step < 10);
      if (step >= 6) counts.push(tf.memory().numTensors);
    }
    expect(maxDiff(await weights(ahead), await weights(alone))).toBeLessThan(2e-3);
    expect(new Set(counts).size, 'tensors flat').toBe(1);
    ahead.dispose();
    alone.dispose();
  });

  it('reads of the model wait for settle(); settle returns the step in flight', async () => {
    const ds = world();
    const t = make(ds);
    for (let i = 0; i < 5; i++) await t.trainStep({ ahead: true });
    expect(t.stepInFlight).toBe(true);
    expect(t.step).toBe(5);
    await expect(t.evaluate()).rejects.toThrow(/step 6 is in flight/);
    await expect(t.probe()).rejects.toThrow(/in flight/);
    await expect(t.exportWeights()).rejects.toThrow(/in flight/);
    const rec = await t.settle();
    expect(rec?.step).toBe(6);
    expect(t.step).toBe(6);
    expect(t.stepInFlight).toBe(false);
    expect(await t.settle()).toBeNull();
    expect((await t.evaluate()).step).toBe(6);
    t.dispose();
  });

  it("a bad step holds the good step submitted behind it: the weights stay the last good step's, then train on", async () => {
    const ds = world();
    const [t, ref] = [make(ds), make(ds)];
    const adamCount = () => (t as unknown as { optimizer: { t: number } }).optimizer.t;
    for (let i = 0; i < 6; i++) await ref.trainStep();
    for (let i = 0; i < 5; i++) await t.trainStep({ ahead: true });
    await t.settle(); // step 6, nothing in flight
    await t.trainStep({ ahead: true }); // step 7 read, step 8 built (good labels) and submitted
    const labels = ds.labels.slice();
    ds.labels.fill(NaN);
    await t.trainStep({ ahead: true }); // step 8 read; step 9 built with NaN labels and submitted
    ds.labels.set(labels);
    // Step 10 is built with good labels and submitted behind the bad step 9; reading 9 faults.
    await expect(t.trainStep({ ahead: true })).rejects.toBeInstanceOf(TrainingFault);
    expect(t.step).toBe(8);
    expect(t.stepInFlight).toBe(false);
    expect(adamCount(), "Adam's count: the dropped steps are not counted").toBe(8);
    for (let i = 0; i < 2; i++) await ref.trainStep(); // steps 7 and 8, the same batches
    const eight = await weights(t);
    expect(maxDiff(eight, await weights(ref)), 'the good step behind the bad one changed nothing').toBeLessThan(2e-3);
    // The latch is cleared: training goes on.
    const next = await t.trainStep();
    expect(next.step).toBe(9);
    expect(Number.isFinite(next.loss)).toBe(true);
    expect(maxDiff(await weights(t), eight)).toBeGreaterThan(0);
    t.dispose();
    ref.dispose();
  });

  it('runTraining goes ahead between due steps and stops with nothing in flight; numTensors flat', async () => {
    const ds = world();
    const t = make(ds);
    const steps: number[] = [];
    const evals: number[] = [];
    await runTraining(t, { steps: 12, evalEvery: 5, onStep: (r) => void steps.push(r.step), onEval: (e) => void evals.push(e.step) });
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(evals).toEqual([5, 10, 12]);
    expect(t.stepInFlight).toBe(false);
    const before = tf.memory().numTensors;
    await runTraining(t, { steps: 20, evalEvery: 5 });
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
