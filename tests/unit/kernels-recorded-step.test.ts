// The recorded step (kernels/recordedStep.ts) against TF.js's own step, on WebGPU in Node (SwiftShader): same
// losses, same weights, reads of the weights that stay fresh, no tensor growth, a new recording after new weights,
// and TF.js's path kept where a step draws per-step data on the CPU (dropout).
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

  it('keeps TF.js for a step with CPU-drawn dropout masks, saying why', async () => {
    const t = make({ recordStep: true, dropout: 0.2 });
    for (let i = 0; i < 6; i++) await t.trainStep();
    expect(t.recordedStep.dispatches).toBe(0);
    expect(t.recordedStep.refusal).toMatch(/differ/);
    t.dispose();
  });
});
