// The ids the embedding lookups read, worked out on the CPU (model/embeddingIds.ts): shifted into the group's
// concatenated tables, and the weights of a multi-valued feature's mean; and the tokenizer built on them gives the
// embeddings looked up table by table, on any backend.
// Shown to fail: offsets from the vocabulary without the 2-row floor (`s.vocabSize`: the 1-row table case), the
// feature index taken without `% F` (the second request's ids), and a count without its floor of 1 (the empty
// feature's count; the tokenizer case: NaN from 0 / 0).
import { describe, expect, it } from 'vitest';
import { offsetIds, slotCounts, slotPresent, tableOffsets } from '../../src/engine/model/embeddingIds';
import type { FeatureSpec } from '../../src/engine/data/types';
import { batchToTensors, buildModel, disposeBatch, stableName } from '../../src/engine/model';
import { useBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta } from './helpers/tinyMeta';

const tf = await useBackend('cpu');
const spec = (name: string, vocabSize: number) => ({ name, vocabSize }) as FeatureSpec;

describe('embedding ids', () => {
  it('shifts each feature into its table (tables of at least 2 rows)', () => {
    const offsets = tableOffsets([spec('a', 5), spec('b', 1), spec('c', 3)]);
    expect(offsets).toEqual([0, 5, 7]);
    // two requests of three features
    expect(Array.from(offsetIds(Int32Array.of(1, 0, 2, 4, 1, 0), offsets, 1))).toEqual([1, 5, 9, 4, 6, 7]);
    // multi-valued: two features of 2 slots each
    expect(Array.from(offsetIds(Int32Array.of(1, 2, 0, 1), [0, 10], 2))).toEqual([1, 2, 10, 11]);
  });

  it('marks the non-empty slots of a multi-valued feature and counts them (at least 1: an empty feature means 0)', () => {
    const ids = Int32Array.of(3, 0, 5, 0, 0, 0, 0, 0, 7, 1, 1, 2);
    expect(Array.from(slotPresent(ids))).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(slotCounts(ids, 4))).toEqual([2, 1, 4]);
  });

  it('the tokens equal the tables looked up one by one: the SD token = bias + cat rows + the multi means + numeric', async () => {
    const before = tf.memory().numTensors;
    const meta = tinyMeta({ historyLen: 2, maxCandidates: 3, ctxMulti: 2 });
    const model = buildModel(tinyConfig(meta, {}), meta);
    const batch = randomBatch(meta, 4, { seed: 5, minCandidates: 1 });
    const bt = batchToTensors(batch, meta);
    const byName = new Map(model.variables.map((v) => [stableName(v), v]));
    const f = meta.features;
    const M = meta.multiLen;
    const tokenizer = (model as unknown as { tokenizer: { situation(b: typeof bt): import('@tensorflow/tfjs').Tensor } }).tokenizer;
    const sd = tf.tidy(() => tokenizer.situation(bt));
    const got = await sd.array();
    const rows = async (name: string) => (await byName.get(name)!.array()) as number[][];
    const bias = (await byName.get('tokenizer/ctx/bias')!.array()) as number[];
    const num = f.ctxNum.length ? await rows('tokenizer/ctx/num') : [];
    for (let b = 0; b < 4; b++) {
      const want = [...bias];
      const add = (v: number[], w = 1) => v.forEach((x, i) => (want[i] += w * x));
      for (let j = 0; j < f.ctxCat.length; j++) add((await rows(`tokenizer/ctx/cat/${f.ctxCat[j].name}`))[batch.ctxCat[b * f.ctxCat.length + j]]);
      for (let j = 0; j < f.ctxMulti.length; j++) {
        const ids = Array.from(batch.ctxMulti.subarray((b * f.ctxMulti.length + j) * M, (b * f.ctxMulti.length + j + 1) * M)).filter((id) => id > 0);
        const table = await rows(`tokenizer/ctx/multi/${f.ctxMulti[j].name}`);
        for (const id of ids) add(table[id], 1 / ids.length);
      }
      for (let j = 0; j < f.ctxNum.length; j++) add(num[j], batch.ctxNum[b * f.ctxNum.length + j]);
      (got as number[][])[b].forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
    }
    sd.dispose();
    disposeBatch(bt);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
