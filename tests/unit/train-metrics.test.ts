import { describe, expect, it } from 'vitest';
import { auc, constantLogLoss, gauc, logLoss, positiveRate, taskMetrics } from '../../src/engine/train/metrics';

describe('auc', () => {
  it('is the share of positive-negative pairs ranked correctly', () => {
    // pairs (pos, neg): (0.9,0.1) ok, (0.9,0.5) ok, (0.4,0.1) ok, (0.4,0.5) wrong -> 3/4
    expect(auc([0.9, 0.1, 0.4, 0.5], [1, 0, 1, 0])).toBeCloseTo(0.75, 12);
  });
  it('counts ties as one half (average ranks)', () => {
    // pos 0.5 vs neg 0.5 -> 0.5; pos 0.5 vs neg 0.2 -> 1; pos 0.8 vs both -> 2 => 3.5 / 4
    expect(auc([0.5, 0.5, 0.2, 0.8], [1, 0, 0, 1])).toBeCloseTo(0.875, 12);
    expect(auc([1, 1, 1, 1], [1, 0, 1, 0])).toBeCloseTo(0.5, 12);
  });
  it('is 1 for a perfect ranking, 0 for a reversed one, NaN without both classes', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
  });
  it('matches a brute-force pair count on 3000 random predictions, and is fast on 100k', () => {
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 3000;
    const scores = Array.from({ length: n }, () => Math.round(rand() * 50) / 50); // many ties
    const labels = scores.map((x) => (rand() < x ? 1 : 0));
    let good = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        good += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(auc(scores, labels)).toBeCloseTo(good / pairs, 10);
    const big = Float32Array.from({ length: 100_000 }, () => rand());
    const bigLabels = Float32Array.from(big, (x) => (rand() < x ? 1 : 0));
    const t0 = performance.now();
    gauc(big, bigLabels, Float64Array.from(big, (_, i) => i % 1000));
    const a = auc(big, bigLabels);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(a).toBeGreaterThan(0.6);
  });
});

describe('gauc', () => {
  it('weights each user by sample count and skips single-class users', () => {
    const scores = [0.9, 0.1, 0.4, 0.5, /* user 2 */ 0.3, 0.7, /* user 3: all negative */ 0.2, 0.6, 0.9];
    const labels = [1, 0, 1, 0, 1, 0, 0, 0, 0];
    const users = [1, 1, 1, 1, 2, 2, 3, 3, 3];
    // user 1: AUC 0.75 over 4 samples; user 2: AUC 0 over 2 samples; user 3 skipped
    expect(gauc(scores, labels, users)).toBeCloseTo((4 * 0.75 + 2 * 0) / 6, 12);
  });
  it('is NaN when no user has both classes', () => {
    expect(gauc([0.1, 0.2], [1, 0], [1, 2])).toBeNaN();
  });
});

describe('logLoss and references', () => {
  it('is the mean binary cross-entropy, clipped', () => {
    const expected = -(Math.log(0.8) + Math.log(1 - 0.3)) / 2;
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(expected, 12);
    const clipped = logLoss([0, 1], [1, 0]);
    expect(Number.isFinite(clipped)).toBe(true);
    expect(clipped).toBeCloseTo(-Math.log(1e-7), 4);
  });
  it('gives the positive rate and the constant predictor log loss', () => {
    const labels = [1, 0, 0, 0];
    expect(positiveRate(labels)).toBe(0.25);
    expect(constantLogLoss(labels)).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 12);
    expect(constantLogLoss(labels)).toBeCloseTo(logLoss([0.25, 0.25, 0.25, 0.25], labels), 12);
    const m = taskMetrics('click', [0.9, 0.1, 0.4, 0.5], [1, 0, 1, 0], [1, 1, 1, 1]);
    expect(m).toMatchObject({ name: 'click', count: 4, positiveRate: 0.5 });
    expect(m.auc).toBeCloseTo(0.75, 12);
    expect(m.gauc).toBeCloseTo(0.75, 12);
  });
});
