// Each fused WebGPU kernel (src/engine/kernels/) against the plain TF.js ops it replaces, both on webgpu in Node
// (Dawn + SwiftShader): the value and the gradient of every input agree to a relative error <= 1e-4
// (max |fused - plain| / max |plain| per tensor), on odd shapes (widths over the workgroup, rows not a multiple
// of anything, per-task parameter rows).
// Shown to fail: LayerNorm's dx without its `- ma` term (rel. errors 0.03-0.4), its forward without `+ eps` (the
// d = 1 case), SiLU's gradient with `s` for `(1 - s)` (10-20), and the loss's InfoNCE gradient without `/ T` (0.93).
import type { Scalar, Tensor, Tensor1D, Tensor3D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedLayerNorm } from '../../src/engine/kernels/layerNorm';
import { fusedSiLU } from '../../src/engine/kernels/silu';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { act, layerNorm } from '../../src/engine/model/layers';
import { mulberry32 } from '../../src/engine/data/rng';
import { FlatAdam } from '../../src/engine/train/flatAdam';
import { rankingLoss } from '../../src/engine/train/loss';
import { useBackend } from './helpers/backend';
import { relErr } from './helpers/relErr';

const tf = await useBackend('webgpu');

function seeded(shape: number[], seed: number, scale = 1, shift = 0): Tensor {
  return tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale), shift));
}

