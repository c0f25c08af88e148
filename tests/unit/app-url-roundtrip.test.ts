// Every config key survives the URL hash (stateToHash -> stateFromHash) with a value other than its default, one
// key at a time and all at once, together with the dataset, the tab and the shop knobs; values with commas,
// semicolons and many decimals come back exactly. A key added to the config is covered without editing this test.
// Shown to fail: `configDiff(DEFAULT_CONFIG, s.config).slice(1)` in stateToHash (the first changed key dropped)
// fails every test.
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, stateFromHash, stateToHash, type AppState } from '../../src/app/state';
import { CONFIG_KEYS, DEFAULT_CONFIG, type Config } from '../../src/engine/config';

/** Values a generic rule would get wrong (heads must divide d) or that exercise URL escaping. */
const CHOSEN: Partial<Record<keyof Config, string>> = {
  d: '48',
  heads: '4',
  lr: '0.0031415',
  taskWeights: '1,2.5,0.5',
  detachEdges: '010;001;100',
  customTaskMask: '100;110;101',
};

/** A valid value other than the default, as the URL would carry it. */
function otherValue(key: keyof Config): string {
  if (CHOSEN[key] !== undefined) return CHOSEN[key];
  const spec = CONFIG_KEYS[key];
  const def = DEFAULT_CONFIG[key];
  switch (spec.type) {
    case 'boolean':
      return String(!def);
    case 'int':
      return String((def as number) + 1 <= spec.max ? (def as number) + 1 : (def as number) - 1);
    case 'number': {
      const v = Math.round((spec.min + (spec.max - spec.min) * 0.37) * 1e4) / 1e4;
      return String(v === def ? v / 2 : v);
    }
    case 'enum':
      return spec.options.find((o) => o !== def)!;
    case 'string': {
      const v = ['order', '100;110;111', '1,2,3'].find((x) => spec.pattern.test(x) && x !== def);
      if (v === undefined) throw new Error(`pick a value for the string key '${key}' in CHOSEN`);
      return v;
    }
  }
}

const keys = Object.keys(CONFIG_KEYS) as (keyof Config)[];
const roundTrip = (s: AppState) => stateFromHash(stateToHash(s));

describe('URL round trip of every config key', () => {
  for (const key of keys) {
    it(`${key}`, () => {
      const raw = otherValue(key);
      const config = { ...DEFAULT_CONFIG, [key]: CONFIG_KEYS[key].type === 'boolean' ? raw === 'true' : ['int', 'number'].includes(CONFIG_KEYS[key].type) ? Number(raw) : raw };
      expect(config[key]).not.toEqual(DEFAULT_CONFIG[key]);
      const hash = stateToHash({ ...DEFAULT_STATE, config });
      expect(new URLSearchParams(hash.slice(1)).getAll(key)).toEqual([raw]);
      const back = stateFromHash(hash);
      expect(back.problems).toEqual([]);
      expect(back.state.config).toEqual(config);
    });
  }

  it('all keys at once, with the dataset, the tab and shop knobs', () => {
    const config = Object.fromEntries(keys.map((k) => [k, stateFromHash(`#${k}=${encodeURIComponent(otherValue(k))}`).state.config[k]])) as unknown as Config;
    const state: AppState = { config, dataset: 'ds-42', tab: 'inspect', shop: { conflict: '0.85', requests: '1200' } };
    const back = roundTrip(state);
    expect(back.problems).toEqual([]);
    expect(back.state).toEqual(state);
    for (const k of keys) expect(back.state.config[k], k).not.toEqual(DEFAULT_CONFIG[k]);
  });
});
