// A held-out file encoded through the training dataset's vocabularies and numeric stats (encodeWithVocabulary),
// and appended to the training requests as a test split next to the training file's own train / validation split
// (withHeldOut): the validation split picks the checkpoint, the test file is only scored.
import { describe, expect, it } from 'vitest';
import { encode, encodeWithVocabulary, type EncodeOptions } from '../../src/engine/data/encode';
import { withHeldOut } from '../../src/engine/data/heldout';
import { parseCsv } from '../../src/engine/data/parse';
import { inferSchema } from '../../src/engine/data/infer';
import { withRole } from '../../src/engine/data/schema';
import type { EncodedDataset, FeatureSpec } from '../../src/engine/data/types';
import { OOV_ID } from '../../src/engine/data/vocab';
import { dataErrorOf, fixtureBlob } from './helpers/data';

const OPTIONS: Partial<EncodeOptions> = { split: 'random', valFraction: 0.34, seed: 3, historyLen: 4, maxCandidates: 4, multiLen: 2 };

// Unseen: item i99, history item zz, device tablet, user u7, tag new. Missing price on the second row.
const HELD_OUT = `session_id,user_id,item_id,history,device,price,tags,click,order
t1,u1,i2,i9|zz,tablet,20.0,b|new,1,0
t1,u1,i99,i9|zz,tablet,,a,0,1
t2,u7,i1,,mobile,1000,new|c,0,1
`;

async function training(minCount = 1) {
  const table = await parseCsv(await fixtureBlob('requests.csv'), { fileName: 'requests.csv' });
  const schema = inferSchema(table).schema;
  return { table, schema, dataset: encode(table, schema, { ...OPTIONS, minCount }) };
}

const heldOutTable = () => parseCsv(new Blob([HELD_OUT]), { fileName: 'test.csv' });
const spec = (list: FeatureSpec[], name: string) => list.find((f) => f.name === name) as FeatureSpec;
const idOf = (vocab: string[] | undefined, token: string) => {
  const id = (vocab as string[]).indexOf(token);
  return id < 2 ? OOV_ID : id;
};

