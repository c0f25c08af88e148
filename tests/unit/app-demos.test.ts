import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/engine/config';
import { DEFAULT_SHOP } from '../../src/engine/data/synthetic';
import { resolveSwitches } from '../../src/engine/model/switches';
import { DEMOS, planDemo, SHOP_SIZE_KEYS } from '../../src/panels/demos/demos';

const plain = { config: { ...DEFAULT_CONFIG }, shop: {} };

describe('guided demos', () => {
  it('the four demos of the issue exist, with their text filled in', () => {
    expect(DEMOS.map((d) => d.title)).toEqual(['The seesaw', 'Why detach gradients?', 'Reading the mask', 'Candidate-aware context']);
    for (const d of DEMOS) {
      expect(d.goal.length).toBeGreaterThan(20);
      expect(d.steps.length).toBeGreaterThan(0);
      expect(d.means.length).toBeGreaterThan(40);
      expect(d.claims.length).toBeGreaterThan(0);
      expect(d.runs.length).toBeGreaterThanOrEqual(2);
    }
  });
  it('every run is a valid config, and the runs differ in what the demo is about', () => {
    for (const d of DEMOS) {
      const plans = planDemo(d, plain);
      expect(new Set(plans.map((p) => p.name)).size).toBe(plans.length);
      for (const p of plans) {
        expect(p.config.d % p.config.heads).toBe(0);
        for (const k of Object.keys(p.shop)) expect(Object.keys(DEFAULT_SHOP)).toContain(k);
      }
    }
    const [sb, mmoe, or] = planDemo(DEMOS[0], plain).map((p) => p.config.model);
    expect([sb, mmoe, or]).toEqual(['sharedbottom', 'mmoe', 'onerank']);
    expect(planDemo(DEMOS[1], plain).map((p) => resolveSwitches(p.config).detach)).toEqual([true, false]);
    expect(planDemo(DEMOS[2], plain).map((p) => resolveSwitches(p.config).attentionMask)).toEqual(['structured', 'bidirectional']);
    expect(planDemo(DEMOS[3], plain).map((p) => resolveSwitches(p.config).candidateContext)).toEqual([true, false]);
  });
  it('every demo trains at the one size its text was measured at; the seesaw squeezes the shared layer to one unit', () => {
    for (const d of DEMOS) {
      for (const p of planDemo(d, plain)) {
        const c = p.config;
        expect([c.d, c.layers, c.heads, c.batchSize, c.lr, c.steps, c.historyLen, c.maxCandidates], `${p.name}`).toEqual([16, 1, 2, 64, 0.01, 300, 10, 10]);
        expect(p.shop.historyLen).toBe('10');
      }
    }
    const seesaw = planDemo(DEMOS[0], plain);
    expect(seesaw.map((p) => [p.config.model, p.config.expertHidden])).toEqual([['sharedbottom', 1], ['mmoe', 1], ['onerank', 1]]);
    expect(seesaw[0].shop.conflict).toBe('1');
  });
  it('a link that shrinks sizes gives tiny demos, but never overrides what the demo is about', () => {
    const tiny = { config: { ...DEFAULT_CONFIG, d: 8, layers: 1, model: 'ple' as const, detach: false }, shop: { requests: '200', conflict: '0' } };
    const plans = planDemo(DEMOS[1], tiny);
    expect(plans.map((p) => [p.config.d, p.config.layers, p.config.model, p.config.detach])).toEqual([
      [8, 1, 'onerank', true],
      [8, 1, 'onerank', false],
    ]);
    expect(plans[0].shop).toEqual({ ...DEMOS[1].shop, requests: '200' });
    expect(SHOP_SIZE_KEYS).not.toContain('conflict');
  });
});
