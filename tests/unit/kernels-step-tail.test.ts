// The end of a training step on webgpu (kernels/stepTail.ts): the gradient's sum of squares, the step's scalars and
// Adam's device scalars in one vector, on WebGPU in Node (SwiftShader), against the same values worked out here and
// against the plain TF.js path of the trainer (the fused switch off).
// Shown to fail: `ok` always 1 (`select(0.0, 1.0, true)`: the NaN-step test's weights turned NaN and the ok cases
// failed); no clipping (`select(1.0, clip / norm, false)`: the clip cases); Adam reading its scalars at 0, not at
// adamScalarsAt (trainer: `applyWithAux(flat, scalars, 0)`: the step-2 losses 1,600x apart).
import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamScalarsAt, stepScalars, stepScalarsLength, sumOfSquares } from '../../src/engine/kernels/stepTail';
import { Trainer, TrainingFault } from '../../src/engine/train/trainer';
import type { Config } from '../../src/engine/config';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';

const tf = await useBackend('webgpu');

describe('the step tail on webgpu', () => {
  for (const n of [1, 1000, 216_455]) {
    it(`sums the squares of ${n} values`, async () => {
      const x = tf.randomNormal([n], 0, 1, 'float32', n);
      const got = sumOfSquares(x);
      const want = Array.from(await x.data()).reduce((s, v) => s + v * v, 0);
      expect(Math.abs((await got.data())[0] - want) / want).toBeLessThan(1e-5);
      tf.dispose([x, got]);
    });
  }

  // [the gradient's sum of squares, clip, a NaN or Inf planted at (name, index) or none] -> the vector
  const cases: [string, number, number, [string, number, number] | null][] = [
    ['clips a norm over the bound', 16, 2, null],
    ['keeps a norm under the bound', 1, 2, null],
    ['clip 0: no clipping', 400, 0, null],
    ['norm 0: factor 1, no division by zero', 0, 1, null],
    ['a NaN BCE: not ok', 4, 1, ['bce', 1, NaN]],
    ['an infinite InfoNCE: not ok', 4, 1, ['infoNce', 0, Infinity]],
    ['a NaN loss: not ok', 4, 1, ['value', 0, NaN]],
    ['an infinite gradient: not ok', Infinity, 1, null],
    ['a NaN temperature: not ok', 4, 1, ['temperature', 0, NaN]],
    // The latch: a bad step before this one (not yet cleared by the CPU) holds every later step back.
    ['a set latch: not ok, though every scalar is finite', 4, 1, ['latch', 0, 1]],
    ['a set latch and a NaN: not ok, the latch stays set', 4, 1, ['latch', 0, 1]],
  ];
  for (const [name, sumSq, clip, planted] of cases) {
    it(name, async () => {
      const K = 3;
      const host: Record<string, number[]> = { value: [0.7], bce: [0.1, 0.2, 0.3], infoNce: [1.1, 1.2, 1.3], sumSq: [sumSq], temperature: [0.5], hyper: [0.01, 1.5], latch: [0] };
      if (planted) host[planted[0]][planted[1]] = planted[2];
      if (name.includes('and a NaN')) host.bce[0] = NaN;
      const latched = host.latch[0] !== 0;
      const parts = Object.fromEntries(Object.entries(host).map(([k, v]) => [k, tf.tensor1d(v)])) as unknown as Parameters<typeof stepScalars>[0];
      const out = stepScalars(parts, clip);
      const got = Array.from(await out.data());
      const norm = Math.sqrt(sumSq);
      const scale = clip > 0 && norm > clip ? clip / norm : 1;
      const finite = [...host.value, ...host.bce, ...host.infoNce, norm, ...host.temperature].every(Number.isFinite);
      const want = [...host.value, ...host.bce, ...host.infoNce, norm, ...host.temperature, scale, finite && !latched ? 1 : 0, ...host.hyper];
      // A bad step sets the latch; only the CPU clears it.
      expect(Array.from(await parts.latch.data())).toEqual([finite && !latched ? 0 : 1]);
      expect(got.length).toBe(stepScalarsLength(K));
      expect(adamScalarsAt(K)).toBe(3 + 2 * K);
      got.forEach((v, i) => (Number.isNaN(want[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(want[i], 6)));
      tf.dispose([out, ...(Object.values(parts) as Tensor[])]);
    });
  }

  const make = (ds: ReturnType<typeof smallShop>, o: Partial<Config>) => Trainer.create(ds, tinyTrainConfig(ds, { d: 8, evalEvery: 1000, ...o }));

  it("the trainer's fused tail follows the plain one (losses, gradient norms) with clipping on", async () => {
    const ds = smallShop();
    // clipNorm 0.05 clips every step here (norms 0.3-2), so a wrong clip factor shows.
    const [fused, plain] = [make(ds, { fused: true, recordStep: false, clipNorm: 0.05, dropout: 0 }), make(ds, { fused: false, clipNorm: 0.05, dropout: 0 })];
    for (let step = 1; step <= 6; step++) {
      const [a, b] = [await fused.trainStep(), await plain.trainStep()];
      expect(b.gradNorm, 'the bound clips').toBeGreaterThan(0.05);
      expect(Math.abs(a.loss - b.loss) / b.loss, `step ${step} loss`).toBeLessThan(1e-3);
      expect(Math.abs(a.gradNorm - b.gradNorm) / b.gradNorm, `step ${step} gradient norm`).toBeLessThan(1e-3);
      expect(Math.abs(a.temperature - b.temperature)).toBeLessThan(1e-5);
    }
    fused.dispose();
    plain.dispose();
  });

  for (const recordStep of [false, true]) {
    it(`a NaN loss on webgpu (${recordStep ? 'a replayed' : "TF.js's"} step) leaves the weights exactly as they were`, async () => {
      const ds = smallShop();
      const trainer = make(ds, { recordStep });
      for (let i = 0; i < 4; i++) await trainer.trainStep();
      expect(trainer.recordedStep.dispatches > 0).toBe(recordStep);
      const good = await Promise.all(trainer.model.variables.map(async (v) => Array.from((await v.data()) as Float32Array)));
      const K = ds.tasks.length;
      const labels = ds.labels.slice();
      for (let j = 1; j < ds.labels.length; j += K) ds.labels[j] = NaN;
      await expect(trainer.trainStep()).rejects.toBeInstanceOf(TrainingFault);
      const weights = () => Promise.all(trainer.model.variables.map(async (v) => Array.from((await v.data()) as Float32Array)));
      expect(await weights()).toEqual(good);
      // The bad step set the device latch and the trainer cleared it: the next good step updates again (a latch
      // left set froze the weights for good; shown by not clearing it).
      ds.labels.set(labels);
      await trainer.trainStep();
      expect(await weights()).not.toEqual(good);
      trainer.dispose();
    });
  }
});
