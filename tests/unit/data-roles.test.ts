// Roles come from the data's structure first and names second: the shop world's CSV and the real samples in
// ../shared/data, renamed into Chinese, into an unfamiliar convention (k1.., y1,y2,y3, stage_b) and shuffled,
// infer the same roles and the same funnel order as the English originals.
// Seen failing on broken code: labels read from names only (the shop, funnel and item-attribute tests), '购买'
// dropped from the word list (the real samples), evidence phrases left empty (the evidence test).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferSchema } from '../../src/engine/data/infer';
import { parseCsv } from '../../src/engine/data/parse';
import { rolesOf, type DatasetSchema } from '../../src/engine/data/schema';
import { shopToCsv } from '../../src/engine/data/synthetic';
import { SHARED_DATA } from './helpers/data';

/** A CSV (no quoted cells) with its columns renamed by `names` and put in the order `perm` (indices). */
function transform(csv: string, names: Record<string, string>, perm?: number[]): string {
  const lines = csv.trim().split('\n').map((l) => l.split(','));
  const order = perm ?? lines[0].map((_, i) => i);
  lines[0] = lines[0].map((h) => names[h] ?? h);
  return lines.map((cells) => order.map((i) => cells[i]).join(',')).join('\n') + '\n';
}

async function infer(csv: string, name = 'file.csv') {
  return inferSchema(await parseCsv(new Blob([csv]), { fileName: name }));
}

/** Roles and task order in the original names (so renamed files compare with the original directly). */
function inOriginalNames(schema: DatasetSchema, names: Record<string, string>) {
  const back = new Map(Object.entries(names).map(([k, v]) => [v, k]));
  const orig = (n: string) => back.get(n) ?? n;
  const roles = Object.fromEntries(Object.entries(rolesOf(schema)).map(([k, v]) => [orig(k), v]));
  const sides = Object.fromEntries(schema.columns.filter((c) => c.side).map((c) => [orig(c.name), c.side]));
  return { roles, sides, taskOrder: schema.taskOrder.map(orig) };
}

/** A fixed shuffle of n columns (reversed halves interleaved: every column moves). */
function shuffled(n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => n - 1 - i);
  return [...idx.filter((_, i) => i % 2 === 1), ...idx.filter((_, i) => i % 2 === 0)];
}

const SHOP = shopToCsv({ requests: 800 });
const SHOP_ZH: Record<string, string> = {
  request_id: '请求ID', user_id: '用户ID', item_id: '商品ID', history: '历史行为', segment: '分群', device: '设备', hour: '小时',
  budget: '预算', ts: '时间', category: '类目', price: '价格', tags: '标记', click: '点击', cart: '加购', order: '购买',
};
// Nothing here is in any word list: only the structure can tell.
const SHOP_OPAQUE: Record<string, string> = {
  request_id: 'k1', user_id: 'k2', item_id: 'k3', history: 'seq', segment: 'f1', device: 'f2', hour: 'f3', budget: 'f4', ts: 'f5',
  category: 'f6', price: 'f7', tags: 'f8', click: 'y1', cart: 'y2', order: 'y3',
};

