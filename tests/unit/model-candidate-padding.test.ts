// ONERANK.md section 3 at non-trivial weights (a non-zero query, so attention is not uniform): padded candidates
// get exactly zero candidate-aware attention, the real ones share all of it, and what sits in a padded slot
// changes no real candidate's logit. Shown to fail: multiplying the padding bias by 0 in candidateContext.ts (scores
// unmasked) fails the first test; the second guards the tokenizer's padding (a padded slot's inputs never reach r).
import type { Tensor3D, TensorContainer } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/engine/data/types';
import { batchToTensors, buildOneRank, disposeBatch } from '../../src/engine/model';
import { useBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { randomizeWeights } from './helpers/weights';

const tf = await useBackend('cpu');
const meta = tinyMeta({ tasks: 3, maxCandidates: 4, historyLen: 3 });
const N = 4;
const batch = randomBatch(meta, 6, { seed: 31, minCandidates: 1 });
const real = (b: number, n: number) => batch.candMask[b * N + n] > 0;

function model() {
  const m = buildOneRank(tinyConfig(meta, { seed: 13 }), meta);
  randomizeWeights(m.variables, 8);
  return m;
}

async function forward(m: ReturnType<typeof model>, b: Batch) {
  const bt = batchToTensors(b, meta);
  const out = m.forward(bt, { training: false, capture: true });
  const maps = await Promise.all(out.attention!.candidate!.map((t: Tensor3D) => t.array() as Promise<number[][][]>)); // [K] of [B, heads, N]
  const logits = (await out.logits.array()) as number[][][];
  tf.dispose(out as unknown as TensorContainer);
  disposeBatch(bt);
  return { maps, logits };
}

describe('candidate-aware attention with padding, at non-trivial weights', () => {
  it('padded candidates get exactly zero weight; the real ones share all of it, not uniformly', async () => {
    const m = model();
    const { maps } = await forward(m, batch);
    expect(batch.candMask.some((x) => x === 0)).toBe(true);
    let uneven = 0;
    for (const perTask of maps)
      perTask.forEach((heads, b) =>
        heads.forEach((row) => {
          row.forEach((w, n) => (real(b, n) ? expect(w).toBeGreaterThan(0) : expect(w).toBe(0)));
          expect(row.reduce((a, w) => a + w, 0)).toBeCloseTo(1, 5);
          const ws = row.filter((_, n) => real(b, n));
          if (ws.length > 1 && Math.max(...ws) - Math.min(...ws) > 1e-3) uneven++;
        }),
      );
    expect(uneven).toBeGreaterThan(0); // the query is live: the test is not run at the uniform start
    m.dispose();
  });

  it('what sits in a padded slot changes no real candidate\u2019s logit', async () => {
    const m = model();
    const junk: Batch = {
      ...batch,
      candItem: batch.candItem.map((x, j) => (batch.candMask[j] ? x : 1 + (j % (meta.itemVocabSize - 1)))),
      candNum: batch.candNum.map((x, j) => (batch.candMask[j] ? x : 5)),
    };
    const a = await forward(m, batch);
    const b = await forward(m, junk);
    a.logits.forEach((rb, bi) => rb.forEach((ri, n) => real(bi, n) && ri.forEach((x, k) => expect(b.logits[bi][n][k]).toBeCloseTo(x, 5))));
    m.dispose();
  });
});
