import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { CandidateContext, meanOverCandidates } from '../../src/engine/model/candidateContext';
import { Params } from '../../src/engine/model/params';

// Section 3's block starts as the plain mean it refines (V5), so switching it on can only add what the attention
// learns; and it can learn: the query's gradient is not zero at the start.
describe('CandidateContext at initialization', () => {
  it('h_k equals the mean over the real candidates of r[i][k] (padding excluded), and the query still gets gradient', async () => {
    const tf = await useBackend('cpu');
    const [B, N, K, d, heads] = [3, 5, 3, 8, 2];
    const p = new Params('onerank', 7);
    const block = new CandidateContext(p, true, K, d, heads);
    const s = tf.randomNormal([B, d], 0, 1, 'float32', 1) as import('@tensorflow/tfjs').Tensor2D;
    const r = tf.randomNormal([B, N, K, d], 0, 1, 'float32', 2) as import('@tensorflow/tfjs').Tensor4D;
    const candMask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]]);
    const h = block.run(s, r, candMask).h;
    const mean = meanOverCandidates(r, candMask);
    const got = h.dataSync();
    // The expected mean, computed here by hand (not by the module under test): sum of the real r[i][k] / their count.
    const rv = r.arraySync();
    const real = candMask.arraySync();
    const want: number[] = [];
    for (let b = 0; b < B; b++)
      for (let k = 0; k < K; k++)
        for (let c = 0; c < d; c++) {
          const ns = real[b].flatMap((m, n) => (m > 0 ? [n] : []));
          want.push(ns.reduce((a, n) => a + rv[b][n][k][c], 0) / ns.length);
        }
    expect(got.length).toBe(B * K * d);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    const viaModule = mean.dataSync(); // the module's V5 mean is the same
    for (let i = 0; i < got.length; i++) expect(viaModule[i]).toBeCloseTo(want[i], 5);
    // The mean is not trivially equal to any one candidate (the comparison could not pass by accident).
    expect(Math.abs(want[0] - rv[0][0][0][0])).toBeGreaterThan(1e-3);
    const qw = p.all.find((v) => v.name.endsWith('candCtx/q/w'))!;
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(block.run(s, r, candMask).h)) as import('@tensorflow/tfjs').Scalar, [qw]);
    expect(Math.max(...Array.from(grads[qw.name].abs().dataSync()))).toBeGreaterThan(1e-6);
    tf.dispose([s, r, candMask, h, mean, ...Object.values(grads)]);
    p.dispose();
  });
});
