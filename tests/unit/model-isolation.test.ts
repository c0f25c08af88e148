// What the structured mask and the padding promise: no leak across requests, across task tokens, from padding.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/engine/config';
import type { Batch } from '../../src/engine/data/types';
import { batchToTensors, buildModel, buildOneRank, disposeBatch, keyRealOf } from '../../src/engine/model';
import { keyPadding } from '../../src/engine/model/trunk';
import { useBackend as selectBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';
import { awake } from './helpers/awake';

const tf = await selectBackend('cpu');
const meta = tinyMeta({ tasks: 3, maxCandidates: 4, historyLen: 3 });
const N = meta.maxCandidates;

async function logits(cfg: Config, batch: Batch): Promise<number[][][]> {
  const model = awake(buildModel(cfg, meta));
  const bt = batchToTensors(batch, meta);
  const out = model.forward(bt, { training: false }).logits;
  const v = (await out.array()) as number[][][];
  out.dispose();
  disposeBatch(bt);
  model.dispose();
  return v;
}

const clone = (b: Batch): Batch =>
  Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'number' ? v : (v as Int32Array).slice()])) as unknown as Batch;

const CONFIGS: [string, Partial<Config>][] = [
  ['OneRank', {}],
  ['OneRank V6', { ablation: 'V6' }],
  ['OneRank V5', { ablation: 'V5' }],
  ['MMoE', { model: 'mmoe' }],
];

describe('no leak across requests', () => {
  for (const [name, over] of CONFIGS) {
    it(name, async () => {
      const cfg = tinyConfig(meta, over);
      const a = randomBatch(meta, 3, { seed: 5, minCandidates: 2 });
      const b = clone(a);
      const fc = meta.features.candCat.length;
      // Rewrite request 1 entirely: its candidates, their features, its history, its context.
      for (let i = 0; i < N; i++) {
        b.candItem[N + i] = 1 + ((a.candItem[N + i] + 3) % (meta.itemVocabSize - 1));
        b.candMask[N + i] = 1;
        for (let f = 0; f < fc; f++) b.candCat[(N + i) * fc + f] = 2 + ((a.candCat[(N + i) * fc + f] + 1) % 4);
      }
      for (let j = 0; j < b.candNum.length / 3; j++) b.candNum[b.candNum.length / 3 + j] += 1.5;
      b.history.fill(3, meta.historyLen, 2 * meta.historyLen);
      b.ctxNum[1] += 2;
      const la = await logits(cfg, a);
      const lb = await logits(cfg, b);
      expect(lb[0]).toEqual(la[0]);
      expect(lb[2]).toEqual(la[2]);
      expect(lb[1]).not.toEqual(la[1]);
    });
  }
});

describe('padding candidates change nothing for the real ones', () => {
  for (const [name, over] of CONFIGS) {
    it(name, async () => {
      const cfg = tinyConfig(meta, over);
      const a = randomBatch(meta, 3, { seed: 8, minCandidates: 1 });
      expect(Array.from(a.candMask).some((m) => m === 0)).toBe(true);
      const b = clone(a);
      const fc = meta.features.candCat.length;
      const fn = meta.features.candNum.length;
      for (let j = 0; j < a.candMask.length; j++)
        if (!a.candMask[j]) {
          b.candItem[j] = 2 + (j % 5);
          for (let f = 0; f < fc; f++) b.candCat[j * fc + f] = 3;
          for (let f = 0; f < fn; f++) b.candNum[j * fn + f] = 4;
        }
      const la = await logits(cfg, a);
      const lb = await logits(cfg, b);
      for (let r = 0; r < 3; r++) for (let i = 0; i < N; i++) if (a.candMask[r * N + i]) expect(lb[r][i]).toEqual(la[r][i]);
    });
  }
});

describe('task tokens are mutually invisible', () => {
  async function trunkOutputs(ablation: Config['ablation'], perturbTask: number | null): Promise<number[][][][]> {
    const model = awake(buildOneRank(tinyConfig(meta, { ablation, seed: 2 }), meta));
    if (perturbTask !== null) {
      const e = model.taskTokens.embedding!;
      tf.tidy(() => e.assign(tf.add(e, tf.oneHot([perturbTask], e.shape[0]).reshape([-1, 1]).mul(0.7))));
    }
    const bt = batchToTensors(randomBatch(meta, 2, { seed: 4, minCandidates: 2 }), meta);
    const r = tf.tidy(() => model.forwardParts(bt, { training: false }).r);
    const v = (await r.array()) as number[][][][];
    r.dispose();
    disposeBatch(bt);
    model.dispose();
    return v;
  }
  const slot = (r: number[][][][], k: number) => r.map((req) => req.map((cand) => cand[k]));

  it("changing task j's token leaves r[.][k] (k != j) bit-identical, and changes r[.][j]", async () => {
    const base = await trunkOutputs('none', null);
    for (let j = 0; j < 3; j++) {
      const moved = await trunkOutputs('none', j);
      for (let k = 0; k < 3; k++) {
        if (k === j) expect(slot(moved, k)).not.toEqual(slot(base, k));
        else expect(slot(moved, k)).toEqual(slot(base, k));
      }
    }
  });

  it('the same probe does see the leak under V6 (full bidirectional attention)', async () => {
    const base = await trunkOutputs('V6', null);
    const moved = await trunkOutputs('V6', 0);
    expect(slot(moved, 1)).not.toEqual(slot(base, 1));
  });
});

describe('batched key padding', () => {
  it('equals mask.ts keyRealOf on every row', async () => {
    const model = awake(buildOneRank(tinyConfig(meta), meta));
    const batch = randomBatch(meta, 4, { seed: 9, minCandidates: 1 });
    const bt = batchToTensors(batch, meta);
    const t = keyPadding(bt, model.layout);
    const rows = (await t.array()) as number[][];
    const H = meta.historyLen;
    rows.forEach((row, b) =>
      expect(row).toEqual(keyRealOf(model.layout, batch.history.subarray(b * H, (b + 1) * H), batch.candMask.subarray(b * N, (b + 1) * N))),
    );
    expect(rows.flat().some((x) => x === 0)).toBe(true);
    t.dispose();
    disposeBatch(bt);
    model.dispose();
  });
});
