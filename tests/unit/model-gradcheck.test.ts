// Analytic gradients (tf.variableGrads) against central finite differences, on tiny models, in float32.
import type { Scalar } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/engine/config';
import { batchToTensors, buildModel, disposeBatch, stableName } from '../../src/engine/model';
import type { RankingModel } from '../../src/engine/model/types';
import { mulberry32 } from '../../src/engine/model/random';
import { useBackend as selectBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { awake } from './helpers/awake';

const tf = await selectBackend('cpu');
const EPS = 1e-2;
// float32 loss values carry ~1e-6 relative noise; divided by EPS (the smaller step, extrapolated) that is ~1e-4
// absolute. Truncation error is O(EPS^4) (Richardson, below). So: 3% relative plus 2e-3 absolute.
const close = (a: number, n: number) => Math.abs(a - n) <= 0.03 * Math.max(Math.abs(a), Math.abs(n)) + 2e-3;

const meta = tinyMeta({ tasks: 2, maxCandidates: 3, historyLen: 2, itemVocabSize: 6, vocabSize: 4 });
const batch = randomBatch(meta, 2, { seed: 11, minCandidates: 2 });

function check(cfg: Config, mustBeInformative: string[]) {
  const model: RankingModel = awake(buildModel(cfg, meta));
  const bt = batchToTensors(batch, meta);
  // A fixed random projection of the logits (real candidates only), so every logit matters differently.
  const rand = mulberry32(99);
  const proj = tf.mul(tf.tensor3d(Array.from({ length: 2 * 3 * 2 }, () => rand() * 2 - 1), [2, 3, 2]), bt.candMask.expandDims(2));
  const loss = () => tf.sum(tf.mul(model.forward(bt, { training: false }).logits, proj)) as Scalar;
  const lossValue = () => tf.tidy(() => loss().dataSync()[0]);

  const { value, grads } = tf.variableGrads(loss);
  const failures: string[] = [];
  const informative = new Map<string, number>();
  for (const v of model.variables) {
    const name = stableName(v);
    const analytic = grads[v.name].dataSync();
    const size = v.size;
    const picks = Array.from({ length: Math.min(size, mustBeInformative.includes(name) ? 10 : 3) }, () => Math.floor(rand() * size));
    for (const i of picks) {
      const orig = v.dataSync().slice();
      const at = (delta: number) => {
        const x = orig.slice();
        x[i] += delta;
        tf.tidy(() => v.assign(tf.tensor(x, v.shape)));
        return lossValue();
      };
      // Richardson extrapolation of two central differences: truncation error O(EPS^4) instead of O(EPS^2), which
      // matters where a LayerNorm sees small inputs (the 0.1-scale embeddings) and the loss curves fast.
      const central = (h: number) => (at(h) - at(-h)) / (2 * h);
      const numeric = (4 * central(EPS / 2) - central(EPS)) / 3;
      tf.tidy(() => v.assign(tf.tensor(orig, v.shape)));
      if (!close(analytic[i], numeric)) failures.push(`${name}[${i}]: analytic ${analytic[i]} vs numeric ${numeric}`);
      if (Math.abs(numeric) > 5e-3) informative.set(name, (informative.get(name) ?? 0) + 1);
    }
  }
  tf.dispose([value, proj, ...Object.values(grads)]);
  disposeBatch(bt);
  model.dispose();
  return { failures, informative };
}

describe('gradient check (central differences)', () => {
  it('OneRank: every variable, random coordinates', () => {
    // Detachment off: with it on the analytic gradient is, by design, NOT the derivative of the loss (the
    // cross-task read paths are cut), which model-detach.test.ts checks separately.
    const cfg = tinyConfig(meta, { crossTaskMask: 'full', detach: false, scorer: 'bilinear', seed: 3 });
    const key = ['tokenizer/item', 'trunk/l0/attn/qkv/w', 'taskTokens/embedding', 'candCtx/kv/w', 'crossTask/kv/w', 'crossTask/q/w', 'scorer/bilinear'];
    const { failures, informative } = check(cfg, key);
    expect(failures).toEqual([]);
    // The checked coordinates carry real gradient: a wrongly zeroed gradient cannot pass.
    for (const name of key) expect(informative.get(name) ?? 0, name).toBeGreaterThan(0);
  });

  it('MMoE baseline: every variable, random coordinates', () => {
    const cfg = tinyConfig(meta, { model: 'mmoe', seed: 3 });
    const key = ['tokenizer/item', 'trunk/l0/attn/qkv/w', 'head/experts/w', 'head/gates/w', 'head/towers/hidden/w'];
    const { failures, informative } = check(cfg, key);
    expect(failures).toEqual([]);
    for (const name of key) expect(informative.get(name) ?? 0, name).toBeGreaterThan(0);
  });
});
