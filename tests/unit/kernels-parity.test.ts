// The fused path is a second implementation of the same math: on webgpu (Dawn + SwiftShader), one model with one
// set of weights and one batch gives the same loss and the same gradient of every variable (the temperature's
// included) with the fused kernels on and off, to a relative error <= 1e-4 per tensor (max |fused - plain| /
// max |plain|), for OneRank under every switch (detachment on / off / per edge, the V1-V6 ablations, the four
// cross-task masks) and for the baselines.
// And a fused training loop leaks no tensor.
// Shown to fail: it caught a real bug. tf.fused.matMul with a per-task [K, 1, out] bias (layers.ts
// applyTaskLinear) gave wrong gradients on webgpu: 16 variables off by 0.2-1.6 relative in 'detachment off'.
import type { Tensor, TensorContainer } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/engine/config';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { batchToTensors, buildModel, disposeBatch, stableName } from '../../src/engine/model';
import { rankingLoss, Temperature } from '../../src/engine/train/loss';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';

const tf = await useBackend('webgpu');
const meta = tinyMeta({ historyLen: 3, maxCandidates: 4 });
const batch = randomBatch(meta, 6, { seed: 3, minCandidates: 2 });

/** Loss and every variable's gradient (by stable name) of one fresh model, fused on or off. */
async function lossAndGrads(cfg: Config, fused: boolean): Promise<Map<string, Float32Array>> {
  const before = tf.memory().numTensors;
  const model = buildModel(cfg, meta);
  // Away from the initialization, where some paths are degenerate (a zero query: uniform attention; logits nearly
  // equal across candidates, so the temperature's gradient is 0 up to rounding): every weight moves by seeded
  // noise, the same in both builds. The per-task output biases (logit of the positive rate, a constant shared by a
  // task's candidates) are zeroed first: the temperature's gradient would cancel them in float32 on either path.
  // OneRank's final LayerNorm gain moves around 1, not around its small initial value (R_GAIN, scorer.ts): a small r
  // makes the logits nearly equal across candidates again (V5 and V6 failed on the temperature's gradient, 5e-4-1e-3).
  model.variables.forEach((v, i) =>
    tf.tidy(() => {
      const name = stableName(v);
      const base = /(^scorer\/bias|\/out\/b)$/.test(name) ? tf.zerosLike(v) : name === 'trunk/lnF/g' ? tf.onesLike(v) : v;
      v.assign(tf.add(base, tf.randomNormal(v.shape, 0, 0.3, 'float32', 1000 + i)));
    }),
  );
  const temperature = new Temperature(cfg.temperature);
  const bt = batchToTensors(batch, meta);
  const vars = [...model.variables, temperature.logT];
  setFusedKernels(fused);
  let out: TensorContainer;
  try {
    out = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = model.forward(bt, { training: true });
        return rankingLoss(logits, bt.labels, bt.candMask, temperature.value(), { taskWeights: [1, 0.5, 2], alpha: 0.1 }).total;
      }, vars);
      return { value, ...grads };
    });
  } finally {
    setFusedKernels(true);
  }
  const named = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(out as Record<string, Tensor>)) {
    const v = vars.find((x) => x.name === name);
    named.set(v === temperature.logT ? 'logTemperature' : v ? stableName(v) : name, (await t.data()) as Float32Array);
  }
  tf.dispose(out);
  disposeBatch(bt);
  temperature.dispose();
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return named;
}

async function expectParity(overrides: Partial<Config>) {
  const cfg = tinyConfig(meta, overrides);
  const fused = await lossAndGrads(cfg, true);
  const plain = await lossAndGrads(cfg, false);
  expect([...fused.keys()].sort()).toEqual([...plain.keys()].sort());
  // A gradient that is zero in exact arithmetic is rounding noise on both paths (V6: every candidate's task token
  // sees the same tokens, so the candidates' logits are equal and the InfoNCE and candidate-query gradients
  // vanish, ~5e-9 against a largest gradient of ~2): each is measured against at least 1e-4 of the model's largest
  // gradient, so a difference under 1e-8 of it (a tenth of float32's resolution) passes.
  const maxAbs = (a: Float32Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const floor = 1e-4 * Math.max(...[...plain.entries()].filter(([n]) => n !== 'value').map(([, g]) => maxAbs(g)));
  const bad: string[] = [];
  for (const [name, ref] of plain) {
    const got = fused.get(name)!;
    expect(Array.from(got).every(Number.isFinite), name).toBe(true);
    const e = got.length === ref.length ? maxAbs(got.map((x, i) => x - ref[i])) / Math.max(maxAbs(ref), floor) : Infinity;
    if (!(e <= 1e-4)) bad.push(`${name}: ${e.toExponential(2)}`);
  }
  expect(bad, 'relative error over 1e-4 (loss = value)').toEqual([]);
}

const cases: [string, Partial<Config>][] = [
  ['OneRank, detachment on (cascade mask)', {}],
  ['OneRank, detachment off', { detach: false }],
  ['OneRank, per-edge detachment', { detachEdges: '000;100;010' }],
  ['OneRank, 2 layers, bilinear scorer', { layers: 2, scorer: 'bilinear' }],
  ...(['V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const).map((v): [string, Partial<Config>] => [`OneRank ${v}`, { ablation: v }]),
  ...(['parallel', 'full', 'cascade'] as const).map((m): [string, Partial<Config>] => [`OneRank, ${m} cross-task mask`, { crossTaskMask: m }]),
  ['OneRank, custom cross-task mask', { crossTaskMask: 'custom', customTaskMask: '100;110;101' }],
  ['Shared-Bottom', { model: 'sharedbottom' }],
  ['MMoE', { model: 'mmoe' }],
  ['PLE', { model: 'ple' }],
];

describe('fused = plain on webgpu: loss and every gradient, same weights and batch', () => {
  for (const [name, overrides] of cases) it(name, () => expectParity(overrides), 300_000);

  it('numTensors stays flat over fused webgpu training steps, a probe and an evaluation', async () => {
    const ds = smallShop({ requests: 60, candidates: 3, historyLen: 3 });
    const start = tf.memory().numTensors;
    const trainer = Trainer.create(ds, tinyTrainConfig(ds, { batchSize: 4, fused: true }));
    // From step 2 on, steps are recorded until two in a row match (kernels/recordedStep.ts; a constant uploaded on
    // first use can make the first differ): the kept recording then holds its inputs and output, a fixed count.
    do await trainer.trainStep();
    while (trainer.recordedStep.dispatches === 0 && trainer.step < 6);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainer.trainStep();
    expect(tf.memory().numTensors).toBe(after1);
    await trainer.probe(); // keeps its fixed probe batch
    const afterProbe = tf.memory().numTensors;
    await trainer.trainStep();
    await trainer.probe();
    await trainer.evaluate();
    expect(tf.memory().numTensors).toBe(afterProbe);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  }, 300_000);
});
