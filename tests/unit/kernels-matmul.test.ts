// The register-blocked matmul on webgpu (kernels/matmul.ts) against TF.js's own webgpu kernels (the switch off),
// in Node (Dawn + SwiftShader): values and gradients (tf.grads through tf.matMul: dA = dY B^T, dB = A^T dY, so
// the transposed layouts run too), every transpose combination, M, N, K off the tile sizes and K under one K-tile,
// both tiles (128x128 and 64x64), batches (broadcast either way), split K (weight-gradient shapes), the bias epilogue
// with and without split K, and one shape picked by the default rule (the others lower its threshold to 0).
// Shown to fail: with the load's `gk < kEnd` check dropped (K edges and split K: rel. err 0.03-0.92), with
// `b % uniforms.batchB` replaced by `b` (broadcast batch: rel. err 1.01), with the split-K partial buffer not disposed
// (GPU bytes grow by 19,200), and with the stores' column offset `tx + 16j` written as `tx + 8j` (rel. err 1.04, 1.37).
import type { Tensor } from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIN_MACS, fastMatMulRuns, installWebGPUMatMul, planMatMul, setFastMatMul } from '../../src/engine/kernels/matmul';
import { useBackend } from './helpers/backend';
import { relErr } from './helpers/relErr';

const tf = await useBackend('webgpu');
installWebGPUMatMul();

const gpuBytes = () => (tf.memory() as unknown as { numBytesInGPU: number }).numBytesInGPU;

