// Best checkpoint, early stopping, cold-start evaluation, id dropout and embedding decay (cpu, tiny sizes).
import { describe, expect, it } from 'vitest';
import { OOV_ID } from '../../src/engine/data/vocab';
import { sliceBatch } from '../../src/engine/data/types';
import { stableName } from '../../src/engine/model';
import { bestEvaluation, selectionScore } from '../../src/engine/train/checkpoint';
import { dropIds, userIdColumn } from '../../src/engine/train/ids';
import { auc } from '../../src/engine/train/metrics';
import { mulberry32 } from '../../src/engine/data/rng';
import { Trainer, runTraining } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';

await useBackend('cpu');
// Many users, few requests each: a random split leaves some evaluation users without a training request.
const ds = smallShop({ requests: 160, users: 200, candidates: 4 });

describe('the best checkpoint rule', () => {
  const ev = (step: number, aucs: number[]) => ({ step, tasks: aucs.map((a, k) => ({ name: `t${k}`, auc: a })) });
  it('mean AUC over the tasks that have one, or one named task; the earlier step wins a tie', () => {
    expect(selectionScore(ev(1, [0.6, 0.8, NaN]).tasks, '')).toBeCloseTo(0.7, 12);
    expect(selectionScore(ev(1, [0.6, 0.8]).tasks, 't1')).toBe(0.8);
    const evals = [ev(0, [0.5, 0.5]), ev(10, [0.7, 0.6]), ev(20, [0.6, 0.7]), ev(30, [0.9, 0.3])];
    expect(bestEvaluation(evals, '')?.step).toBe(10); // 0.65 at 10 and 20: the earlier
    expect(bestEvaluation(evals, 't0')?.step).toBe(30);
    expect(bestEvaluation(evals, 't1')?.step).toBe(20);
  });
});

describe('Trainer keeps the best checkpoint', () => {
  it('stops after `patience` evaluations without a new best, and restores exactly the best step', async () => {
    // A high lr on a small split: the validation curve peaks and then wanders.
    const t = Trainer.create(ds, tinyTrainConfig(ds, { lr: 0.05, seed: 3, patience: 2 }));
    const steps: number[] = [];
    const res = await runTraining(t, { steps: 400, evalEvery: 10, onEval: (e) => void steps.push(e.step) });
    const best = res.best!;
    expect(res.stoppedEarly).toBe(true);
    // The last two evaluations came after the best one, and the run stopped right there.
    expect(steps.slice(-3)).toEqual([best.step, best.step + 10, best.step + 20]);
    expect(best.score).toBeGreaterThan(selectionScore(res.lastEval!.tasks, ''));
    expect((await t.exportWeights('best')).step).toBe(best.step);
    // Shown to fail: keeping the first evaluation's weights (bestWeights ??= ...) instead of each new best's.
    expect(t.restoreBest()).toBe(true);
    const again = await t.evaluate();
    expect(again.tasks.map((x) => x.auc)).toEqual(best.tasks.map((x) => x.auc));
    expect(again.tasks.map((x) => x.logloss)).toEqual(best.tasks.map((x) => x.logloss));
    t.dispose();
  });

  it('refuses a bestBy that is not a task', () => {
    expect(() => Trainer.create(ds, tinyTrainConfig(ds, { bestBy: 'buy' }))).toThrow(/bestBy 'buy' is not a task.*click, cart, order/);
  });
});

