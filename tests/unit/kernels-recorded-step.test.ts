// The recorded step (kernels/recordedStep.ts) against TF.js's own step, on WebGPU in Node (SwiftShader): same
// losses, same weights, reads of the weights that stay fresh, no tensor growth, a new recording after new weights,
// TF.js's path kept where a step takes per-step data from the CPU, and dropout's mask drawn on the GPU.
// Shown to fail: (1) letting an uploaded constant's buffer be reused inside the recording (the second replay read
// another program's output: losses apart from step 5 on); (2) not dropping TF.js's CPU copy of the weights after a
// replay (the mid-run read returned the weights of the recording step); (3) not marking the recording stale when
// restoreBest assigns new weights (the replay kept training the released buffers).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './helpers/backend';
import { tinyTrainConfig } from './helpers/trainSetup';
import { generateShop } from '../../src/engine/data/synthetic';
import { Trainer } from '../../src/engine/train/trainer';
import type { Config } from '../../src/engine/config';
import { StepRecorder } from '../../src/engine/train/stepRecorder';
import { gpuDropout, setDropoutSeed } from '../../src/engine/kernels/dropout';

await useBackend('webgpu');
const ds = generateShop({ requests: 200, historyLen: 6, candidates: 4, noise: 0.1 });
const make = (o: Partial<Config>) => Trainer.create(ds, tinyTrainConfig(ds, { d: 8, evalEvery: 1000, ...o }));

async function weights(t: Trainer): Promise<Float32Array[]> {
  return Promise.all(t.model.variables.map(async (v) => (await v.data()) as Float32Array));
}

/** Largest absolute difference over all weights (TF.js's own step differs from itself by ~3e-4 here: atomics). */
function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) => x.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
  return worst;
}

describe('recorded step (webgpu)', () => {
  for (const model of ['onerank', 'mmoe'] as const) {
    it(`${model}: replayed steps give TF.js's losses and weights; weight reads stay fresh; tensors flat`, async () => {
      const [rec, plain] = [make({ model, recordStep: true }), make({ model, recordStep: false })];
      const counts: number[] = [];
      for (let step = 1; step <= 8; step++) {
        const [a, b] = [await rec.trainStep(), await plain.trainStep()];
        expect(Math.abs(a.loss - b.loss) / Math.abs(b.loss), `step ${step} loss`).toBeLessThan(1e-4);
        a.taskLoss.forEach((l, k) => expect(Math.abs(l - b.taskLoss[k])).toBeLessThan(1e-4));
        if (step === 5) expect(maxDiff(await weights(rec), await weights(plain))).toBeLessThan(2e-3); // caches them on the CPU
        if (step >= 5) counts.push(tf.memory().numTensors);
      }
      expect(rec.recordedStep.dispatches).toBeGreaterThan(20); // steps 4-8 were replays
      expect(plain.recordedStep.dispatches).toBe(0);
      expect(maxDiff(await weights(rec), await weights(plain))).toBeLessThan(2e-3);
      expect(new Set(counts).size).toBe(1);
      rec.dispose();
      plain.dispose();
    });
  }

  it('records again after restoreBest assigns new weights, and still follows TF.js', async () => {
    const [rec, plain] = [make({ recordStep: true }), make({ recordStep: false })];
    for (let i = 0; i < 5; i++) await Promise.all([rec.trainStep(), plain.trainStep()].map((p) => p));
    await rec.evaluate();
    await plain.evaluate();
    for (let i = 0; i < 2; i++) {
      await rec.trainStep();
      await plain.trainStep();
    }
    expect(rec.restoreBest() && plain.restoreBest()).toBe(true);
    for (let step = 1; step <= 5; step++) {
      const [a, b] = [await rec.trainStep(), await plain.trainStep()];
      expect(Math.abs(a.loss - b.loss) / Math.abs(b.loss), `step ${step} after restore`).toBeLessThan(1e-4);
    }
    expect(rec.recordedStep.dispatches).toBeGreaterThan(20); // recorded anew after the restore
    expect(maxDiff(await weights(rec), await weights(plain))).toBeLessThan(2e-3);
    rec.dispose();
    plain.dispose();
  });

  it('records a step with dropout too (its mask drawn on the GPU from a per-step seed): replays equal TF.js steps', async () => {
    const [rec, plain] = [make({ recordStep: true, dropout: 0.2 }), make({ recordStep: false, dropout: 0.2 })];
    for (let step = 1; step <= 6; step++) {
      const [a, b] = [await rec.trainStep(), await plain.trainStep()];
      expect(Math.abs(a.loss - b.loss) / Math.abs(b.loss), `step ${step} loss`).toBeLessThan(1e-4);
    }
    expect(rec.recordedStep.refusal).toBe('');
    expect(rec.recordedStep.dispatches).toBeGreaterThan(20);
    rec.dispose();
    plain.dispose();
  });

  it('refuses a step that takes per-step data from the CPU (two recordings differ), saying why', async () => {
    const recorder = new StepRecorder(() => true);
    for (let i = 0; i < 6; i++) {
      if (!recorder.wants()) continue;
      const x = tf.tensor1d([1, 2, 3]);
      await recorder.capture([x], () => tf.add(x, tf.scalar(i))); // a new constant every step, uploaded inside it
    }
    expect(recorder.dispatches).toBe(0);
    expect(recorder.refusal).toMatch(/differ/);
    recorder.dispose();
  });
});

describe('dropout on the GPU (webgpu)', () => {
  // Shown to fail: a mask that ignored the call index (two calls of one step dropped the same units), and a gradient
  // drawn with another call's index (its sum no longer the value).
  it('drops about `rate` of the units, scales the rest, repeats its mask for a seed and call, and passes dy through it', async () => {
    const x = tf.ones([4000]);
    const run = async (seed: number) => {
      const seedT = tf.tensor1d([seed]);
      setDropoutSeed(seedT);
      let out: tf.Tensor[];
      try {
        const [a, b] = [gpuDropout(x, 0.3), gpuDropout(x, 0.3)];
        // x = 1, so the value is the sum of the kept range / 0.7, and the gradient (range / 0.7 where kept) sums to it
        // only when the backward pass drops the units the forward pass dropped.
        const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => tf.sum(tf.mul(gpuDropout(v, 0.3), tf.range(0, 4000))))(x);
        out = [a, b, grad, value.reshape([1])];
      } finally {
        setDropoutSeed(null);
      }
      const read = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
      tf.dispose([...out, seedT]);
      return read;
    };
    const [a, b] = await run(12345);
    const kept = a.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(1 - kept.length / 4000 - 0.3)).toBeLessThan(0.03);
    expect(a.some((v, i) => (v === 0) !== (b[i] === 0))).toBe(true); // a second call draws another mask
    const [a2] = await run(12345);
    expect(Array.from(a2)).toEqual(Array.from(a)); // same seed and call: same mask
    const [, , g, value] = await run(777);
    expect(g.every((v, i) => v === 0 || Math.abs(v - i / 0.7) < 1e-3 * Math.max(1, i))).toBe(true);
    expect(g.filter((v) => v === 0).length).toBeGreaterThan(1000);
    expect(Math.abs(g.reduce((p, v) => p + v, 0) - value[0]) / value[0]).toBeLessThan(1e-5);
    expect(Array.from((await run(778))[0])).not.toEqual(Array.from((await run(777))[0])); // another seed, another mask
    x.dispose();
  });
});
