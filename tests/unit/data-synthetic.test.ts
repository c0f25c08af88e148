import { describe, expect, it } from 'vitest';
import { encode } from '../../src/engine/data/encode';
import { parseCsv } from '../../src/engine/data/parse';
import { inferSchema } from '../../src/engine/data/infer';
import { generateShop, shopEncodeOptions, shopRows, shopSchema, shopToCsv, SHOP_COLUMNS } from '../../src/engine/data/synthetic';
import { REQUEST_ARRAY_KEYS, type EncodedDataset } from '../../src/engine/data/types';
import { auc } from './helpers/data';

const ARRAYS = [...REQUEST_ARRAY_KEYS, 'trainIdx', 'valIdx'] as const;

function expectSameDataset(a: EncodedDataset, b: EncodedDataset): void {
  for (const k of ARRAYS) expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
  expect(b.features).toEqual(a.features);
  expect(b.itemVocab).toEqual(a.itemVocab);
  expect(b.positiveRate).toEqual(a.positiveRate);
  expect([b.numRequests, b.maxCandidates, b.historyLen, b.itemVocabSize]).toEqual([a.numRequests, a.maxCandidates, a.historyLen, a.itemVocabSize]);
}

const col = (name: (typeof SHOP_COLUMNS)[number]) => SHOP_COLUMNS.indexOf(name);