describe('cold-start evaluation', () => {
  it('splits AUC by whether the request user had a training request, and counts unseen candidate items', async () => {
    const t = Trainer.create(ds, tinyTrainConfig(ds, { seed: 1 }));
    await runTraining(t, { steps: 20 });
    const e = await t.evaluate();
    // Ground truth from the user index (not the vocabulary the trainer reads): users with no training request.
    // Shown to fail: seenUsers testing the id against 0 (padding) instead of OOV.
    const trainUsers = new Set(Array.from(ds.trainIdx, (q) => ds.user[q]));
    const unseenReq = Array.from(ds.valIdx).filter((q) => !trainUsers.has(ds.user[q]));
    expect(unseenReq.length).toBeGreaterThan(5);
    expect(e.coldStart!.unseenUserShare).toBeCloseTo(unseenReq.length / ds.valIdx.length, 12);
    // The unseen users' AUC, by hand from predict().
    const probs = await t.predict(Int32Array.from(unseenReq));
    const N = ds.maxCandidates;
    const K = ds.tasks.length;
    for (let k = 0; k < K; k++) {
      const p: number[] = [];
      const y: number[] = [];
      unseenReq.forEach((q, r) => {
        for (let n = 0; n < N; n++) {
          if (!(ds.candMask[q * N + n] > 0)) continue;
          p.push(probs[(r * N + n) * K + k]);
          y.push(ds.labels[(q * N + n) * K + k]);
        }
      });
      const want = auc(p, y);
      if (Number.isNaN(want)) expect(e.coldStart!.unseenUserAuc[k]).toBeNaN();
      else expect(e.coldStart!.unseenUserAuc[k]).toBeCloseTo(want, 12);
    }
    let real = 0;
    let oov = 0;
    for (const q of ds.valIdx) {
      for (let n = 0; n < N; n++) {
        if (!(ds.candMask[q * N + n] > 0)) continue;
        real++;
        if (ds.candItem[q * N + n] === OOV_ID) oov++;
      }
    }
    expect(e.unseenItemShare).toBeCloseTo(oov / real, 12);
    t.dispose();
  });
});

describe('id dropout and embedding decay', () => {
  it('id dropout turns real user and item ids into OOV at the given rate, never padding', () => {
    const col = userIdColumn(ds);
    expect(col).toBe(0);
    const Fc = ds.features.ctxCat.length;
    const all = sliceBatch(ds, ds.trainIdx);
    dropIds(all, ds, col, 1, mulberry32(1));
    for (let r = 0; r < all.numRequests; r++) expect(all.ctxCat[r * Fc + col]).toBe(OOV_ID);
    all.candItem.forEach((id, j) => expect(id).toBe(all.candMask[j] > 0 ? OOV_ID : 0));
    all.history.forEach((id) => expect(id === 0 || id === OOV_ID).toBe(true));
    const some = sliceBatch(ds, ds.trainIdx);
    const before = Int32Array.from(some.candItem);
    dropIds(some, ds, col, 0.3, mulberry32(2));
    let known = 0;
    let dropped = 0;
    before.forEach((id, j) => {
      if (id <= OOV_ID) return;
      known++;
      if (some.candItem[j] === OOV_ID) dropped++;
    });
    expect(dropped / known).toBeGreaterThan(0.22);
    expect(dropped / known).toBeLessThan(0.38);
  });

  it('embDecay shrinks the embedding tables by 1 - lr * embDecay after the update, and nothing else', async () => {
    const cfg = tinyTrainConfig(ds, { lr: 0.01, seed: 4 });
    const plain = Trainer.create(ds, cfg);
    const decayed = Trainer.create(ds, { ...cfg, embDecay: 5 });
    await plain.trainStep();
    await decayed.trainStep();
    let tables = 0;
    for (let i = 0; i < plain.model.variables.length; i++) {
      const name = stableName(plain.model.variables[i]);
      const a = await plain.model.variables[i].data();
      const b = await decayed.model.variables[i].data();
      const table = /^tokenizer\/(item|ctx\/cat|ctx\/multi|cand\/cat|cand\/multi)/.test(name);
      tables += table ? 1 : 0;
      const f = table ? 1 - 0.01 * 5 : 1;
      for (let j = 0; j < a.length; j++) expect(b[j], name).toBeCloseTo(a[j] * f, 6);
    }
    expect(tables).toBeGreaterThan(3);
    plain.dispose();
    decayed.dispose();
  });
});
