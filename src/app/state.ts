// The whole view in one typed object, serialized to the URL hash so any view is shareable and reproducible
// (like TensorFlow Playground's state.ts). Only values that differ from the defaults are written.
// The backend is the exception: it lives in the query string (`?backend=wasm`) because it describes the
// machine, not the experiment, and a shared link should not force another person's GPU choice.
import { CONFIG_KEYS, DEFAULT_CONFIG, applySettings, configDiff, configProblems, type Config } from '../engine/config';
import { isBackendRequest, type BackendRequest } from '../engine/backendReport';

export const TABS = ['data', 'train', 'inspect', 'demos'] as const;
export type Tab = (typeof TABS)[number];

export interface AppState {
  config: Config;
  /** Which dataset: 'shop' (the built-in synthetic world) or the id of an uploaded one. */
  dataset: string;
  /** The synthetic world's knobs that differ from its defaults, as strings (e.g. { conflict: '0.8' }). */
  shop: Record<string, string>;
  tab: Tab;
}

export const DEFAULT_STATE: AppState = { config: { ...DEFAULT_CONFIG }, dataset: 'shop', shop: {}, tab: 'train' };

export interface HashParseResult {
  state: AppState;
  /** Keys that were present but could not be used, with why (shown to the user, never thrown). */
  problems: string[];
}

export function stateToHash(s: AppState): string {
  const p = new URLSearchParams();
  if (s.dataset !== DEFAULT_STATE.dataset) p.set('data', s.dataset);
  if (s.tab !== DEFAULT_STATE.tab) p.set('tab', s.tab);
  for (const [k, v] of Object.entries(s.shop)) p.set(`shop.${k}`, v);
  for (const [k, v] of configDiff(DEFAULT_CONFIG, s.config)) p.set(k, v);
  const q = p.toString();
  return q ? `#${q}` : '';
}

export function stateFromHash(hash: string): HashParseResult {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const state: AppState = { ...DEFAULT_STATE, config: { ...DEFAULT_CONFIG }, shop: {} };
  for (const [k, v] of p) {
    if (k === 'data') state.dataset = v;
    else if (k === 'tab') {
      if ((TABS as readonly string[]).includes(v)) state.tab = v as Tab;
      else problems.push(`tab=${v}: unknown tab`);
    } else if (k.startsWith('shop.')) state.shop[k.slice(5)] = v;
    else if (k in CONFIG_KEYS) {
      try {
        state.config = applySettings(state.config, [[k, v]]);
      } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e));
      }
    } else problems.push(`${k}: unknown setting in the link, ignored`);
  }
  // Settings that clash (heads that do not divide d) would only fail at Play: the clashing key goes back to its
  // default (or 1 head, which divides any width), and the link's problem is shown.
  for (const [k, why] of Object.entries(configProblems(state.config)) as [keyof Config, string][]) {
    const asked = String(state.config[k]);
    state.config = { ...state.config, [k]: DEFAULT_CONFIG[k] };
    if (configProblems(state.config)[k]) state.config = { ...state.config, [k]: 1 };
    problems.push(`${k}=${asked}: ${why}; used ${k}=${String(state.config[k])}`);
  }
  return { state, problems };
}

export function backendFromQuery(search: string): BackendRequest {
  const b = new URLSearchParams(search).get('backend');
  return isBackendRequest(b) ? b : 'auto';
}
