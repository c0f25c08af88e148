import type * as TF from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { maskedBce, maskedInfoNce, rankingLoss, Temperature } from '../../src/engine/train/loss';

const tf = await useBackend('cpu');
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const bce = (x: number, y: number) => -(y * Math.log(sigmoid(x)) + (1 - y) * Math.log(1 - sigmoid(x)));

// B = 2 requests, N = 3 candidates, K = 2 tasks; request 1's last candidate is padding (with junk in it).
const logits = [
  [[0.5, -1], [2, 0.3], [-0.7, 1.2]],
  [[1.5, 0.2], [-2, -0.4], [50, -50]],
];
const labels = [
  [[1, 0], [0, 0], [1, 0]],
  [[0, 1], [1, 1], [1, 1]],
];
const mask = [[1, 1, 1], [1, 1, 0]];
const T = 0.5;

function tensors() {
  return { x: tf.tensor3d(logits), y: tf.tensor3d(labels), m: tf.tensor2d(mask), t: tf.scalar(T) };
}

/** -mean over positives of log softmax(logit / T) over the request's real candidates. */
function handInfoNce(b: number, k: number): number | null {
  const real = [0, 1, 2].filter((n) => mask[b][n] === 1);
  const pos = real.filter((n) => labels[b][n][k] === 1);
  if (pos.length === 0 || pos.length === real.length) return null;
  const lse = Math.log(real.reduce((s, n) => s + Math.exp(logits[b][n][k] / T), 0));
  return pos.reduce((s, n) => s - (logits[b][n][k] / T - lse), 0) / pos.length;
}

describe('ranking loss', () => {
  it('BCE per task equals the hand computation over real candidates only', async () => {
    const { x, y, m } = tensors();
    const got = await maskedBce(x, y, m).data();
    for (let k = 0; k < 2; k++) {
      let sum = 0;
      let n = 0;
      for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) if (mask[b][c]) { sum += bce(logits[b][c][k], labels[b][c][k]); n++; }
      expect(got[k]).toBeCloseTo(sum / n, 5);
    }
  });

  it('BCE is finite for extreme logits (stable form)', async () => {
    const got = await maskedBce(tf.tensor3d([[[200, -200]]]), tf.tensor3d([[[0, 1]]]), tf.tensor2d([[1]])).data();
    expect(got[0]).toBeCloseTo(200, 3);
    expect(got[1]).toBeCloseTo(200, 3);
  });

  it('InfoNCE skips requests without positives or with only positives and matches the hand computation', async () => {
    const { x, y, m, t } = tensors();
    const got = await maskedInfoNce(x, y, m, t).data();
    // task 0: request 0 has 2 positives of 3 (used); request 1 has 1 of 2 real (used).
    // task 1: request 0 has no positive (skipped); request 1's two real candidates are both positive (skipped).
    const k0 = [handInfoNce(0, 0), handInfoNce(1, 0)];
    expect(k0.every((v) => v !== null)).toBe(true);
    expect(got[0]).toBeCloseTo((k0[0]! + k0[1]!) / 2, 4);
    expect(handInfoNce(0, 1)).toBeNull();
    expect(handInfoNce(1, 1)).toBeNull();
    expect(got[1]).toBe(0);
  });

  it('padded candidates contribute nothing, whatever they hold', async () => {
    const { x, y, m, t } = tensors();
    const junk = tf.tensor3d(logits.map((r, b) => r.map((c, n) => (mask[b][n] ? c : [-9, 7]))));
    const junkLabels = tf.tensor3d(labels.map((r, b) => r.map((c, n) => (mask[b][n] ? c : [0, 0]))));
    const a = rankingLoss(x, y, m, t, { taskWeights: [1, 1], alpha: 0.3 });
    const b2 = rankingLoss(junk, junkLabels, m, t, { taskWeights: [1, 1], alpha: 0.3 });
    expect(await a.total.data()).toEqual(await b2.total.data());
    expect(await a.bce.data()).toEqual(await b2.bce.data());
    expect(await a.infoNce.data()).toEqual(await b2.infoNce.data());
    // and no gradient reaches a padded logit
    const g = tf.grad((l: TF.Tensor) => rankingLoss(l as TF.Tensor3D, y, m, t, { taskWeights: [1, 1], alpha: 0.3 }).total)(x);
    const gv = (await g.array()) as number[][][];
    expect(gv[1][2]).toEqual([0, 0]);
    expect(Math.abs(gv[0][0][0])).toBeGreaterThan(0);
  });

  it('total = sum_k w_k BCE_k + alpha sum_k InfoNCE_k', async () => {
    const { x, y, m, t } = tensors();
    const parts = rankingLoss(x, y, m, t, { taskWeights: [2, 0.5], alpha: 0.3 });
    const [b, n, total] = [await parts.bce.data(), await parts.infoNce.data(), (await parts.total.data())[0]];
    expect(total).toBeCloseTo(2 * b[0] + 0.5 * b[1] + 0.3 * (n[0] + n[1]), 5);
  });

  it('the temperature is learnable through its logarithm and starts at the configured value', async () => {
    const temp = new Temperature(0.07);
    const v = temp.value();
    expect((await v.data())[0]).toBeCloseTo(0.07, 6);
    const { x, y, m } = tensors();
    const { grads } = tf.variableGrads(() => rankingLoss(x, y, m, temp.value(), { taskWeights: [1, 1], alpha: 1 }).total, [temp.logT]);
    expect(Math.abs((await grads[temp.logT.name].data())[0])).toBeGreaterThan(0);
    expect(() => new Temperature(0)).toThrow();
    temp.dispose();
  });
});
