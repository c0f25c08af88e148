// The models on webgpu (Dawn + SwiftShader in Node) must compute what they compute on cpu, on the real shop world.
// What broke there: on webgpu tf.cast(bool -> float32) only relabels the int32 buffer, and the Transpose kernel
// (which every reduction over a non-last axis runs first) cannot read such a buffer; its shader failed to compile,
// the whole queued command buffer was dropped and the logits came out NaN. Small batches hid it, because tensors
// under 1000 elements run on the CPU inside the webgpu backend: the batches of 24 and 48 requests are the ones
// that matter ([B, N, 1, M] multi-valued ids = 1152 and 2304 elements).
// Tiny sizes throughout: SwiftShader is a software GPU (about 30 s of shader compiling, then seconds per step).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { generateShop } from '../../src/engine/data';
import { metaOf, sliceBatch } from '../../src/engine/data/types';
import { batchToTensors, buildModel, disposeBatch } from '../../src/engine/model';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend, type TestBackend } from './helpers/backend';

const WEBGPU_TIMEOUT_MS = 300_000;
const tf = await useBackend('cpu');
const ds = generateShop({ requests: 120, users: 40, items: 50, candidates: 6, historyLen: 8 });
const meta = metaOf(ds);

function tinyShopConfig(model: Config['model'], batchSize: number): Config {
  return {
    ...DEFAULT_CONFIG,
    model,
    d: 8,
    layers: 1,
    heads: 2,
    batchSize,
    historyLen: meta.historyLen,
    maxCandidates: meta.maxCandidates,
    multiLen: meta.multiLen,
    experts: 2,
    expertHidden: 8,
    towerHidden: 4,
  };
}

/** Logits [B, N, K] of a freshly built model (weights are seeded, so every backend starts from the same ones). */
async function logitsOn(backend: TestBackend, model: Config['model'], B: number): Promise<Float32Array> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const m = buildModel(tinyShopConfig(model, B), meta);
  const bt = batchToTensors(sliceBatch(ds, Array.from({ length: B }, (_, i) => i)), meta);
  const out = m.forward(bt, { training: false }).logits;
  const values = (await out.data()) as Float32Array;
  out.dispose();
  disposeBatch(bt);
  m.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

/** Per step: the total loss, then per task the BCE and the InfoNCE. */
async function lossesOn(backend: TestBackend, model: Config['model'], B: number, steps: number): Promise<number[][]> {
  await useBackend(backend);
  const trainer = Trainer.create(ds, tinyShopConfig(model, B));
  const out: number[][] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const r = await trainer.trainStep(); // throws TrainingFault on a NaN loss or gradient
      out.push([r.loss, ...r.taskLoss, ...r.infoNce]);
    }
  } finally {
    trainer.dispose();
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const allFinite = (a: ArrayLike<number>) => Array.from(a).every(Number.isFinite);

describe('webgpu forward = cpu forward (shop world)', () => {
  for (const model of ['onerank', 'mmoe'] as const) {
    for (const B of [8, 48]) {
      it(`${model}, ${B} requests`, async () => {
        const cpu = await logitsOn('cpu', model, B);
        const gpu = await logitsOn('webgpu', model, B);
        expect(gpu.length).toBe(B * meta.maxCandidates * meta.tasks.length);
        expect(allFinite(cpu)).toBe(true);
        expect(allFinite(gpu)).toBe(true);
        expect(maxAbsDiff(gpu, cpu)).toBeLessThan(1e-3);
      }, WEBGPU_TIMEOUT_MS);
    }
  }
});

describe('webgpu training = cpu training (shop world)', () => {
  it('onerank, 3 steps of 24 requests: finite losses that follow cpu', async () => {
    const cpu = await lossesOn('cpu', 'onerank', 24, 3);
    const gpu = await lossesOn('webgpu', 'onerank', 24, 3);
    expect(gpu.flat().every(Number.isFinite)).toBe(true);
    // Loose: float32 sums run in another order on the GPU, and Adam amplifies tiny gradient differences a little.
    for (let s = 0; s < cpu.length; s++) {
      for (let j = 0; j < cpu[s].length; j++) expect(Math.abs(gpu[s][j] - cpu[s][j])).toBeLessThan(1e-3 + 1e-2 * Math.abs(cpu[s][j]));
    }
    // The steps did train: the loss moved.
    expect(gpu[2][0]).not.toBe(gpu[0][0]);
  }, WEBGPU_TIMEOUT_MS);
});