function correlation(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b) / n;
  const my = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('the shop world', () => {
  const small = { requests: 400, users: 100, items: 120, seed: 11 };

  it('is deterministic for a seed and changes with it', () => {
    const a = generateShop(small);
    expectSameDataset(a, generateShop(small));
    const c = generateShop({ ...small, seed: 12 });
    expect(Array.from(c.labels)).not.toEqual(Array.from(a.labels));
  });

  it('has the shape the options ask for, three funnel tasks and sensible positive rates', () => {
    const ds = generateShop({ ...small, candidates: 8, historyLen: 12 });
    expect(ds.tasks).toEqual(['click', 'cart', 'order']);
    expect(ds.numRequests).toBe(400);
    expect(ds.maxCandidates).toBe(8);
    expect(ds.historyLen).toBe(12);
    expect(ds.candMask.every((m) => m === 1)).toBe(true);
    expect(ds.trainIdx.length + ds.valIdx.length).toBe(400);
    expect(ds.valIdx.length).toBe(80);
    const [click, cart, order] = ds.positiveRate;
    expect(click).toBeGreaterThan(0.2);
    expect(click).toBeLessThan(0.35);
    expect(cart).toBeGreaterThan(0.08);
    expect(cart).toBeLessThan(0.15);
    expect(order).toBeGreaterThan(0.03);
    expect(order).toBeLessThan(0.08);
  });

  it('keeps the funnel: order implies cart implies click, in the rows and in the arrays', () => {
    const { rows } = shopRows(small);
    for (const r of rows) {
      const [click, cart, order] = [r[col('click')], r[col('cart')], r[col('order')]].map(Number);
      expect(cart <= click && order <= cart).toBe(true);
    }
    const ds = generateShop(small);
    for (let j = 0; j < ds.labels.length; j += 3) {
      expect(ds.labels[j + 1] <= ds.labels[j] && ds.labels[j + 2] <= ds.labels[j + 1]).toBe(true);
    }
  });

  it('has a learnable signal: a per-(user, category) rate from training predicts validation AUC > 0.75 on every task', () => {
    const ds = generateShop();
    const N = ds.maxCandidates;
    const K = 3;
    const catIdx = ds.features.candCat.findIndex((f) => f.name === 'category');
    const C = ds.features.candCat.length;
    const key = (q: number, i: number) => `${ds.user[q]}:${ds.candCat[(q * N + i) * C + catIdx]}`;
    const counts = new Map<string, number[]>();
    for (const q of ds.trainIdx) {
      for (let i = 0; i < N; i++) {
        const c = counts.get(key(q, i)) ?? [0, 0, 0, 0];
        c[0]++;
        for (let k = 0; k < K; k++) c[k + 1] += ds.labels[(q * N + i) * K + k];
        counts.set(key(q, i), c);
      }
    }
    for (let k = 0; k < K; k++) {
      const scores: number[] = [];
      const labels: number[] = [];
      for (const q of ds.valIdx) {
        for (let i = 0; i < N; i++) {
          const c = counts.get(key(q, i)) ?? [0, 0, 0, 0];
          scores.push((c[k + 1] + 2 * ds.positiveRate[k]) / (c[0] + 2));
          labels.push(ds.labels[(q * N + i) * K + k]);
        }
      }
      expect(auc(scores, labels), ds.tasks[k]).toBeGreaterThan(0.75);
    }
  });

  it('the conflict knob makes click chase price while order, among clicked items, avoids it', () => {
    const priceAndLabels = (conflict: number) => {
      const { rows } = shopRows({ requests: 1500, conflict, seed: 5 });
      return {
        price: rows.map((r) => Math.log(Number(r[col('price')]))),
        click: rows.map((r) => Number(r[col('click')])),
        order: rows.map((r) => Number(r[col('order')])),
      };
    };
    const hi = priceAndLabels(1);
    const none = priceAndLabels(0);
    expect(correlation(hi.price, hi.click)).toBeGreaterThan(0.1);
    const clicked = hi.click.map((c, j) => (c ? j : -1)).filter((j) => j >= 0);
    expect(correlation(clicked.map((j) => hi.price[j]), clicked.map((j) => hi.order[j]))).toBeLessThan(-0.1);
    expect(Math.abs(correlation(none.price, none.click))).toBeLessThan(0.06);
  });

  it('at high conflict the tasks truly disagree: the best click ranking is a poor order ranking, and vice versa', () => {
    // Rank by the world's true probabilities (a perfect model of one task) and score the other task's labels.
    const crossAuc = (conflict: number) => {
      const { rows, truth } = shopRows({ requests: 2000, conflict, seed: 11 });
      const y = (name: (typeof SHOP_COLUMNS)[number]) => Float32Array.from(rows, (r) => Number(r[col(name)]));
      const [pClick, , pOrder] = truth.map((t) => Float32Array.from(t));
      return {
        clickByClick: auc(pClick, y('click')),
        orderByOrder: auc(pOrder, y('order')),
        orderByClick: auc(pClick, y('order')),
        clickByOrder: auc(pOrder, y('click')),
      };
    };
    const none = crossAuc(0);
    const hi = crossAuc(1);
    // Each task stays learnable on its own...
    for (const x of [none, hi]) {
      expect(x.clickByClick).toBeGreaterThan(0.85);
      expect(x.orderByOrder).toBeGreaterThan(0.85);
    }
    // ...but without conflict each task's best ranking nearly serves the other, and with it, it does not.
    expect(none.orderByClick).toBeGreaterThan(0.88);
    expect(none.clickByOrder).toBeGreaterThan(0.88);
    expect(hi.orderByOrder - hi.orderByClick).toBeGreaterThan(0.12);
    expect(hi.clickByOrder).toBeLessThan(0.68);
    expect(none.clickByOrder - hi.clickByOrder).toBeGreaterThan(0.2);
  });

  it('round-trips through CSV: the uploaded file infers the same schema and encodes to identical arrays', async () => {
    const opts = { requests: 600, users: 150, items: 200, seed: 3 };
    const csv = shopToCsv(opts);
    expect(csv.length).toBeGreaterThan(64 * 1024); // spans several parser chunks
    const table = await parseCsv(new Blob([csv]), { fileName: 'shop.csv' });
    expect(table.numRows).toBe(600 * 10);
    const inferred = inferSchema(table).schema;
    expect(inferred).toEqual(shopSchema());
    const fromCsv = encode(table, inferred, shopEncodeOptions(opts));
    expectSameDataset(generateShop(opts), fromCsv);
  });
});
