// Trainer.evaluate's aggregation against a brute-force computation written here from the definitions
// (ONERANK.md "Metrics" and "Loss"): one forward pass over the whole validation split, AUC by counting pairs,
// GAUC by grouping by user (a request of an unknown user is its own group), LogLoss and BCE as means over real
// candidates only, InfoNCE as a mean over the requests that have both classes. The validation split spans
// several evaluation batches with different amounts of padding, and some users are unknown.
// Shown to fail: evaluate as it was before this test (each batch's BCE and InfoNCE weighted by its request count)
// gave a validation BCE 0.0028 off the brute force here.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/engine/config';
import { shopFromKnobs } from '../../src/engine/data/shopKnobs';
import { sliceBatch } from '../../src/engine/data/types';
import { batchToTensors, disposeBatch } from '../../src/engine/model';
import { mulberry32 } from '../../src/engine/model/random';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';

const tf = await useBackend('cpu');
const N = 6;
const ds = shopFromKnobs({ requests: '1500', users: '80', items: '60', candidates: String(N), historyLen: '4' }, { historyLen: 4, maxCandidates: N, valFraction: 0.25 });
const K = ds.tasks.length;
const val = Array.from(ds.valIdx);
// Padding that differs from request to request (more in the later batches), and unknown users.
const rand = mulberry32(5);
val.forEach((r, i) => {
  const keep = i < 256 ? N - Math.floor(rand() * 2) : 1 + Math.floor(rand() * N);
  for (let n = keep; n < N; n++) {
    ds.candMask[r * N + n] = 0;
    for (let k = 0; k < K; k++) ds.labels[(r * N + n) * K + k] = 0;
  }
  if (i % 4 === 1) ds.user[r] = -1;
});

/** Pairs (positive, negative) ordered right, ties one half, over all pairs. */
function bruteAuc(p: number[], y: number[]): number {
  let good = 0;
  let pairs = 0;
  for (let i = 0; i < p.length; i++)
    if (y[i] > 0.5)
      for (let j = 0; j < p.length; j++)
        if (y[j] <= 0.5) {
          pairs++;
          good += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
        }
  return good / pairs;
}

describe('Trainer.evaluate against a brute-force computation', () => {
  it('AUC, GAUC, LogLoss, counts and the validation losses', async () => {
    expect(val.length).toBeGreaterThan(300); // more than one evaluation batch (256 requests)
    const cfg = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 2, historyLen: 4, maxCandidates: N, batchSize: 32, seed: 3 };
    const trainer = Trainer.create(ds, cfg);
    for (let i = 0; i < 3; i++) await trainer.trainStep(); // away from the base-rate start, so scores differ
    const got = await trainer.evaluate();

    // One forward pass over every validation request.
    const bt = batchToTensors(sliceBatch(ds, val), trainer.meta);
    const logitsT = trainer.model.forward(bt, { training: false }).logits;
    const logits = (await logitsT.array()) as number[][][];
    tf.dispose([logitsT]);
    disposeBatch(bt);
    const T = await trainer.currentTemperature();

    for (let k = 0; k < K; k++) {
      const p: number[] = [];
      const y: number[] = [];
      const byGroup = new Map<string, { p: number[]; y: number[] }>();
      let bce = 0;
      let nce = 0;
      let usable = 0;
      val.forEach((r, i) => {
        const real = Array.from({ length: N }, (_, n) => n).filter((n) => ds.candMask[r * N + n] > 0);
        const group = ds.user[r] >= 0 ? `u${ds.user[r]}` : `r${r}`;
        const g = byGroup.get(group) ?? { p: [], y: [] };
        byGroup.set(group, g);
        for (const n of real) {
          const x = logits[i][n][k];
          const label = ds.labels[(r * N + n) * K + k];
          const prob = 1 / (1 + Math.exp(-x));
          p.push(prob);
          y.push(label);
          g.p.push(prob);
          g.y.push(label);
          bce += -(label * Math.log(prob) + (1 - label) * Math.log(1 - prob));
        }
        const positives = real.filter((n) => ds.labels[(r * N + n) * K + k] > 0.5);
        if (positives.length > 0 && positives.length < real.length) {
          const logZ = Math.log(real.reduce((a, n) => a + Math.exp(logits[i][n][k] / T), 0));
          nce += positives.reduce((a, n) => a - (logits[i][n][k] / T - logZ), 0) / positives.length;
          usable++;
        }
      });
      let gw = 0;
      let gsum = 0;
      for (const g of byGroup.values()) {
        const pos = g.y.filter((v) => v > 0.5).length;
        if (pos === 0 || pos === g.y.length) continue;
        gsum += bruteAuc(g.p, g.y) * g.y.length;
        gw += g.y.length;
      }
      const m = got.tasks[k];
      expect(m.count, ds.tasks[k]).toBe(p.length);
      expect(m.auc, `${ds.tasks[k]} AUC`).toBeCloseTo(bruteAuc(p, y), 4);
      expect(m.gauc, `${ds.tasks[k]} GAUC`).toBeCloseTo(gsum / gw, 4);
      expect(m.logloss, `${ds.tasks[k]} LogLoss`).toBeCloseTo(bce / p.length, 4);
      expect(m.positiveRate).toBeCloseTo(y.reduce((a, v) => a + v, 0) / y.length, 6);
      expect(got.valBce[k], `${ds.tasks[k]} validation BCE`).toBeCloseTo(bce / p.length, 4);
      expect(got.valInfoNce[k], `${ds.tasks[k]} validation InfoNCE`).toBeCloseTo(nce / usable, 3);
      expect(got.valLoss[k]).toBeCloseTo(got.valBce[k] + cfg.alpha * got.valInfoNce[k], 5);
    }
    expect(got.requests).toBe(val.length);
    trainer.dispose();
  });
});
