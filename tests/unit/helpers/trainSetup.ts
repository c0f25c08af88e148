// A small shop world and a tiny config for the trainer tests (cpu-friendly sizes).
import { DEFAULT_CONFIG, type Config } from '../../../src/engine/config';
import { generateShop, type ShopOptions } from '../../../src/engine/data/synthetic';
import type { EncodedDataset } from '../../../src/engine/data/types';

export function smallShop(o: Partial<ShopOptions> = {}): EncodedDataset {
  return generateShop({ requests: 300, users: 120, items: 150, candidates: 4, historyLen: 5, ...o });
}

/** A tiny config whose shape knobs follow the dataset. */
export function tinyTrainConfig(ds: EncodedDataset, o: Partial<Config> = {}): Config {
  return {
    ...DEFAULT_CONFIG,
    d: 8,
    layers: 1,
    heads: 2,
    ffnRatio: 2,
    experts: 2,
    expertHidden: 8,
    towerHidden: 8,
    batchSize: 16,
    lr: 0.01,
    historyLen: ds.historyLen,
    maxCandidates: ds.maxCandidates,
    multiLen: ds.multiLen,
    ...o,
  };
}