describe('roles from structure, names second', () => {
  it('the shop CSV infers the same roles and funnel order in English, Chinese, an opaque convention and shuffled', async () => {
    const english = await infer(SHOP);
    const want = inOriginalNames(english.schema, {});
    expect(want.taskOrder).toEqual(['click', 'cart', 'order']);
    expect(english.funnel.map((l) => `${l.inner}<${l.outer}`)).toEqual(['cart<click', 'order<cart']);
    const cols = SHOP.split('\n')[0].split(',').length;
    for (const [names, perm] of [
      [SHOP_ZH, undefined],
      [SHOP_OPAQUE, undefined],
      [{}, shuffled(cols)],
      [SHOP_ZH, shuffled(cols)],
      [SHOP_OPAQUE, shuffled(cols)],
    ] as const) {
      const got = await infer(transform(SHOP, names, perm ? [...perm] : undefined));
      expect(inOriginalNames(got.schema, names)).toEqual(want);
    }
  });

  it('a three-stage funnel where only the first stage has a known name gets three tasks, broadest first', async () => {
    // The MovieLens case of the issue: only 'click' is a label word; the stricter stages are 'stage_b', 'stage_c'.
    // (Broken on purpose once by making labels name-only: stage_b and stage_c became features and this failed.)
    const names = { cart: 'stage_b', order: 'stage_c' };
    const cols = SHOP.split('\n')[0].split(',');
    const perm = [cols.indexOf('order'), cols.indexOf('cart'), ...cols.map((_, i) => i).filter((i) => !['order', 'cart'].includes(cols[i]))];
    const got = await infer(transform(SHOP, names, perm));
    expect(got.schema.taskOrder).toEqual(['click', 'stage_b', 'stage_c']);
    expect(got.funnel).toEqual([
      { inner: 'stage_b', outer: 'click', share: 1 },
      { inner: 'stage_c', outer: 'stage_b', share: 1 },
    ]);
    const evidence = Object.fromEntries(got.profiles.map((p) => [p.name, p.evidence]));
    expect(evidence.stage_c).toMatch(/varies within requests.*a task; inside stage_b/);
  });

  it('the real samples (Ali-CCP, Census-Income) infer the same in Chinese and shuffled', async () => {
    const cases: [string, Record<string, string>][] = [
      ['ali-ccp/ali_ccp_train_sample.csv', { click: '点击', purchase: '购买' }],
      ['census-income/census_income_train_sample.csv', { income: '收入' }],
    ];
    for (const [path, names] of cases) {
      const csv = readFileSync(resolve(SHARED_DATA, path), 'utf8');
      const want = inOriginalNames((await infer(csv)).schema, {});
      const cols = csv.split('\n')[0].split(',').length;
      expect(inOriginalNames((await infer(transform(csv, names))).schema, names)).toEqual(want);
      expect(inOriginalNames((await infer(transform(csv, names, shuffled(cols)))).schema, names)).toEqual(want);
    }
  });

  it('every column carries its evidence in a short phrase', async () => {
    const { profiles } = await infer(SHOP);
    const evidence = Object.fromEntries(profiles.map((p) => [p.name, p.evidence]));
    for (const p of profiles) expect(p.evidence.length).toBeGreaterThan(5);
    expect(evidence.request_id).toMatch(/groups rows into 800 requests of ~10.*request id/);
    expect(evidence.user_id).toMatch(/constant within requests, \d+ users, repeats across requests.*user id/);
    expect(evidence.item_id).toMatch(/varies within requests.*fills the history lists.*candidate item id/);
    expect(evidence.click).toMatch(/^0\/1, varies within requests .*a task/);
    expect(evidence.ts).toMatch(/Unix times/);
    expect(evidence.device).toMatch(/constant within requests: context/);
  });

  it('a 0/1 column fixed per item is an item attribute, not a task; one constant within requests is a context flag', async () => {
    const lines = SHOP.trim().split('\n');
    const cols = lines[0].split(',');
    const item = cols.indexOf('item_id');
    const device = cols.indexOf('device');
    // on_sale: 1 for every third item, whatever the request; mobile: 1 when the request's device is mobile.
    const csv = [
      `${lines[0]},on_sale,mobile`,
      ...lines.slice(1).map((l) => {
        const c = l.split(',');
        return `${l},${Number(c[item].slice(1)) % 3 === 0 ? 1 : 0},${c[device] === 'mobile' ? 1 : 0}`;
      }),
    ].join('\n');
    const { schema, profiles } = await infer(csv);
    expect(rolesOf(schema).on_sale).toBe('categorical');
    expect(rolesOf(schema).mobile).toBe('categorical');
    expect(schema.taskOrder).toEqual(['click', 'cart', 'order']);
    expect(profiles.find((p) => p.name === 'on_sale')?.evidence).toMatch(/fixed per item/);
    expect(profiles.find((p) => p.name === 'mobile')?.evidence).toMatch(/constant within requests: a context flag/);
  });
});
