// Chart axes that follow what matters: the loss range after the first steps (the rest of training no longer sits
// in the bottom 15%), a log option, AUC kept in [0, 1] with a sane narrowest range, and one evaluation not
// spanning -1..1. Shown to fail: with follow ignored (from = -Infinity) the first test sees the initial loss 2.0;
// with the old x domain ([x - 1, x + 1]) one evaluation at step 0 spans -1..1.
import { describe, expect, it } from 'vitest';
import { FOLLOW_SKIP, logTickLabel, xDomain, yDomainOf } from '../../src/charts/scale';

const loss = Array.from({ length: 101 }, (_, i) => ({ x: i, y: i === 0 ? 2 : 0.4 + 0.1 / (1 + i) }));

describe('chart axes', () => {
  it('the loss range follows the data after the first steps; the full range is one option away', () => {
    const [lo, hi] = yDomainOf([loss], { follow: true });
    expect(hi).toBeLessThan(0.45);
    expect(lo).toBeGreaterThan(0.39);
    expect(yDomainOf([loss], {})[1]).toBeGreaterThan(2);
    expect(FOLLOW_SKIP).toBeLessThanOrEqual(0.2);
  });

  it('the newest point is always in range, even inside the skipped start', () => {
    const short = [{ x: 0, y: 2 }, { x: 1, y: 5 }];
    expect(yDomainOf([short.slice(0, 1), [{ x: 0, y: 1 }, ...short]], { follow: true })[1]).toBeGreaterThanOrEqual(5);
  });

  it('a log axis works in log10 units and leaves out non-positive values', () => {
    const [lo, hi] = yDomainOf([[{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 0.01 }]], { log: true });
    expect(lo).toBeLessThanOrEqual(-2);
    expect(hi).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(0.5);
    expect(logTickLabel(-2)).toBe('0.01');
  });

  it('AUC with one evaluation: a narrow range inside [0, 1] around it, x from its step on', () => {
    const one = [[{ x: 0, y: 0.5 }], [{ x: 0, y: 0.51 }]];
    const [lo, hi] = yDomainOf(one, { clamp: [0, 1], minSpan: 0.05 });
    expect(lo).toBeGreaterThanOrEqual(0.4);
    expect(hi).toBeLessThanOrEqual(0.6);
    expect(hi - lo).toBeGreaterThanOrEqual(0.05 - 1e-12);
    const [a, b] = yDomainOf([[{ x: 0, y: 0.99 }]], { clamp: [0, 1], minSpan: 0.05 });
    expect(b).toBe(1);
    expect(a).toBeGreaterThan(0.85);
    expect(a).toBeLessThan(0.96);
    expect(xDomain(0, 0)).toEqual([0, 1]);
    expect(xDomain(25, 25)).toEqual([25, 26]);
  });
});

describe('demo charts zoom on the effect', () => {
  it('a 0.03 dip late in training fills a third of the AUC axis, not 5% of it', async () => {
    const { DEMO_ZOOM } = await import('../../src/panels/demos/DemoCharts');
    // Click AUC: 0.5 at step 0, climbs to 0.88 by step 100, then slips to 0.85 at step 300 (the seesaw).
    const click = Array.from({ length: 13 }, (_, i) => ({ x: i * 25, y: i === 0 ? 0.5 : i <= 4 ? 0.5 + 0.095 * i : 0.88 - (0.03 * (i - 4)) / 8 }));
    const [lo, hi] = yDomainOf([click], DEMO_ZOOM);
    expect(0.03 / (hi - lo)).toBeGreaterThan(0.3);
    const [flo, fhi] = yDomainOf([click], { clamp: [0, 1] });
    expect(0.03 / (fhi - flo)).toBeLessThan(0.1);
  });
});

describe('the smoothed training loss', () => {
  it('starts at the first value (bias-corrected), keeps a constant constant, and tames batch noise', async () => {
    const { smoothed } = await import('../../src/panels/train/series');
    expect(smoothed([{ x: 1, y: 0.7 }])[0].y).toBeCloseTo(0.7, 12);
    expect(smoothed(Array.from({ length: 5 }, (_, i) => ({ x: i, y: 0.3 }))).every((p) => Math.abs(p.y - 0.3) < 1e-12)).toBe(true);
    // Alternating +-0.1 around a falling trend: the smoothed line stays within 0.03 of the trend after 20 steps.
    const noisy = Array.from({ length: 100 }, (_, i) => ({ x: i, y: 0.6 - 0.001 * i + (i % 2 ? 0.1 : -0.1) }));
    const s = smoothed(noisy);
    for (const p of s.slice(20)) expect(Math.abs(p.y - (0.6 - 0.001 * p.x))).toBeLessThan(0.03);
    expect(smoothed([{ x: 0, y: NaN }, { x: 1, y: 1 }]).map((p) => p.x)).toEqual([1]);
  });
});