/** f's outputs with this kernel (threshold `min`) and with TF.js's, plus how many matmuls this kernel ran. */
async function both(f: () => Tensor[], min = 0): Promise<{ fast: Float32Array[]; tfjs: Float32Array[]; runs: number }> {
  const read = async (ts: Tensor[]) => {
    const out = await Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(ts);
    return out;
  };
  await read(tf.tidy(f)); // warm-up: pipelines and pooled buffers made once are not a leak
  const before = tf.memory().numTensors;
  const bytes = gpuBytes();
  const runs0 = fastMatMulRuns();
  setFastMatMul(true, min);
  const fastT = tf.tidy(f);
  const runs = fastMatMulRuns() - runs0;
  setFastMatMul(false);
  const tfjsT = tf.tidy(f);
  expect(fastT.map((t) => t.shape)).toEqual(tfjsT.map((t) => t.shape));
  const fast = await read(fastT);
  const tfjs = await read(tfjsT);
  expect(tf.memory().numTensors).toBe(before);
  expect(gpuBytes()).toBe(bytes);
  return { fast, tfjs, runs };
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** The product and both gradients of sum(matMul(a, b) * r): three matmuls of three layouts. */
function productAndGrads(aShape: number[], bShape: number[], ta: boolean, tb: boolean): () => Tensor[] {
  return () => {
    const a = rand(aShape, 1);
    const b = rand(bShape, 2);
    const y = tf.matMul(a, b, ta, tb);
    const r = rand(y.shape, 3);
    const grads = tf.grads((x: Tensor, w: Tensor) => tf.sum(tf.mul(tf.matMul(x, w, ta, tb), r)))([a, b]);
    return [y, ...grads];
  };
}

afterEach(() => setFastMatMul(true));

describe('webgpu matmul (register-blocked tiles), against TF.js kernels', () => {
  // name, A shape, B shape (as stored: transposed ones are [.., K, M] / [.., N, K]), transposeA, transposeB
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['plain, all dims off the 64 tile, K under a K-tile', [70, 5], [5, 50], false, false],
    ['A transposed', [37, 150], [37, 140], true, false],
    ['B transposed', [130, 37], [67, 37], false, true],
    ['both transposed', [37, 67], [130, 37], true, true],
    ['a batch of 2', [2, 70, 33], [2, 33, 50], false, false],
    ['split K (a weight gradient: small output, long K)', [20, 1100], [1100, 30], false, false],
  ];
  for (const [name, aShape, bShape, ta, tb] of cases) {
    it(name, async () => {
      const { fast, tfjs, runs } = await both(productAndGrads(aShape, bShape, ta, tb));
      expect(runs).toBe(4); // the product (twice: once more under tf.grads) and both gradients ran here, not in TF.js
      for (let i = 0; i < 3; i++) {
        expect(relErr(fast[i], tfjs[i])).toBeLessThanOrEqual(1e-5);
        expect(fast[i].some((v) => v !== 0)).toBe(true);
      }
    });
  }

  // M 250, K 203, N 253: every product and gradient on the 128x128 tile, none a multiple of it.
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`128x128 tile, transposeA ${ta}, transposeB ${tb}`, async () => {
      expect(planMatMul(1, 250, 253, 203).tile.bm).toBe(128);
      expect(planMatMul(1, 250, 203, 253).tile.bm).toBe(128);
      expect(planMatMul(1, 203, 253, 250).tile.bm).toBe(128);
      const { fast, tfjs, runs } = await both(productAndGrads(ta ? [203, 250] : [250, 203], tb ? [253, 203] : [203, 253], ta, tb));
      expect(runs).toBe(4);
      for (let i = 0; i < 3; i++) expect(relErr(fast[i], tfjs[i])).toBeLessThanOrEqual(1e-5);
    });
  }

  // TF.js's own BatchMatMul gradient does not reduce a broadcast batch (it throws), so these compare values only.
  for (const [name, aShape, bShape, tb] of [
    ['a batch of 3 against one B', [3, 70, 33], [33, 50], false],
    ['one A against a batch of 2, B transposed', [20, 9], [2, 31, 9], true],
  ] as const) {
    it(`broadcast batch: ${name}`, async () => {
      const { fast, tfjs, runs } = await both(() => [tf.matMul(rand([...aShape], 1), rand([...bShape], 2), false, tb)]);
      expect(runs).toBe(1);
      expect(relErr(fast[0], tfjs[0])).toBeLessThanOrEqual(1e-5);
    });
  }

  it('plans both tiles and a split where the output is small and K long', () => {
    expect(planMatMul(1, 70656, 384, 128)).toMatchObject({ tile: { bm: 128 }, splits: 1 });
    expect(planMatMul(1, 17664, 192, 64)).toMatchObject({ tile: { bm: 64 }, splits: 1 });
    const dW = planMatMul(1, 128, 384, 70656); // X^T dY of the large config's QKV projection
    expect(dW.splits).toBeGreaterThan(100);
    expect(dW.kChunk * dW.splits).toBeGreaterThanOrEqual(70656);
    expect(dW.kChunk * (dW.splits - 1)).toBeLessThan(70656); // no empty chunk
    expect(planMatMul(1, 20, 30, 1100)).toMatchObject({ splits: 4, kChunk: 288 });
  });

  it('adds a bias in the epilogue (tf.fused.matMul), with and without split K', async () => {
    for (const [m, k, n] of [
      [70, 40, 90],
      [20, 1100, 30],
    ]) {
      const { fast, tfjs, runs } = await both(() => [tf.fused.matMul({ a: rand([m, k], 4), b: rand([k, n], 5), bias: rand([n], 6) })]);
      expect(runs).toBe(1);
      expect(relErr(fast[0], tfjs[0])).toBeLessThanOrEqual(1e-5);
    }
  });

  it('takes the default rule: a [4100 x 130] x [130 x 70] product and its gradients here, a small one in TF.js', async () => {
    expect(4100 * 130 * 70).toBeGreaterThanOrEqual(DEFAULT_MIN_MACS);
    const { fast, tfjs, runs } = await both(productAndGrads([4100, 130], [130, 70], false, false), DEFAULT_MIN_MACS);
    expect(runs).toBe(4);
    for (let i = 0; i < 3; i++) expect(relErr(fast[i], tfjs[i])).toBeLessThanOrEqual(1e-5);
    const small = await both(() => [tf.matMul(rand([64, 64], 7), rand([64, 64], 8))], DEFAULT_MIN_MACS);
    expect(small.runs).toBe(0);
  });
});
