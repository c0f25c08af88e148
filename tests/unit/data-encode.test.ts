import { describe, expect, it } from 'vitest';
import { encode } from '../../src/engine/data/encode';
import { parseCsv } from '../../src/engine/data/parse';
import { inferSchema } from '../../src/engine/data/infer';
import { rolesOf, validateSchema, withRole, type DatasetSchema } from '../../src/engine/data/schema';
import { summarize } from '../../src/engine/data/summary';
import type { EncodedDataset } from '../../src/engine/data/types';
import { dataErrorOf, fixtureBlob } from './helpers/data';

async function load(name: string) {
  const table = await parseCsv(await fixtureBlob(name), { fileName: name });
  return { table, inferred: inferSchema(table) };
}

const itemNames = (ds: EncodedDataset, ids: ArrayLike<number>) => Array.from(ids, (id) => (ds.itemVocab as string[])[id]);

describe('schema inference on a request-grouped file', () => {
  it('finds request, user, item, history, labels and feature sides', async () => {
    const { inferred } = await load('requests.csv');
    expect(rolesOf(inferred.schema)).toEqual({
      session_id: 'request',
      user_id: 'user',
      item_id: 'item',
      history: 'sequence',
      device: 'categorical',
      price: 'numeric',
      tags: 'multi',
      click: 'label',
      order: 'label',
    });
    const side = Object.fromEntries(inferred.schema.columns.map((c) => [c.name, c.side]));
    expect(side.device).toBe('context');
    expect(side.price).toBe('candidate');
    expect(side.tags).toBe('candidate');
    expect(inferred.schema.taskOrder).toEqual(['click', 'order']);
  });

  it('without a request column every row is its own request (N = 1), features are context', async () => {
    const { table, inferred } = await load('no-request.csv');
    expect(rolesOf(inferred.schema)).toEqual({ age: 'categorical', city: 'categorical', score: 'numeric', clicked: 'label' });
    const ds = encode(table, inferred.schema, { valFraction: 0.25 });
    expect(ds.numRequests).toBe(4);
    expect(ds.maxCandidates).toBe(1);
    expect(Array.from(ds.candMask)).toEqual([1, 1, 1, 1]);
    expect(Array.from(ds.candItem)).toEqual([1, 1, 1, 1]); // no item column: every candidate is OOV
    expect(ds.itemVocabSize).toBe(0);
    expect(ds.historyLen).toBe(0);
    expect(ds.features.ctxCat.map((f) => f.name)).toEqual(['age', 'city']);
    expect(ds.features.ctxNum.map((f) => f.name)).toEqual(['score']);
    expect(Array.from(ds.labels)).toEqual([1, 0, 0, 1]);
    expect(ds.trainIdx.length + ds.valIdx.length).toBe(4);
    expect(ds.valIdx.length).toBe(1);
    expect(Array.from(ds.user)).toEqual([-1, -1, -1, -1]);
  });
});

