// The scatter-add UnsortedSegmentSum registered for cpu and wasm (train/fastKernels.ts) against TF.js's own cpu
// kernel (captured before ours replaces it) and a plain loop: repeated ids, ids out of range (dropped), inner
// dimensions, an empty batch; and the embedding gradient it exists for (tf.gather's backward) on both backends.
// Shown to fail: `out[to + j] = x[from + j]` (assign instead of add) in scatterAdd fails the cpu and wasm tests.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { installFastKernels } from '../../src/engine/train/fastKernels';
import { useBackend } from './helpers/backend';

interface Case {
  name: string;
  x: number[];
  shape: number[];
  ids: number[];
  segments: number;
}
const CASES: Case[] = [
  { name: 'repeated ids, rows of 3', x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], shape: [4, 3], ids: [2, 0, 2, 2], segments: 4 },
  { name: '1-D, ids out of range dropped', x: [1, 10, 100, 1000, 10000], shape: [5], ids: [1, -1, 3, 7, 1], segments: 4 },
  { name: 'ids over two dimensions, inner 2', x: Array.from({ length: 12 }, (_, i) => i * 0.5 - 2), shape: [2, 3, 2], ids: [0, 1, 0, 4, 4, 1], segments: 5 },
  { name: 'empty batch', x: [], shape: [0, 2], ids: [], segments: 3 },
];

const idShape = (c: Case): number[] => (c.shape.length === 3 ? [2, 3] : [c.ids.length]);

/** The definition, as a loop over plain arrays. */
function loop(c: Case): number[] {
  const inner = c.shape.slice(idShape(c).length).reduce((a, b) => a * b, 1);
  const out = new Array<number>(c.segments * inner).fill(0);
  c.ids.forEach((s, i) => {
    if (s < 0 || s >= c.segments) return;
    for (let j = 0; j < inner; j++) out[s * inner + j] += c.x[i * inner + j];
  });
  return out;
}

const run = async (c: Case) => {
  const ids: tf.Tensor = tf.tensor(c.ids, idShape(c), 'int32'); // 2-D ids too: TF.js types them as 1-D only
  const out = tf.unsortedSegmentSum(tf.tensor(c.x, c.shape), ids as tf.Tensor1D, c.segments);
  const v = Array.from(await out.data());
  out.dispose();
  return v;
};

/** The gradient an embedding table gets from a lookup with repeated ids (sum of the upstream rows per id). */
const embeddingGrad = async () => {
  const table = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const ids = tf.tensor1d([3, 1, 3, 0, 3], 'int32');
  const up = tf.tensor2d([[1, 0], [0, 1], [2, 2], [0.5, 0.5], [-1, 3]]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), up)))(table);
  const v = Array.from(await g.data());
  tf.dispose([table, ids, up, g]);
  return v;
};

// TF.js's own cpu kernel, before ours is installed (setNodeBackend installs ours, so not through useBackend yet).
await tf.setBackend('cpu');
expect(tf.getKernel('UnsortedSegmentSum', 'cpu')?.kernelFunc.name).not.toBe('cpuSegmentSum');
// TF.js's kernel takes 1-D ids only (tf.gather's backward flattens them); the 2-D case is checked against the loop.
const comparable = CASES.filter((c) => c.ids.length > 0 && idShape(c).length === 1);
const reference = await Promise.all(comparable.map(run));
const referenceGrad = await embeddingGrad();
installFastKernels();
expect(tf.getKernel('UnsortedSegmentSum', 'cpu')?.kernelFunc.name).toBe('cpuSegmentSum');

describe('scatter-add UnsortedSegmentSum', () => {
  it('TF.js\u2019s own cpu kernel agrees with the plain loop (so it is a fair reference)', () => {
    comparable.forEach((c, i) => expect(reference[i], c.name).toEqual(loop(c)));
    expect(referenceGrad).toEqual([0.5, 0.5, 0, 1, 0, 0, 2, 5]); // by hand: row 3 gets up[0] + up[2] + up[4]
  });
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: every case equals TF.js\u2019s cpu kernel and the loop; the embedding gradient too`, async () => {
      await useBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      for (const c of CASES) {
        expect(await run(c), `${backend} ${c.name}`).toEqual(loop(c));
      }
      for (let i = 0; i < comparable.length; i++) expect(await run(comparable[i])).toEqual(reference[i]);
      expect(await embeddingGrad()).toEqual(referenceGrad);
    });
  }
});
