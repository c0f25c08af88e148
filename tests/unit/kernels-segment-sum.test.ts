// The embedding gradient's scatter-add on webgpu (kernels/segmentSum.ts) against TF.js's own webgpu
// UnsortedSegmentSum (the fused switch off), on webgpu in Node (Dawn + SwiftShader): repeated ids (all rows on one
// id, the worst case for the atomics), a negative id (dropped), exact-zero rows (skipped), inner dims wider than a
// workgroup, 2-D ids, and the gradient of tf.gather through a whole embedding lookup. (Ids >= numSegments are
// dropped here, as in TF and the cpu/wasm kernels; TF.js's webgpu kernel wraps them, id % numSegments, so the
// two are compared on in-range ids.)
// Shown to fail: with `index / uniforms.inner` replaced by `index % uniforms.inner` (rows mixed up; rel. err ~1),
// and with the out-of-range check dropped (the drop test: rel. err 0.85).
import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { installWebGPUSegmentSum } from '../../src/engine/kernels/segmentSum';
import { scatterAdd } from '../../src/engine/train/fastKernels';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { useBackend } from './helpers/backend';
import { relErr } from './helpers/relErr';

const tf = await useBackend('webgpu');
installWebGPUSegmentSum();

async function both(f: () => Tensor): Promise<[Float32Array, Float32Array]> {
  const before = tf.memory().numTensors;
  const fused = tf.tidy(f);
  setFusedKernels(false);
  let plain: Tensor;
  try {
    plain = tf.tidy(f);
  } finally {
    setFusedKernels(true);
  }
  const out: [Float32Array, Float32Array] = [(await fused.data()) as Float32Array, (await plain.data()) as Float32Array];
  expect(fused.shape).toEqual(plain.shape);
  tf.dispose([fused, plain]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

const cases: [string, number[], number[], number][] = [
  // name, ids, x shape, numSegments
  ['repeats and a negative id', [3, 0, 3, 3, -1, 7, 1, 3, 5, 0], [10, 5], 8],
  ['every row on one id', Array(300).fill(2), [300, 3], 4],
  ['inner wider than a workgroup', [0, 1, 1, 2, 0], [5, 130], 3],
];

describe('webgpu UnsortedSegmentSum (scatter-add, consecutive threads on consecutive columns)', () => {
  for (const [name, ids, shape, numSegments] of cases) {
    it(name, async () => {
      const [a, b] = await both(() => {
        let x = tf.randomNormal(shape, 0, 1, 'float32', 5);
        if (shape[0] > 2) x = tf.mul(x, tf.tensor1d(ids.map((_, i) => (i % 3 === 1 ? 0 : 1))).reshape([shape[0], ...shape.slice(1).map(() => 1)]));
        return tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), numSegments);
      });
      expect(relErr(a, b)).toBeLessThanOrEqual(1e-5);
      expect(Array.from(a).some((v) => v !== 0)).toBe(true);
    });
  }

  it('drops ids outside [0, numSegments), as TF and the cpu/wasm loop do', async () => {
    const ids = [2, -1, 9, 2, 8, 0, -7];
    const x = tf.randomNormal([7, 4], 0, 1, 'float32', 8);
    const got = tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), 8);
    const want = new Float32Array(8 * 4);
    scatterAdd(await x.data(), ids, 8, want);
    expect(relErr((await got.data()) as Float32Array, want)).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, got]);
  });

  it('2-D ids and inner dims (the gradient of an embedding lookup)', async () => {
    const table = tf.variable(tf.randomNormal([11, 6], 0, 1, 'float32', 3));
    const ids = tf.tensor2d([[1, 0, 4, 4], [10, 4, 0, 2], [4, 4, 4, 7]], [3, 4], 'int32');
    const [a, b] = await both(() => {
      const r = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 9);
      return tf.grad((t: Tensor) => tf.sum(tf.mul(tf.gather(t, ids), r)))(table);
    });
    tf.dispose([table, ids]);
    expect(relErr(a, b)).toBeLessThanOrEqual(1e-5);
    expect(a.slice(4 * 6, 5 * 6).some((v) => v !== 0)).toBe(true); // id 4, used six times
  });
});
