// ONERANK.md section 5's three testable facts, numerically, through ForwardOptions.channelTap.
import type { Scalar, Tensor, Tensor3D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchToTensors, buildOneRank, disposeBatch, stableName } from '../../src/engine/model';
import { useBackend as selectBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { awake } from './helpers/awake';

const tf = await selectBackend('cpu');
const meta = tinyMeta({ tasks: 3, maxCandidates: 3, historyLen: 3 });
const batch = randomBatch(meta, 4, { seed: 3, minCandidates: 2 });
const K = 3;

function build(detach: boolean) {
  // 'full' so that every task reads every other one: all off-diagonal edges exist.
  return awake(buildOneRank(tinyConfig(meta, { crossTaskMask: 'full', detach, seed: 5 }), meta));
}

/** d(loss of task k)/d(tap) [B, K, d] for each k, the logits, and the total-loss gradients of the variables. */
async function probe(detach: boolean) {
  const model = build(detach);
  const bt = batchToTensors(batch, meta);
  const [B, d] = [bt.B, model.config.d];
  const taskLoss = (logits: Tensor3D, k: number) => tf.sum(tf.mul(logits.slice([0, 0, k], [B, -1, 1]).squeeze([2]), bt.candMask));
  const tapGrads: number[][][][] = [];
  for (let k = 0; k < K; k++) {
    const g = tf.grad((tap: Tensor) => taskLoss(model.forward(bt, { training: false, channelTap: tap as Tensor3D }).logits, k));
    const gk = g(tf.zeros([B, K, d]));
    tapGrads.push((await gk.array()) as number[][][]);
    gk.dispose();
  }
  const logits = model.forward(bt, { training: false }).logits;
  const logitValues = Array.from(await logits.data());
  logits.dispose();
  const { value, grads } = tf.variableGrads(() => {
    const l = model.forward(bt, { training: false }).logits;
    return tf.add(tf.add(taskLoss(l, 0), taskLoss(l, 1)), taskLoss(l, 2)) as Scalar;
  });
  const byName: Record<string, Float32Array> = {};
  for (const v of model.variables) byName[stableName(v)] = (await grads[v.name].data()) as Float32Array;
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(bt);
  model.dispose();
  return { tapGrads, logitValues, byName };
}

const on = await probe(true);
const off = await probe(false);
const norm = (v: number[][]) => Math.sqrt(v.flat().reduce((a, x) => a + x * x, 0));
/** The [B, d] slice of channel j in a [B, K, d] gradient. */
const channel = (g: number[][][], j: number) => g.map((row) => row[j]);

describe('cross-task gradient detachment', () => {
  it('(a) task k gives exactly zero gradient to h_j (j != k) with detachment on, non-zero with it off', () => {
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < K; j++) {
        const gOn = channel(on.tapGrads[k], j);
        const gOff = channel(off.tapGrads[k], j);
        if (j === k) {
          expect(norm(gOn)).toBeGreaterThan(1e-4); // a task still trains its own channel
          expect(norm(gOff)).toBeGreaterThan(1e-4);
        } else {
          expect(gOn.flat().every((x) => x === 0)).toBe(true);
          expect(norm(gOff)).toBeGreaterThan(1e-4);
        }
      }
    }
  });

  it('(b) the forward values are identical on and off', () => {
    expect(on.logitValues).toEqual(off.logitValues);
    expect(on.logitValues.some((x) => x !== 0)).toBe(true);
  });

  it('(c) the shared key/value projection weights get the same gradient on and off (total loss)', () => {
    for (const name of ['crossTask/kv/w', 'crossTask/kv/b']) {
      const a = on.byName[name];
      const b = off.byName[name];
      const scale = Math.max(...Array.from(b, Math.abs));
      expect(scale).toBeGreaterThan(1e-4);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5 * scale + 1e-7);
    }
    // ...while what sits upstream of h (task-private channels and the trunk) does see the difference.
    const up = 'candCtx/o/w';
    const diff = Math.max(...Array.from(on.byName[up], (x, i) => Math.abs(x - off.byName[up][i])));
    expect(diff).toBeGreaterThan(1e-5);
  });
});
