// The synthetic shop world's knobs as they travel in the URL (state.shop: strings, only those that differ
// from DEFAULT_SHOP). One parser for the page (the dataset panel) and the training worker (which regenerates
// the world from them), so both always build the same world from the same link.
import type { EncodeOptions } from './encode';
import { DEFAULT_SHOP, generateShop, type ShopOptions } from './synthetic';
import type { EncodedDataset } from './types';

export interface ShopKnob {
  key: keyof ShopOptions;
  label: string;
  min: number;
  max: number;
  step: number;
  integer: boolean;
  help: string;
}

export const SHOP_KNOBS: readonly ShopKnob[] = [
  { key: 'users', label: 'Users', min: 10, max: 100_000, step: 10, integer: true, help: 'people with their own tastes' },
  { key: 'items', label: 'Items', min: 20, max: 100_000, step: 10, integer: true, help: 'products in the catalogue' },
  { key: 'requests', label: 'Requests', min: 100, max: 100_000, step: 100, integer: true, help: 'page views, each showing N candidates' },
  { key: 'candidates', label: 'Candidates per request (N)', min: 2, max: 64, step: 1, integer: true, help: 'items shown per request' },
  { key: 'historyLen', label: 'History length', min: 0, max: 200, step: 1, integer: true, help: 'recent items kept per user' },
  { key: 'noise', label: 'Noise', min: 0, max: 5, step: 0.1, integer: false, help: 'unobserved randomness in every label' },
  { key: 'conflict', label: 'Task conflict', min: 0, max: 1, step: 0.05, integer: false, help: 'how much click and order disagree about premium (pricey) items; the seesaw demo shows what it does to a model whose tasks share one narrow layer' },
  { key: 'longTail', label: 'Long tail', min: 0, max: 2, step: 0.1, integer: false, help: 'power-law popularity of users and items (0 = uniform): most have few interactions, so ids over-fit' },
  { key: 'drift', label: 'Drift', min: 0, max: 1, step: 0.05, integer: false, help: 'item popularity moves over time (the evaluation split is the future)' },
  { key: 'newUsers', label: 'New users', min: 0, max: 0.9, step: 0.05, integer: false, help: 'share of users who first appear in the evaluation period (cold start)' },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, help: 'the world and its split' },
];

export interface ShopKnobsResult {
  options: ShopOptions;
  /** Knobs that could not be used (left at their defaults), with why. */
  problems: string[];
}

/** URL knobs -> the world's options; bad values fall back to the default and are reported. */
export function shopOptionsFromKnobs(knobs: Readonly<Record<string, string>>): ShopKnobsResult {
  const options: ShopOptions = { ...DEFAULT_SHOP };
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(knobs)) {
    const knob = SHOP_KNOBS.find((k) => k.key === key);
    if (!knob) {
      problems.push(`shop.${key}: not a knob of the shop world`);
      continue;
    }
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) problems.push(`shop.${key}=${raw}: not a number`);
    else if (knob.integer && !Number.isInteger(v)) problems.push(`shop.${key}=${raw}: must be a whole number`);
    else if (v < knob.min || v > knob.max) problems.push(`shop.${key}=${raw}: must be between ${knob.min} and ${knob.max}`);
    else options[knob.key] = v;
  }
  if (options.candidates > options.items) {
    problems.push(`shop.candidates=${options.candidates}: must not exceed the number of items (${options.items})`);
    options.candidates = Math.min(DEFAULT_SHOP.candidates, options.items);
  }
  return { options, problems };
}

/** The world's options -> URL knobs (only those that differ from the defaults, so default links stay short). */
export function knobsFromShopOptions(options: Partial<ShopOptions>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const knob of SHOP_KNOBS) {
    const v = options[knob.key];
    if (v !== undefined && v !== DEFAULT_SHOP[knob.key]) out[knob.key] = String(v);
  }
  return out;
}

/** A world whose log changes over time (drift, newcomers): it is split by time, so evaluation is its future. */
export function hasTime(o: ShopOptions): boolean {
  return o.drift > 0 || o.newUsers > 0;
}

/**
 * The shop world a link names, encoded with the config's encoding keys (H, N, M, split) - the one way the
 * training worker and the command line build it, so both train on the same arrays. Unusable knobs throw.
 */
export function shopFromKnobs(knobs: Readonly<Record<string, string>>, encoding: Partial<EncodeOptions> = {}): EncodedDataset {
  const { options, problems } = shopOptionsFromKnobs(knobs);
  if (problems.length > 0) throw new Error(`The shop world's settings are not usable: ${problems.join('; ')}`);
  return generateShop(options, hasTime(options) ? { ...encoding, split: 'time' } : encoding);
}