describe('encode', () => {
  it('groups rows by request (interleaved ids too) and splits oversize requests instead of dropping them', async () => {
    const { table, inferred } = await load('requests.csv');
    const whole = encode(table, inferred.schema, { split: 'time' });
    expect(whole.maxCandidates).toBe(5); // the largest request (s3)
    expect(whole.numRequests).toBe(3);
    expect(Array.from(whole.candMask)).toEqual([1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1]);

    const ds = encode(table, inferred.schema, { maxCandidates: 3, split: 'time', historyLen: 4, multiLen: 2 });
    expect(ds.maxCandidates).toBe(3);
    expect(ds.numRequests).toBe(4); // s1, s2, s3[0..3), s3[3..5)
    expect(Array.from(ds.candMask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]);
    // s2's rows are the file's rows 4 and 10; labels [click, order] follow the rows.
    expect(Array.from(ds.labels.subarray(3 * 2, 6 * 2))).toEqual([0, 0, 1, 0, 0, 0]);
    expect(summarize(ds).rows).toBe(10);
    // A split by file order (no time column): the last request (s3, both chunks) validates.
    expect(Array.from(ds.trainIdx)).toEqual([0, 1]);
    expect(Array.from(ds.valIdx)).toEqual([2, 3]);
  });

  it('builds the item vocabulary from training rows (item ids and history share it), most frequent first', async () => {
    const { table, inferred } = await load('requests.csv');
    const ds = encode(table, inferred.schema, { maxCandidates: 3, split: 'time', historyLen: 4, multiLen: 2 });
    // Training rows (s1, s2): i9 x4 (1 item + 3 history), i2 x3, i8 x3, i7 x3, i1 x2, i3 x1; ties keep first appearance.
    expect(ds.itemVocab).toEqual(['<pad>', '<oov>', 'i9', 'i2', 'i8', 'i7', 'i1', 'i3']);
    expect(ds.itemVocabSize).toBe(8);
    // History keeps the most recent H = 4 items, left-padded; unseen (validation-only) items are OOV.
    expect(itemNames(ds, ds.history.subarray(0, 4))).toEqual(['<pad>', 'i9', 'i8', 'i7']);
    expect(itemNames(ds, ds.history.subarray(4, 8))).toEqual(['<pad>', '<pad>', '<pad>', 'i2']);
    expect(itemNames(ds, ds.history.subarray(8, 12))).toEqual(['i3', '<oov>', '<oov>', '<oov>']);
    expect(itemNames(ds, ds.candItem.subarray(0, 6))).toEqual(['i1', 'i2', 'i3', 'i1', 'i9', '<pad>']);
  });

  it('standardizes numbers with training statistics (missing -> 0) and pads multi-valued features', async () => {
    const { table, inferred } = await load('requests.csv');
    const ds = encode(table, inferred.schema, { maxCandidates: 3, split: 'time', historyLen: 4, multiLen: 2 });
    const train = [10.5, 20.0, 12.25, 7.5]; // s1 and s2 prices; s1's third price is missing
    const mean = train.reduce((a, b) => a + b) / train.length;
    const std = Math.sqrt(train.reduce((a, b) => a + (b - mean) ** 2, 0) / train.length);
    const price = ds.features.candNum[0];
    expect(price.name).toBe('price');
    expect(price.mean).toBeCloseTo(mean, 10);
    expect(price.std).toBeCloseTo(std, 10);
    expect(ds.candNum[0]).toBeCloseTo((10.5 - mean) / std, 5);
    expect(ds.candNum[2]).toBe(0); // missing
    expect(ds.candNum[6]).toBeCloseTo((8.0 - mean) / std, 5); // validation rows use training stats
    const tags = ds.features.candMulti[0];
    const tagNames = (at: number) => Array.from(ds.candMulti.subarray(at * 2, at * 2 + 2), (id) => (tags.vocab as string[])[id]);
    expect(tagNames(2)).toEqual(['c', 'a']); // 'c|a|b' keeps its first M = 2 tokens
    expect(tagNames(1)).toEqual(['b', '<pad>']);
    expect(tagNames(6)).toEqual(['<pad>', '<pad>']); // empty cell
    // The user column is the GAUC key and a context feature.
    expect(Array.from(ds.user)).toEqual([0, 1, 0, 0]);
    expect(ds.features.ctxCat.map((f) => f.name)).toEqual(['user_id', 'device']);
    expect(ds.positiveRate[0]).toBeCloseTo(3 / 5, 6); // clicks over the 5 training candidates
    expect(ds.positiveRate[1]).toBeCloseTo(1 / 5, 6);
  });

  it('maps rare tokens to OOV with minCount, and missing categories to OOV', async () => {
    const { table, inferred } = await load('requests.csv');
    const ds = encode(table, inferred.schema, { split: 'time', minCount: 2 });
    const device = ds.features.ctxCat.find((f) => f.name === 'device');
    expect(device?.vocab).toEqual(['<pad>', '<oov>', 'mobile', 'desktop']);
    expect(ds.itemVocab).toEqual(['<pad>', '<oov>', 'i9', 'i2', 'i8', 'i7', 'i1']); // i3 (seen once) is gone
  });

  it('splits randomly by request, reproducibly with a seed', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `r${i >> 1},u${i % 7},i${i % 13},${i % 3},${(i * 7) % 2}`);
    const text = 'request_id,user_id,item_id,color,click\n' + rows.join('\n');
    const table = await parseCsv(new Blob([text]), { fileName: 'r.csv' });
    const { schema } = inferSchema(table);
    const a = encode(table, schema, { seed: 1, valFraction: 0.25 });
    const b = encode(table, schema, { seed: 1, valFraction: 0.25 });
    const c = encode(table, schema, { seed: 2, valFraction: 0.25 });
    expect(a.numRequests).toBe(100);
    expect(a.valIdx.length).toBe(25);
    expect(Array.from(a.valIdx)).toEqual(Array.from(b.valIdx));
    expect(Array.from(a.valIdx)).not.toEqual(Array.from(c.valIdx));
    expect(new Set([...a.trainIdx, ...a.valIdx]).size).toBe(100);
  });

  it('splits by time when a time column exists: the latest requests validate', async () => {
    const text = 'request_id,ts,item_id,click\n' + [5, 1, 4, 2, 3].flatMap((t, r) => [`q${r},${t * 100},i1,1`, `q${r},${t * 100},i2,0`]).join('\n');
    const table = await parseCsv(new Blob([text]), { fileName: 't.csv' });
    const { schema } = inferSchema(table);
    expect(rolesOf(schema).ts).toBe('time');
    const ds = encode(table, schema, { split: 'time', valFraction: 0.4 });
    expect(Array.from(ds.time)).toEqual([500, 100, 400, 200, 300]);
    expect(Array.from(ds.valIdx)).toEqual([0, 2]); // times 500 and 400
  });
});

