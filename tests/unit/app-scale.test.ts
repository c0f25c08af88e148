import { describe, expect, it } from 'vitest';
import { linear, niceTicks, resolveDomain, tickLabel } from '../../src/charts/scale';
import { pathOf } from '../../src/charts/SeriesChart';

describe('chart scales', () => {
  it('nice ticks are round, inside the range, and about as many as asked', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.512, 0.587, 4)).toEqual([0.52, 0.54, 0.56, 0.58]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(NaN, 1)).toEqual([]);
  });
  it('domains: fixed ends, functions, padding, and a flat range opened up', () => {
    expect(resolveDomain([0, 1], 0.2, 0.4)).toEqual([0, 1]);
    expect(resolveDomain(['dataMin', 'dataMax'], 0.2, 0.4)).toEqual([0.2, 0.4]);
    const [lo, hi] = resolveDomain(['auto', 'auto'], 0, 10);
    expect(lo).toBeCloseTo(-0.5);
    expect(hi).toBeCloseTo(10.5);
    expect(resolveDomain([(m) => Math.min(m * 1.1, -0.01), 0], 0, 0)).toEqual([-0.01, 0]);
    const flat = resolveDomain(['dataMin', 'dataMax'], 2, 2);
    expect(flat[0]).toBeLessThan(2);
    expect(flat[1]).toBeGreaterThan(2);
  });
  it('linear maps ends to ends; a path has one vertex per point', () => {
    const f = linear([0, 10], [100, 0]);
    expect(f(0)).toBe(100);
    expect(f(10)).toBe(0);
    expect(f(5)).toBe(50);
    const d = pathOf([{ x: 0, y: 0 }, { x: 5, y: 1 }, { x: 10, y: 0 }], linear([0, 10], [0, 100]), linear([0, 1], [50, 0]));
    expect(d).toBe('M0.0,50.0L50.0,0.0L100.0,50.0');
    expect(tickLabel(0.123456)).toBe('0.123');
    expect(tickLabel(12)).toBe('12');
  });
});
