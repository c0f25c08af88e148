// The shop world's hard knobs (long tail, drift, new users): each does what it says, and a world with time is
// split by time. Shown to fail: with hardParts' user draw ignoring `arrive` (newcomers everywhere) the new-users
// case fails; with the trend left out of the logits the drift case fails.
import { describe, expect, it } from 'vitest';
import { shopFromKnobs } from '../../src/engine/data/shopKnobs';
import { shopRows } from '../../src/engine/data/synthetic';
import { seenUsers } from '../../src/engine/train/ids';

const small = { requests: 1500, users: 300, items: 200, candidates: 5 };

/** Per item: the mean true click probability over its impressions in rows [from, to). */
function itemClickRates(rows: string[][], truth: Float64Array[], from: number, to: number): Map<string, number> {
  const sum = new Map<string, [number, number]>();
  for (let j = from; j < to; j++) {
    const s = sum.get(rows[j][2]) ?? [0, 0];
    sum.set(rows[j][2], [s[0] + truth[0][j], s[1] + 1]);
  }
  return new Map([...sum].filter(([, [, n]]) => n >= 3).map(([k, [p, n]]) => [k, p / n]));
}

function correlation(a: number[], b: number[]): number {
  const m = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [m(a), m(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('the shop world can over-fit', () => {
  it('longTail: most requests come from few users, most users have few requests', () => {
    const perUser = (longTail: number) => {
      const counts = new Map<string, number>();
      for (const r of shopRows({ ...small, longTail }).rows.filter((_, j) => j % small.candidates === 0)) counts.set(r[1], (counts.get(r[1]) ?? 0) + 1);
      const c = [...counts.values()].sort((x, y) => y - x);
      return { top10: c.slice(0, 30).reduce((s, v) => s + v, 0) / small.requests, users: c.length };
    };
    const flat = perUser(0);
    const tail = perUser(1.2);
    expect(flat.top10).toBeLessThan(0.2);
    expect(tail.top10).toBeGreaterThan(0.5); // the top 10% of users make over half the requests
    expect(tail.users).toBeLessThan(flat.users);
  });

  it('newUsers: a time split evaluates that share of requests on users never seen in training', () => {
    const ds = shopFromKnobs({ requests: '1500', users: '300', items: '200', candidates: '5', newUsers: '0.3' }, { split: 'random' });
    const seen = seenUsers(ds, ds.valIdx)!;
    const unseen = 1 - seen.reduce((s, v) => s + v, 0) / seen.length;
    expect(unseen).toBeGreaterThan(0.22);
    expect(unseen).toBeLessThan(0.4);
    // The split is by time even though the config asked for random: the evaluation requests are the last ones.
    expect(Math.min(...Array.from(ds.valIdx, (q) => ds.time[q]))).toBeGreaterThan(Math.max(...Array.from(ds.trainIdx, (q) => ds.time[q])));
    const none = shopFromKnobs({ requests: '1500', users: '300', items: '200', candidates: '5' }, { split: 'time' });
    const seenNone = seenUsers(none, none.valIdx)!;
    expect(1 - seenNone.reduce((s, v) => s + v, 0) / seenNone.length).toBeLessThan(0.1);
  });

  it('drift: item popularity early in the log predicts it late in the log less well', () => {
    const stability = (drift: number) => {
      const { rows, truth } = shopRows({ ...small, requests: 3000, drift });
      const n = rows.length;
      const early = itemClickRates(rows, truth, 0, Math.floor(n * 0.3));
      const late = itemClickRates(rows, truth, Math.floor(n * 0.7), n);
      const items = [...early.keys()].filter((k) => late.has(k));
      return correlation(items.map((k) => early.get(k)!), items.map((k) => late.get(k)!));
    };
    const still = stability(0);
    const moving = stability(1);
    expect(still).toBeGreaterThan(0.6);
    expect(moving).toBeLessThan(still - 0.2);
  });
});
