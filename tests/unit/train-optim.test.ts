// clipNorm and weightDecay against a hand computation of two training steps: the gradient of the loss on the
// batch (the whole training split, so the batch order does not matter), the global norm, the clip factor
// min(1, clipNorm / norm), Adam's bias-corrected update written out in plain JavaScript, then decoupled weight
// decay w <- w (1 - lr * weightDecay) on matrices and embedding tables only (not biases, norms or the temperature).
// Shown to fail: clipping with norm / clip instead of clip / norm in trainer.ts fails the clip cases; decaying
// every variable (this.trainables for this.decayed) fails the weight-decay case.
import type { Scalar, Variable } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { shopFromKnobs } from '../../src/engine/data/shopKnobs';
import { sliceBatch } from '../../src/engine/data/types';
import { batchToTensors, disposeBatch } from '../../src/engine/model';
import { rankingLoss } from '../../src/engine/train/loss';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';

const tf = await useBackend('cpu');
const ds = shopFromKnobs({ requests: '100', users: '30', items: '40', candidates: '5', historyLen: '3' }, { historyLen: 3, maxCandidates: 5, valFraction: 0.5 });

/** The trainables of a trainer in its optimizer's order: the model's variables, then log T. */
const trainables = (t: Trainer): Variable[] => [...t.model.variables, t.temperature.logT];
const read = async (vs: Variable[]) => Promise.all(vs.map(async (v) => Float64Array.from(await v.data())));

/** The gradient of the loss on the whole training split at the current weights, per variable. */
async function gradient(t: Trainer): Promise<Float64Array[]> {
  const vs = trainables(t);
  const bt = batchToTensors(sliceBatch(ds, ds.trainIdx), t.meta);
  const { value, grads } = tf.variableGrads(() => {
    const { logits } = t.model.forward(bt, { training: true });
    return rankingLoss(logits, bt.labels, bt.candMask, t.temperature.value(), t.weights).total as Scalar;
  }, vs);
  const out = await Promise.all(vs.map(async (v) => Float64Array.from(await grads[v.name].data())));
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(bt);
  return out;
}

/** Two steps by hand: clip, Adam (TF.js's constants), decoupled decay of the variables with 2+ dimensions. */
async function handSteps(cfg: Config, steps: number) {
  const t = Trainer.create(ds, cfg);
  const vs = trainables(t);
  const decays = vs.map((v, i) => i < t.model.variables.length && v.shape.length >= 2);
  let w = await read(vs);
  const m = w.map((x) => new Float64Array(x.length));
  const s = w.map((x) => new Float64Array(x.length));
  const [b1, b2, eps] = [0.9, 0.999, tf.backend().epsilon()];
  const norms: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const g = await gradient(t);
    const norm = Math.sqrt(g.reduce((a, gi) => a + gi.reduce((b, x) => b + x * x, 0), 0));
    norms.push(norm);
    const scale = cfg.clipNorm > 0 && norm > cfg.clipNorm ? cfg.clipNorm / norm : 1;
    w = w.map((wi, i) =>
      wi.map((x, j) => {
        const gj = g[i][j] * scale;
        m[i][j] = b1 * m[i][j] + (1 - b1) * gj;
        s[i][j] = b2 * s[i][j] + (1 - b2) * gj * gj;
        const updated = x - (cfg.lr * (m[i][j] / (1 - b1 ** step))) / (Math.sqrt(s[i][j] / (1 - b2 ** step)) + eps);
        return decays[i] ? updated * (1 - cfg.lr * cfg.weightDecay) : updated;
      }),
    );
    const rec = await t.trainStep();
    expect(rec.gradNorm).toBeCloseTo(norm, 3);
    // Compare this step, then go on from the trainer's own weights (float32 drift stays out of the next step).
    const got = await read(vs);
    let worst = 0;
    got.forEach((gi, i) => gi.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - w[i][j]) / (1e-3 + Math.abs(w[i][j]))))));
    expect(worst, `step ${step}`).toBeLessThan(2e-3);
    w = got;
  }
  t.dispose();
  return norms;
}

const base: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 2, historyLen: 3, maxCandidates: 5, batchSize: 64, lr: 0.05, seed: 4 };

describe('gradient clipping and weight decay, by hand', () => {
  it('clipNorm below the gradient norm scales every gradient by clip / norm (two Adam steps)', async () => {
    const norms = await handSteps({ ...base, clipNorm: 0.05, weightDecay: 0 }, 2);
    expect(Math.min(...norms)).toBeGreaterThan(0.05); // the clip was in force at both steps
  });
  it('clipNorm 0 is off', async () => {
    await handSteps({ ...base, clipNorm: 0, weightDecay: 0 }, 2);
  });
  it('weightDecay shrinks matrices and tables by 1 - lr * wd after the Adam step; biases, norms and T untouched', async () => {
    await handSteps({ ...base, clipNorm: 1, weightDecay: 0.5 }, 2);
  });
});