describe('encodeWithVocabulary', () => {
  it.each([1, 3])('encodes the training table itself exactly as encode() did (minCount %i)', async (minCount) => {
    const { table, schema, dataset } = await training(minCount);
    // minCount 3 must have sent some known tokens to OOV, or this case would not test it.
    if (minCount === 3) expect([...dataset.candItem, ...dataset.history, ...dataset.ctxCat, ...dataset.candMulti]).toContain(OOV_ID);
    expect(encodeWithVocabulary(table, schema, dataset, { ...OPTIONS, minCount })).toEqual(dataset);
  });

  it("keeps the training shapes and meta, maps unseen values to OOV and standardizes with the training mean/std", async () => {
    const { schema, dataset: train } = await training();
    const test = encodeWithVocabulary(await heldOutTable(), schema, train, OPTIONS);
    expect(test.name).toBe('test.csv');
    for (const k of ['tasks', 'features', 'itemVocabSize', 'itemVocab', 'historyLen', 'maxCandidates', 'multiLen', 'positiveRate'] as const) {
      expect(test[k]).toEqual(train[k]);
    }
    const { maxCandidates: N, historyLen: H, multiLen: M, features: f } = train;
    expect(N).toBe(4); // the training file's, although this file's largest request has 2 rows
    expect(test.numRequests).toBe(2);
    expect(test.candMask.length).toBe(2 * N);
    const t1 = test.candMask[0] + test.candMask[1] === 2 ? 0 : 1; // request t1 has two candidates
    const t2 = 1 - t1;

    // Items and history: known ids through the training vocabulary, unseen -> OOV, padding stays 0.
    const item = (token: string) => idOf(train.itemVocab, token);
    expect(item('i99')).toBe(OOV_ID);
    expect(Array.from(test.candItem.subarray(t1 * N, t1 * N + N))).toEqual([item('i2'), OOV_ID, 0, 0]);
    expect(Array.from(test.candItem.subarray(t2 * N, t2 * N + N))).toEqual([item('i1'), 0, 0, 0]);
    expect(Array.from(test.history.subarray(t1 * H, t1 * H + H))).toEqual([0, 0, item('i9'), OOV_ID]);
    expect(Array.from(test.history.subarray(t2 * H, t2 * H + H))).toEqual([0, 0, 0, 0]);

    // Context categoricals (user_id, device): ids of the training vocabularies.
    const ctx = f.ctxCat.map((s) => s.name);
    const ctxIds = (q: number, name: string) => test.ctxCat[q * ctx.length + ctx.indexOf(name)];
    expect(ctxIds(t1, 'device')).toBe(OOV_ID); // tablet was never seen
    expect(ctxIds(t2, 'device')).toBe(idOf(spec(f.ctxCat, 'device').vocab, 'mobile'));
    expect(ctxIds(t2, 'device')).toBeGreaterThan(OOV_ID);
    expect(ctxIds(t1, 'user_id')).toBe(idOf(spec(f.ctxCat, 'user_id').vocab, 'u1'));
    expect(ctxIds(t1, 'user_id')).toBeGreaterThan(OOV_ID);
    expect(ctxIds(t2, 'user_id')).toBe(OOV_ID);

    // Multi-valued tags, M tokens per cell: 'new' is OOV, known tags keep their training ids.
    const tags = spec(f.candMulti, 'tags');
    const tagIds = (q: number, i: number) => Array.from(test.candMulti.subarray((q * N + i) * M, (q * N + i + 1) * M));
    expect(tagIds(t1, 0)).toEqual([idOf(tags.vocab, 'b'), OOV_ID]);
    expect(tagIds(t2, 0)).toEqual([OOV_ID, idOf(tags.vocab, 'c')]);

    // Numbers: the training mean and std, not this file's; missing -> exactly 0.
    const price = spec(f.candNum, 'price');
    const z = (v: number) => Math.fround((v - (price.mean as number)) / (price.std as number));
    expect(test.candNum[t1 * N]).toBe(z(20));
    expect(test.candNum[t1 * N + 1]).toBe(0);
    expect(test.candNum[t2 * N]).toBe(z(1000));
    const ownStats = encode(await heldOutTable(), schema, OPTIONS);
    expect(spec(ownStats.features.candNum, 'price').mean).not.toBeCloseTo(price.mean as number, 3);

    // Labels follow the rows.
    const K = train.tasks.length;
    expect(Array.from(test.labels.subarray(t1 * N * K, t1 * N * K + 2 * K))).toEqual([1, 0, 0, 1]);
  });

  it('refuses a file whose features are not the training ones, naming the file', async () => {
    const { schema, dataset: train } = await training();
    const e = await dataErrorOf(async () => encodeWithVocabulary(await heldOutTable(), withRole(schema, 'device', 'ignore'), train, OPTIONS));
    expect(e.code).toBe('bad_schema');
    expect(e.message).toMatch(/^test\.csv: .*ctxCat/);
  });
});

describe('withHeldOut', () => {
  it('keeps the training file\'s train / validation split and appends every test request as the test split, test users in their own groups', async () => {
    const { schema, dataset: train } = await training();
    const test = encodeWithVocabulary(await heldOutTable(), schema, train, OPTIONS);
    const joined: EncodedDataset = withHeldOut(train, test);
    const R = train.numRequests;
    expect(joined.numRequests).toBe(R + 2);
    // Shown to fail on the old withHeldOut (trainIdx = every training request, valIdx = the test requests: the
    // best checkpoint and early stopping were chosen on the test file).
    expect(train.valIdx.length).toBeGreaterThan(0);
    expect(Array.from(joined.trainIdx)).toEqual(Array.from(train.trainIdx));
    expect(Array.from(joined.valIdx)).toEqual(Array.from(train.valIdx));
    expect(Array.from(joined.testIdx!)).toEqual([R, R + 1]);
    expect(Array.from(joined.candItem.subarray(R * train.maxCandidates))).toEqual(Array.from(test.candItem));
    expect(Array.from(joined.candNum.subarray(0, train.candNum.length))).toEqual(Array.from(train.candNum));
    const trainUsers = new Set(train.user);
    for (const u of joined.user.subarray(R)) expect(trainUsers.has(u)).toBe(false);
    expect(new Set(joined.user.subarray(R)).size).toBe(new Set(test.user).size);
  });
});
