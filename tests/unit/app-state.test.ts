import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, backendFromQuery, stateFromHash, stateToHash } from '../../src/app/state';

describe('URL state', () => {
  it('defaults serialize to an empty hash', () => {
    expect(stateToHash(DEFAULT_STATE)).toBe('');
  });
  it('round-trips config, dataset, shop knobs and tab', () => {
    const s = { ...DEFAULT_STATE, config: { ...DEFAULT_STATE.config, detach: false, layers: 3, model: 'mmoe' as const, seed: 7 }, dataset: 'u:abc', shop: { conflict: '0.9' }, tab: 'inspect' as const };
    const hash = stateToHash(s);
    expect(hash).toContain('detach=false');
    const back = stateFromHash(hash);
    expect(back.problems).toEqual([]);
    expect(back.state).toEqual(s);
  });
  it('reports bad values instead of throwing, keeping defaults', () => {
    const r = stateFromHash('#layers=banana&nonsense=1&detach=false');
    expect(r.state.config.layers).toBe(DEFAULT_STATE.config.layers);
    expect(r.state.config.detach).toBe(false);
    expect(r.problems.length).toBe(2);
    expect(r.problems[0]).toMatch(/layers/);
  });
  it('reads a forced backend from the query string', () => {
    expect(backendFromQuery('?backend=wasm')).toBe('wasm');
    expect(backendFromQuery('?backend=nope')).toBe('auto');
    expect(backendFromQuery('')).toBe('auto');
  });
});
