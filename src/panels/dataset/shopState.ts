// How the shop knobs map onto the app state. Most knobs describe the world (state.shop). Two are also
// encoding sizes that training takes from the config (config.ts's ENCODING_KEYS: the worker encodes the
// world with the config's historyLen and maxCandidates), so those write the config too; otherwise the panel
// would show one H or N and training would use another.
import type { AppState } from '../../app/state';
import { DEFAULT_CONFIG } from '../../engine/config';
import type { ShopOptions } from '../../engine/data';
import { knobsFromShopOptions, shopOptionsFromKnobs } from '../../engine/data/shopKnobs';

/** The knob values the panel shows: the world's options, with H as training will encode it. */
export function shopKnobValues(state: Pick<AppState, 'shop' | 'config'>): ShopOptions {
  return { ...shopOptionsFromKnobs(state.shop).options, historyLen: state.config.historyLen };
}

/** The state after the user set one shop knob. */
export function withShopKnob(state: AppState, key: keyof ShopOptions, value: number): AppState {
  if (key === 'historyLen') return { ...state, config: { ...state.config, historyLen: value } };
  const options = { ...shopOptionsFromKnobs(state.shop).options, [key]: value };
  const shop = knobsFromShopOptions(options);
  // H lives in the config (above), so the world's own copy stays at its default and out of the URL.
  delete shop.historyLen;
  const config = key === 'candidates' ? { ...state.config, maxCandidates: value } : state.config;
  return { ...state, shop, config };
}

/** Back to the default world, and the config's default H and N. */
export function withDefaultShop(state: AppState): AppState {
  return { ...state, shop: {}, config: { ...state.config, historyLen: DEFAULT_CONFIG.historyLen, maxCandidates: DEFAULT_CONFIG.maxCandidates } };
}
