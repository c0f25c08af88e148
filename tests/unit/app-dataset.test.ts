// The dataset panel's pure helpers (schema edits, error actions, formatting) and its engine additions
// (preflight, shop knobs), on real tables and real DataErrors from the engine.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP, encode, inferSchema, isDataError, parseCsv, tableFromRows, type DataError } from '../../src/engine/data';
import { columnExamples, preflight } from '../../src/engine/data/preflight';
import { knobsFromShopOptions, shopOptionsFromKnobs } from '../../src/engine/data/shopKnobs';
import { actionsFor, labelChoices, raggedCount } from '../../src/panels/dataset/errorActions';
import { datasetNameFromFile, formatRate, progressFraction } from '../../src/panels/dataset/format';
import { moveTask, setRole, setSide, setThreshold } from '../../src/panels/dataset/schemaEdit';
import { shopKnobValues, withDefaultShop, withShopKnob } from '../../src/panels/dataset/shopState';
import { DEFAULT_STATE, stateFromHash, stateToHash } from '../../src/app/state';
import { DEFAULT_CONFIG } from '../../src/engine/config';

function table(csv: string, name = 't.csv') {
  const [header, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  return tableFromRows(name, header, rows);
}

async function parseError(text: string, name: string): Promise<DataError> {
  try {
    await parseCsv(new Blob([text]), { fileName: name });
  } catch (e) {
    if (isDataError(e)) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('schema edits', () => {
  const t = table('request_id,user_id,item_id,click,buy,city\n1,u1,i1,0,0,a\n1,u1,i2,1,1,b\n2,u2,i1,1,0,a\n2,u2,i3,0,0,c');
  const inferred = inferSchema(t).schema;

  it('a unique role moves: the previous holder becomes ignored', () => {
    const s = setRole(inferred, 'city', 'user');
    expect(s.columns.find((c) => c.name === 'city')?.role).toBe('user');
    expect(s.columns.find((c) => c.name === 'user_id')?.role).toBe('ignore');
  });

  it('labels join and leave the task order; a threshold keeps the column a label', () => {
    expect(inferred.taskOrder).toEqual(['click', 'buy']);
    const s1 = setRole(inferred, 'click', 'categorical');
    expect(s1.taskOrder).toEqual(['buy']);
    expect(s1.columns.find((c) => c.name === 'click')?.side).toBe('context');
    const s2 = setThreshold(s1, 'click', 0.5);
    expect(s2.taskOrder).toEqual(['buy', 'click']);
    expect(s2.columns.find((c) => c.name === 'click')).toEqual({ name: 'click', role: 'label', threshold: 0.5 });
    expect(setThreshold(s2, 'click', undefined).columns.find((c) => c.name === 'click')).toEqual({ name: 'click', role: 'label' });
  });

  it('moves tasks, and stops at the ends', () => {
    expect(moveTask(inferred, 'buy', -1).taskOrder).toEqual(['buy', 'click']);
    expect(moveTask(inferred, 'click', -1)).toBe(inferred);
    expect(moveTask(inferred, 'buy', 1)).toBe(inferred);
  });

  it('sets a side; every edit still encodes', () => {
    const s = setSide(setRole(inferred, 'city', 'categorical'), 'city', 'candidate');
    expect(s.columns.find((c) => c.name === 'city')?.side).toBe('candidate');
    const ds = encode(t, moveTask(s, 'buy', -1), { maxCandidates: 4 });
    expect(ds.tasks).toEqual(['buy', 'click']);
    expect(ds.features.candCat.map((f) => f.name)).toContain('city');
  });
});

describe('preflight', () => {
  it('a label-named column with a 2 is reported with its file, row and column (and the threshold offer)', () => {
    const t = table('click,purchase,city\n0,0,a\n1,0,b\n2,1,a\n0,0,c', 'counts.csv');
    const inf = inferSchema(t);
    expect(inf.schema.taskOrder).toEqual(['purchase']);
    const e = preflight(t, inf.schema);
    expect(e?.code).toBe('label_not_binary');
    expect(e?.message).toMatch(/^counts\.csv, row 3, column 'click'/);
    expect(actionsFor(e!.toJSON()).map((a) => a.kind)).toEqual(['threshold', 'not-label']);
    // Decided by the user (here: ignored) -> no longer a problem; with a threshold -> a valid label.
    expect(preflight(t, setRole(inf.schema, 'click', 'ignore'), { decided: ['click'] })).toBeNull();
    expect(preflight(t, setThreshold(inf.schema, 'click', 0))).toBeNull();
  });

  it('no label, and a one-class task, come back as the encoder would raise them', () => {
    const t = table('click,city\n0,a\n0,b\n0,c');
    const inf = inferSchema(t);
    const single = preflight(t, setRole(inf.schema, 'click', 'label'));
    expect(single?.code).toBe('single_class');
    expect(single?.column).toBe('click');
    expect(actionsFor(single!.toJSON()).map((a) => a.kind)).toEqual(['not-label', 'pick-label']);
    const none = preflight(t, setRole(inf.schema, 'click', 'ignore'));
    expect(none?.code).toBe('no_label');
    expect(() => encode(t, setRole(inf.schema, 'click', 'ignore'))).toThrow(none!.message);
  });

  it('lists a few example values per column', () => {
    const t = table('a,b\nx,1.5\ny,2.5\nx,3.5\nz,4.5');
    expect(columnExamples(t.columns[0])).toEqual(['x', 'y', 'z']);
    expect(columnExamples(t.columns[1], 2)).toEqual(['1.5', '2.5']);
  });
});

describe('error actions', () => {
  it('reads the ragged-row count from the engine message and offers to skip', async () => {
    const e = await parseError('a,b\n1,2\n3,4,5\n6\n7,8\n', 'r.csv');
    expect(e.code).toBe('ragged_rows');
    expect(raggedCount(e.message)).toBe(2);
    expect(actionsFor(e.toJSON())).toEqual([{ kind: 'skip-ragged', count: 2 }]);
    const one = await parseError('a,b\n1,2\n3,4,5\n', 'r.csv');
    expect(raggedCount(one.message)).toBe(1);
  });

  it('file-level problems have no in-app fix', async () => {
    expect(actionsFor((await parseError('', 'e.csv')).toJSON())).toEqual([]);
  });

  it('offers 0/1 columns first as label choices, then numeric ones, never current labels or lists', () => {
    const profiles = [
      { name: 'price', binary: false, numeric: true, list: false },
      { name: 'like', binary: true, numeric: true, list: false },
      { name: 'click', binary: true, numeric: true, list: false },
      { name: 'tags', binary: false, numeric: false, list: true },
    ];
    expect(labelChoices(profiles, ['click'])).toEqual(['like', 'price']);
  });
});

describe('shop knobs', () => {
  it('round-trip through the URL form, writing only what differs from the defaults', () => {
    expect(knobsFromShopOptions(DEFAULT_SHOP)).toEqual({});
    const knobs = knobsFromShopOptions({ ...DEFAULT_SHOP, conflict: 0.9, users: 50 });
    expect(knobs).toEqual({ users: '50', conflict: '0.9' });
    expect(shopOptionsFromKnobs(knobs)).toEqual({ options: { ...DEFAULT_SHOP, conflict: 0.9, users: 50 }, problems: [] });
  });

  it('bad values fall back to the defaults and say why', () => {
    const r = shopOptionsFromKnobs({ users: 'many', conflict: '3', items: '2.5', colour: 'red' });
    expect(r.options).toEqual({ ...DEFAULT_SHOP });
    expect(r.problems).toHaveLength(4);
    expect(r.problems.join(' ')).toMatch(/users=many: not a number.*conflict=3: must be between 0 and 1.*items=2\.5: must be a whole number.*colour/);
  });

  it('refuses more candidates than items', () => {
    const r = shopOptionsFromKnobs({ items: '20', candidates: '30' });
    expect(r.options.candidates).toBeLessThanOrEqual(r.options.items);
    expect(r.problems[0]).toMatch(/candidates=30/);
  });
});

describe('shop knobs in the app state', () => {
  it('world knobs go to state.shop; H and N also set the config that training encodes with', () => {
    let s = withShopKnob(DEFAULT_STATE, 'conflict', 0.9);
    expect(s.shop).toEqual({ conflict: '0.9' });
    expect(s.config).toEqual(DEFAULT_STATE.config);
    s = withShopKnob(s, 'candidates', 16);
    expect(s.shop).toEqual({ conflict: '0.9', candidates: '16' });
    expect(s.config.maxCandidates).toBe(16);
    s = withShopKnob(s, 'historyLen', 35);
    expect(s.shop).toEqual({ conflict: '0.9', candidates: '16' });
    expect(s.config.historyLen).toBe(35);
    expect(shopKnobValues(s)).toEqual({ ...DEFAULT_SHOP, conflict: 0.9, candidates: 16, historyLen: 35 });
    // Through the URL and back.
    expect(shopKnobValues(stateFromHash(stateToHash(s)).state)).toEqual(shopKnobValues(s));
    const reset = withDefaultShop(s);
    expect(reset.shop).toEqual({});
    expect(reset.config).toEqual(DEFAULT_CONFIG);
  });
});

describe('formatting', () => {
  it('rates, progress and names', () => {
    expect(formatRate(0.1234)).toBe('12.3%');
    expect(formatRate(0.00012)).toBe('0.012%');
    expect(formatRate(0)).toBe('0.0%');
    expect(progressFraction(50, 200)).toBe(0.25);
    expect(progressFraction(10, undefined)).toBeNull();
    expect(progressFraction(300, 200)).toBe(1);
    expect(datasetNameFromFile('ali_ccp_train.csv.gz')).toBe('ali_ccp_train');
    expect(datasetNameFromFile('x.tsv')).toBe('x');
  });
});