describe('label and schema validation', () => {
  it('no label column', async () => {
    const { table, inferred } = await load('no-label.csv');
    const e = await dataErrorOf(() => encode(table, inferred.schema));
    expect(e.code).toBe('no_label');
    expect(e.hint).toContain('score');
  });

  it('a label with values other than 0/1 asks for a threshold, and works with one', async () => {
    const { table, inferred } = await load('ratings.csv');
    expect(rolesOf(inferred.schema).rated).toBe('categorical'); // 1..5 is not binary, so not inferred as a label
    const asLabel = withRole(inferred.schema, 'rated', 'label');
    const e = await dataErrorOf(() => encode(table, asLabel));
    expect(e.code).toBe('label_not_binary');
    expect(e.row).toBe(1);
    expect(e.column).toBe('rated');
    expect(e.hint).toContain('threshold');
    const withThreshold: DatasetSchema = { ...asLabel, columns: asLabel.columns.map((c) => (c.name === 'rated' ? { ...c, threshold: 3 } : c)) };
    const ds = encode(table, withThreshold, { split: 'time', valFraction: 0.25 });
    expect(Array.from(ds.labels)).toEqual([1, 0, 1, 0]);
  });

  it('a task with only one class', async () => {
    const { table, inferred } = await load('single-class.csv');
    const e = await dataErrorOf(() => encode(table, inferred.schema));
    expect(e.code).toBe('single_class');
    expect(e.column).toBe('click');
  });

  it('a header with no rows', async () => {
    const { table, inferred } = await load('header-only.csv');
    const e = await dataErrorOf(() => encode(table, inferred.schema));
    expect(e.code).toBe('no_rows');
  });

  it('rejects a malformed or mismatched schema with clear messages', async () => {
    const { table, inferred } = await load('requests.csv');
    const bad = await dataErrorOf(() => validateSchema({ columns: [{ name: 'click', role: 'target' }], taskOrder: ['click'] }));
    expect(bad.code).toBe('bad_schema');
    expect(bad.examples?.join(' ')).toContain('columns.0.role');
    const mismatched = { ...inferred.schema, columns: [...inferred.schema.columns.filter((c) => c.name !== 'price'), { name: 'prize', role: 'numeric' }] };
    const e = await dataErrorOf(() => validateSchema(mismatched, table));
    expect(e.examples).toContain("column 'prize' is not in the file");
    expect(e.examples).toContain("the file's column 'price' is not in the schema (give it role 'ignore' to skip it)");
    const order = await dataErrorOf(() => validateSchema({ ...inferred.schema, taskOrder: ['click'] }, table));
    expect(order.examples).toContain("label column 'order' is missing from taskOrder");
    const list = await dataErrorOf(() => validateSchema(withRole(inferred.schema, 'history', 'categorical'), table));
    expect(list.message).toContain("'history' holds lists");
    // Reordering tasks is fine.
    expect(validateSchema({ ...inferred.schema, taskOrder: ['order', 'click'] }, table).taskOrder).toEqual(['order', 'click']);
    const ds = encode(table, { ...inferred.schema, taskOrder: ['order', 'click'] }, { split: 'time' });
    expect(ds.tasks).toEqual(['order', 'click']);
    expect(Array.from(ds.labels.subarray(0, 6))).toEqual([0, 1, 0, 0, 1, 1]);
  });
});
