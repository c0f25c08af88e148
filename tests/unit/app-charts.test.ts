import { describe, expect, it } from 'vitest';
import { downsample, finitePoints, MAX_POINTS } from '../../src/charts/downsample';
import { dominates, paretoFront } from '../../src/charts/pareto';
import { relativeToBest } from '../../src/charts/seesaw';

const line = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

describe('downsample (LTTB)', () => {
  it('returns short series untouched', () => {
    const s = line(50, (i) => i * i);
    expect(downsample(s)).toBe(s);
  });
  it('caps long series at the limit, keeps first and last, keeps x increasing', () => {
    const s = line(5000, (i) => Math.sin(i / 50));
    const d = downsample(s);
    expect(d.length).toBe(MAX_POINTS);
    expect(d[0]).toBe(s[0]);
    expect(d.at(-1)).toBe(s.at(-1));
    for (let i = 1; i < d.length; i++) expect(d[i].x).toBeGreaterThan(d[i - 1].x);
  });
  it('keeps a lone spike that every-k-th sampling would drop', () => {
    const s = line(3001, (i) => (i === 1234 ? 100 : 0));
    const d = downsample(s, 50);
    expect(d.some((p) => p.y === 100)).toBe(true);
    // every 60th point misses index 1234
    expect(s.filter((_, i) => i % 60 === 0).some((p) => p.y === 100)).toBe(false);
  });
  it('finitePoints drops NaN and Infinity', () => {
    expect(finitePoints([{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: Infinity }, { x: 3, y: 2 }]).map((p) => p.x)).toEqual([0, 3]);
  });
  it('rejects a cap below 3', () => {
    expect(() => downsample(line(10, (i) => i), 2)).toThrow(/maxPoints/);
  });
});

describe('paretoFront', () => {
  it('keeps exactly the non-dominated points, sorted by x', () => {
    const pts = [
      { x: 0.6, y: 0.9 },
      { x: 0.7, y: 0.8 },
      { x: 0.65, y: 0.7 }, // dominated by (0.7, 0.8)
      { x: 0.8, y: 0.6 },
      { x: 0.5, y: 0.5 }, // dominated
      { x: 0.8, y: 0.55 }, // dominated by (0.8, 0.6)
      { x: NaN, y: 1 },
    ];
    const front = paretoFront(pts);
    expect(front).toEqual([
      { x: 0.6, y: 0.9 },
      { x: 0.7, y: 0.8 },
      { x: 0.8, y: 0.6 },
    ]);
    for (const p of pts.filter((q) => Number.isFinite(q.x))) {
      const onFront = front.includes(p);
      expect(onFront).toBe(!pts.some((q) => dominates(q, p)));
    }
  });
  it('random clouds: no front point is dominated, every other point is', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pts = Array.from({ length: 300 }, () => ({ x: rnd(), y: rnd() }));
    const front = new Set(paretoFront(pts));
    for (const p of pts) expect(front.has(p)).toBe(!pts.some((q) => dominates(q, p)));
  });
});

describe('relativeToBest', () => {
  it('is 0 at a new best and negative below it, skipping NaN', () => {
    const r = relativeToBest([
      { x: 0, y: 0.5 },
      { x: 1, y: 0.6 },
      { x: 2, y: NaN },
      { x: 3, y: 0.55 },
      { x: 4, y: 0.7 },
    ]);
    expect(r.map((p) => p.x)).toEqual([0, 1, 3, 4]);
    expect(r.map((p) => Number(p.y.toFixed(6)))).toEqual([0, 0, -0.05, 0]);
  });
});