/** Value and gradients of sum(f(inputs) * r) for a fixed random r: [value, ...grads] as arrays. */
async function valueAndGrads(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Promise<Float32Array[]> {
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => {
    const y = f(...inputs);
    const r = seeded(y.shape, 99);
    const grads = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
    return [y, ...grads];
  });
  const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

async function expectSame(fused: (...xs: Tensor[]) => Tensor, plain: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) {
  const a = await valueAndGrads(fused, inputs);
  setFusedKernels(false);
  let b: Float32Array[];
  try {
    b = await valueAndGrads(plain, inputs);
  } finally {
    setFusedKernels(true);
  }
  const errors = a.map((x, i) => relErr(x, b[i]));
  for (const x of a) expect(Array.from(x).every(Number.isFinite)).toBe(true);
  expect(Math.max(...errors), `relative errors [value, grads...]: ${errors.map((e) => e.toExponential(1)).join(', ')}`).toBeLessThanOrEqual(1e-4);
}

describe('fused kernels = plain TF.js ops on webgpu (values and gradients)', () => {
  const lnShapes: [number[], number[]][] = [
    [[3, 5, 7], [7]], // d under one workgroup, 15 rows
    [[2, 3, 130], [3, 130]], // d over the workgroup (64), per-task [K, d] parameters
    [[37, 64], [64]],
    [[2, 1], [1]], // d = 1: the row is its own mean
  ];
  for (const [xShape, gShape] of lnShapes) {
    it(`LayerNorm x [${xShape}] g [${gShape}]`, async () => {
      const x = seeded(xShape, 1, 2, 0.5);
      const g = seeded(gShape, 2, 0.3, 1);
      const b = seeded(gShape, 3, 0.3);
      await expectSame(
        (xi, gi, bi) => fusedLayerNorm(xi, gi, bi, 1e-5),
        (xi, gi, bi) => layerNorm(xi, { g: gi, b: bi } as unknown as Parameters<typeof layerNorm>[1]),
        [x, g, b],
      );
      tf.dispose([x, g, b]);
    });
  }

  for (const shape of [[5, 13], [3, 7, 111]]) {
    it(`SiLU [${shape}] (values up to |x| = 40)`, async () => {
      const x = seeded(shape, 4, 12);
      await expectSame((xi) => fusedSiLU(xi), (xi) => act(xi), [x]);
      x.dispose();
    });
  }

  for (const [B, N, K] of [
    [7, 5, 3],
    [70, 12, 2], // more requests than the workgroup (64)
  ]) {
    it(`ranking loss (total, BCE, InfoNCE) over [${B}, ${N}, ${K}] with padded candidates and one-class requests`, async () => {
      // Request 0 has no positive, request 1 only positives, the last has one real candidate: none is usable.
      const rng = mulberry32(5);
      const labels = Float32Array.from({ length: B * N * K }, () => (rng() < 0.3 ? 1 : 0));
      const mask = Float32Array.from({ length: B * N }, () => (rng() < 0.8 ? 1 : 0));
      for (let n = 0; n < N; n++) {
        mask[(B - 1) * N + n] = n === 0 ? 1 : 0;
        for (let k = 0; k < K; k++) {
          labels[n * K + k] = 0;
          labels[(N + n) * K + k] = 1;
        }
      }
      const y = tf.tensor3d(labels, [B, N, K]);
      const m = tf.tensor2d(mask, [B, N]);
      const logits = seeded([B, N, K], 7, 3);
      const T = tf.scalar(0.07);
      const weights = { taskWeights: Array.from({ length: K }, (_, k) => 1 + k / 2), alpha: 0.3 };
      const parts = (x: Tensor, t: Tensor) => {
        const p = rankingLoss(x as Tensor3D, y, m, t as Scalar, weights);
        return tf.concat([p.total.reshape([1]), p.bce, p.infoNce]);
      };
      await expectSame(parts, parts, [logits, T]);
      tf.dispose([y, m, logits, T]);
    });
  }

  // Shown to fail: without dropping the cached CPU copy after the in-place write, the second read saw stale values.
  it('FlatAdam writes its moments and each variable in place: the values of the plain ops, reads stay fresh, a clone keeps its own', async () => {
    const shapes = [[3, 70], [5], [2, 2, 3], [1], [130, 3], [7]]; // two programs: four variables, then two
    const make = (tag: string) =>
      shapes.map((shape, i) => {
        const init = seeded(shape, 20 + i);
        const v = tf.variable(init, true, `inplace_${tag}_${i}`);
        init.dispose(); // the variable alone holds its data: refCount 1, so it may be written in place
        return v;
      });
    const [fused, plain] = [make('fused'), make('plain')];
    const grads = shapes.map((shape, i) => seeded(shape, 40 + i, 0.5));
    const flat = tf.concat(grads.map((g) => g.reshape([-1]))) as Tensor1D;
    const [adamF, adamP] = [new FlatAdam(fused, 0.1), new FlatAdam(plain, 0.1)];
    const read = (vs: Tensor[]) => Promise.all(vs.map(async (v) => (await v.data()) as Float32Array));
    const step = (adam: FlatAdam, on: boolean) => {
      setFusedKernels(on);
      try {
        tf.tidy(() => adam.apply(flat, 1, tf.scalar(true, 'bool')));
      } finally {
        setFusedKernels(true);
      }
    };
    const compare = async () => {
      const [a, b] = [await read(fused), await read(plain)];
      // 1e-5: the in-place moments round in another order than the plain ops (measured 1.1e-6 after two steps).
      for (let i = 0; i < a.length; i++) expect(relErr(a[i], b[i])).toBeLessThanOrEqual(1e-5);
    };
    const ids = fused.map((v) => v.dataId);
    step(adamF, true);
    step(adamP, false);
    expect(fused.map((v) => v.dataId)).toEqual(ids); // written in place, not assigned
    await compare(); // the read caches the values on the CPU ...
    step(adamF, true);
    step(adamP, false);
    await compare(); // ... and the next in-place step must not leave that copy stale
    const kept = fused[0].clone(); // shared data: the whole update falls back to slice + subtract
    const keptBefore = Array.from(await kept.data());
    step(adamF, true);
    step(adamP, false);
    expect(Array.from(await kept.data())).toEqual(keptBefore);
    await compare();
    tf.dispose([kept, flat, ...grads, ...fused, ...plain]);
    adamF.dispose();
    adamP.dispose();
  });
});
