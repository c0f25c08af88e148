// ONERANK.md section 6, the matching scorer, checked by brute force in plain JavaScript from the model's own
// intermediates (z, r): logit[i][k] = g_k (z_k . r[i][k]) / sqrt(d) + b_k (g_k: the learned score scale, 1 where
// the model has none), the bilinear variant z_k . (W_k r[i][k]), equal to dot at W_k = I, and the start at the
// base rate (b_k = logit(positive rate), every candidate's logit within 0.1 of b_k at step 0: r starts small).
// Shown to fail: 1 / d for 1 / Math.sqrt(this.d) in scorer.ts fails the formula tests; the scorer before its score
// scale (commit 10085af) fails "starts at the base rate" (p off by 0.6).
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchToTensors, buildOneRank, disposeBatch, stableName, type OneRank } from '../../src/engine/model';
import { useBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { randomizeWeights } from './helpers/weights';

const tf = await useBackend('cpu');
const rates = [0.3, 0.1, 0.02];
const meta = tinyMeta({ tasks: 3, maxCandidates: 3, historyLen: 3, positiveRate: rates });
const batch = randomBatch(meta, 5, { seed: 21, minCandidates: 1 });
const K = 3;

const byName = (m: OneRank, name: string): Variable | undefined => m.variables.find((v) => stableName(v) === name);
const values = async (t: Tensor) => Array.from(await t.data());

/** The model's z [B,K,d], r [B,N,K,d] and logits [B,N,K] as nested arrays. */
async function parts(m: OneRank) {
  const bt = batchToTensors(batch, meta);
  const p = tf.tidy(() => {
    const x = m.forwardParts(bt, { training: false });
    return { z: x.z, r: x.r, logits: x.logits };
  });
  const out = {
    z: (await p.z.array()) as number[][][],
    r: (await p.r.array()) as number[][][][],
    logits: (await p.logits.array()) as number[][][],
  };
  tf.dispose(p);
  disposeBatch(bt);
  return out;
}

/** logit[b][i][k] by the formula, from z, r and the scorer's own parameters (W_k: [d][d] per task, or none). */
function formula(z: number[][][], r: number[][][][], g: number[], bias: number[], W: number[][][] | null, d: number) {
  return r.map((rb, b) =>
    rb.map((ri) =>
      ri.map((rik, k) => {
        const wr = W ? W[k].map((row) => row.reduce((s, w, c) => s + w * rik[c], 0)) : rik; // W_k r[i][k]
        const dot = z[b][k].reduce((s, zc, c) => s + zc * wr[c], 0);
        return (g[k] * dot) / Math.sqrt(d) + bias[k];
      }),
    ),
  );
}

async function scorerParams(m: OneRank) {
  const scale = byName(m, 'scorer/scale');
  return { g: scale ? await values(scale) : new Array<number>(K).fill(1), bias: await values(byName(m, 'scorer/bias')!) };
}

function expectClose(a: number[][][], b: number[][][], tol: number) {
  const fa = a.flat(2);
  const fb = b.flat(2);
  expect(fa.length).toBe(fb.length);
  for (let i = 0; i < fa.length; i++) expect(Math.abs(fa[i] - fb[i]), `at ${i}: ${fa[i]} vs ${fb[i]}`).toBeLessThan(tol * (1 + Math.abs(fb[i])));
}

describe('matching scorer (section 6)', () => {
  it('starts at the base rate: b_k = logit(positive rate), and every candidate\u2019s logit within 0.1 of b_k at step 0', async () => {
    const m = buildOneRank(tinyConfig(meta, { seed: 9 }), meta);
    const { bias } = await scorerParams(m);
    rates.forEach((q, k) => expect(bias[k]).toBeCloseTo(Math.log(q / (1 - q)), 5));
    const { logits } = await parts(m);
    // r starts small (LN_f gain R_GAIN), so the dot term is near 0: here at most 0.051 (|p - rate| <= 0.011).
    for (const rb of logits) for (const ri of rb) ri.forEach((x, k) => expect(Math.abs(x - bias[k])).toBeLessThan(0.1));
    m.dispose();
  });

  it('dot: logit = g_k (z_k . r[i][k]) / sqrt(d) + b_k at non-trivial weights', async () => {
    for (const d of [8, 12]) {
      const m = buildOneRank(tinyConfig(meta, { d, seed: 9 }), meta);
      randomizeWeights(m.variables, 4);
      const { g, bias } = await scorerParams(m);
      expect(g.every((x) => Math.abs(x) > 0.05)).toBe(true);
      const { z, r, logits } = await parts(m);
      expectClose(logits, formula(z, r, g, bias, null, d), 1e-4);
      m.dispose();
    }
  });

  it('bilinear: z_k . (W_k r[i][k]); at W_k = I it gives exactly the dot scorer\u2019s logits', async () => {
    const dot = buildOneRank(tinyConfig(meta, { seed: 9 }), meta);
    const bil = buildOneRank(tinyConfig(meta, { seed: 9, scorer: 'bilinear' }), meta);
    randomizeWeights(dot.variables, 4);
    // The same weights everywhere; W_k stays at its initial value.
    for (const v of bil.variables) {
      const twin = byName(dot, stableName(v));
      if (twin) v.assign(twin);
    }
    const W0 = (await byName(bil, 'scorer/bilinear')!.array()) as number[][][];
    W0.forEach((Wk) => Wk.forEach((row, a) => row.forEach((w, c) => expect(w).toBe(a === c ? 1 : 0))));
    expectClose((await parts(bil)).logits, (await parts(dot)).logits, 1e-5);
    // Away from the identity, the bilinear formula.
    randomizeWeights([byName(bil, 'scorer/bilinear')!], 6);
    const W = (await byName(bil, 'scorer/bilinear')!.array()) as number[][][];
    const { g, bias } = await scorerParams(bil);
    const { z, r, logits } = await parts(bil);
    expectClose(logits, formula(z, r, g, bias, W, bil.config.d), 1e-4);
    dot.dispose();
    bil.dispose();
  });
});
