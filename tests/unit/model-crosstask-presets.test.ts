// ONERANK.md sections 4 and 5 through the whole model, forward and backward, for every cross-task mask preset and a
// per-edge detachment matrix: which task reads which (the captured cross-task attention is exactly 0 where A is 0)
// and whose loss reaches which channel h_j (the gradient is exactly 0 where there is no edge or the edge is
// detached, non-zero otherwise). The expected tables are written by hand from the edge lists, not computed by
// model/mask.ts. Shown to fail: making `pick` in crossTask.ts always take the live copy (ignore D) fails the four
// detach-on and per-edge cases.
import type { Tensor, Tensor3D, Tensor4D, TensorContainer } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchToTensors, buildOneRank, disposeBatch } from '../../src/engine/model';
import { useBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { randomizeWeights } from './helpers/weights';

const tf = await useBackend('cpu');
const K = 3;
const meta = tinyMeta({ tasks: K, maxCandidates: 3, historyLen: 3 });
const batch = randomBatch(meta, 4, { seed: 11, minCandidates: 1 });

interface Case {
  name: string;
  set: Record<string, string | boolean>;
  /** A[k][j] = 1: task k reads task j (row = reader). */
  reads: number[][];
  /** Task k's loss reaches h_j (a live edge, or j = k). */
  reaches: number[][];
}

const I = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
const ALL = [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
const CASCADE = [[1, 0, 0], [1, 1, 0], [1, 1, 1]]; // order reads cart reads click
const CUSTOM = [[1, 0, 1], [1, 1, 0], [0, 1, 1]]; // '001;100;010' with the diagonal forced on

const CASES: Case[] = [
  { name: 'parallel', set: { crossTaskMask: 'parallel', detach: false }, reads: I, reaches: I },
  { name: 'full, detach off', set: { crossTaskMask: 'full', detach: false }, reads: ALL, reaches: ALL },
  { name: 'full, detach on', set: { crossTaskMask: 'full', detach: true }, reads: ALL, reaches: I },
  { name: 'cascade, detach off', set: { crossTaskMask: 'cascade', detach: false }, reads: CASCADE, reaches: CASCADE },
  { name: 'cascade, detach on', set: { crossTaskMask: 'cascade', detach: true }, reads: CASCADE, reaches: I },
  { name: 'custom, detach off', set: { crossTaskMask: 'custom', customTaskMask: '001;100;010', detach: false }, reads: CUSTOM, reaches: CUSTOM },
  // Per edge: click->cart and order->click detached, every other edge live (the diagonal is never detached).
  {
    name: 'full, per-edge detachment',
    set: { crossTaskMask: 'full', detachEdges: '011;000;100', detach: false },
    reads: ALL,
    reaches: [[1, 0, 0], [1, 1, 1], [0, 1, 1]],
  },
  // Edges that do not exist stay silent whatever D says; a detached existing edge is silent too.
  {
    name: 'cascade, per-edge detachment',
    set: { crossTaskMask: 'cascade', detachEdges: '011;100;010', detach: false },
    reads: CASCADE,
    reaches: [[1, 0, 0], [0, 1, 0], [1, 0, 1]],
  },
];

async function measure(c: Case) {
  const model = buildOneRank(tinyConfig(meta, { ...(c.set as object), seed: 5 }), meta);
  randomizeWeights(model.variables, 3);
  const bt = batchToTensors(batch, meta);
  const B = bt.B;
  const d = model.config.d;
  const taskLoss = (logits: Tensor3D, k: number) => tf.sum(tf.mul(logits.slice([0, 0, k], [B, -1, 1]).squeeze([2]), bt.candMask));
  const grads: number[][][][] = [];
  for (let k = 0; k < K; k++) {
    const g = tf.grad((tap: Tensor) => taskLoss(model.forward(bt, { training: false, channelTap: tap as Tensor3D }).logits, k))(tf.zeros([B, K, d]));
    grads.push((await g.array()) as number[][][]);
    g.dispose();
  }
  const out = model.forward(bt, { training: false, capture: true });
  const map = (await (out.attention!.crossTask as Tensor4D).array()) as number[][][][]; // [B, heads, K, K]
  const logits = Array.from(await out.logits.data());
  tf.dispose(out as unknown as TensorContainer); // logits and every captured map
  disposeBatch(bt);
  model.dispose();
  return { grads, map, logits };
}

const norm = (g: number[][][], j: number) => Math.sqrt(g.reduce((a, row) => a + row[j].reduce((s, x) => s + x * x, 0), 0));

describe('cross-task presets through the model, forward and backward', () => {
  for (const c of CASES) {
    it(`${c.name}: who reads whom (forward) and whose loss reaches which channel (backward)`, async () => {
      const { grads, map } = await measure(c);
      for (const perHead of map)
        for (const head of perHead)
          for (let k = 0; k < K; k++)
            for (let j = 0; j < K; j++) {
              if (c.reads[k][j]) expect(head[k][j], `${k} reads ${j}`).toBeGreaterThan(0);
              else expect(head[k][j], `${k} must not read ${j}`).toBe(0);
            }
      for (let k = 0; k < K; k++)
        for (let j = 0; j < K; j++) {
          if (c.reaches[k][j]) expect(norm(grads[k], j), `loss ${k} -> h_${j}`).toBeGreaterThan(1e-6);
          else expect(grads[k].every((row) => row[j].every((x) => x === 0)), `loss ${k} -> h_${j} must be exactly 0`).toBe(true);
        }
    });
  }

  it('detachment never changes the forward pass (per-edge or all), for every preset', async () => {
    for (const preset of ['full', 'cascade']) {
      const on = await measure({ name: '', set: { crossTaskMask: preset, detach: true }, reads: I, reaches: I });
      const off = await measure({ name: '', set: { crossTaskMask: preset, detach: false }, reads: I, reaches: I });
      const edges = await measure({ name: '', set: { crossTaskMask: preset, detach: false, detachEdges: '010;001;100' }, reads: I, reaches: I });
      expect(on.logits).toEqual(off.logits);
      expect(edges.logits).toEqual(off.logits);
    }
  });
});
