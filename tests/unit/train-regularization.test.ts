// The bar for the hard shop world (long tail, drift, new users, time split), 3 seeds on wasm: with the new
// defaults the best checkpoint's mean AUC is at least what a run without the new regularization reached at its
// last step, and its LogLoss is at or below the constant predictor's on every task. (The new regularizers default
// to off, as measured in the README's table; when their defaults equal 'without', one run serves both.)
// Small sizes (d 8, 200 steps of 32 on an 800-request world) keep it fast.
// Shown to fail: isNewBest choosing the lower score (checkpoint.ts) keeps step 0 as the best (mean AUC ~0.5).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import type { EncodedDataset } from '../../src/engine/data/types';
import { demoConfig, HARD_SHOP, measureRegularizationRun, NO_NEW_REGULARIZATION, type RegularizationRun } from '../../src/engine/train/hardWorld';
import { useBackend } from './helpers/backend';

await useBackend('wasm');
const WORLD = { requests: '800', users: '200', items: '150', candidates: '6', historyLen: '10', ...HARD_SHOP };
const SIZE: Partial<Config> = { d: 8, batchSize: 32, steps: 200, evalEvery: 20, historyLen: 10, maxCandidates: 6 };
const SEEDS = [1, 2, 3];
const cache = new Map<string, EncodedDataset>();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const offByDefault = Object.entries(NO_NEW_REGULARIZATION).every(([k, v]) => DEFAULT_CONFIG[k as keyof Config] === v);

describe('the hard shop world: best checkpoint with the new defaults (wasm, 3 seeds)', () => {
  for (const model of ['onerank', 'mmoe'] as const) {
    it(`${model}: best mean AUC >= the old last-step AUC, LogLoss <= the constant's on every task`, async () => {
      const now: RegularizationRun[] = [];
      const old: RegularizationRun[] = [];
      for (const seed of SEEDS) {
        now.push(await measureRegularizationRun(WORLD, demoConfig(model, seed, SIZE), cache));
        old.push(offByDefault ? now[now.length - 1] : await measureRegularizationRun(WORLD, demoConfig(model, seed, { ...SIZE, ...NO_NEW_REGULARIZATION }), cache));
      }
      const report = `new best ${now.map((r) => r.bestMeanAuc.toFixed(4))} vs old last ${old.map((r) => r.lastMeanAuc.toFixed(4))}`;
      expect(mean(now.map((r) => r.bestMeanAuc)), report).toBeGreaterThanOrEqual(mean(old.map((r) => r.lastMeanAuc)));
      for (const r of now) r.bestLogloss.forEach((l, k) => expect(l, `task ${k}`).toBeLessThanOrEqual(r.constantLogloss[k]));
    }, 600_000);
  }
});
