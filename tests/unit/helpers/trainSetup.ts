// A small shop world and a tiny config for the trainer tests (cpu-friendly sizes).
import type { Config } from '../../../src/engine/config';
import { generateShop, type ShopOptions } from '../../../src/engine/data/synthetic';
import type { EncodedDataset } from '../../../src/engine/data/types';
import { tinyConfig } from './tinyMeta';

export function smallShop(o: Partial<ShopOptions> = {}): EncodedDataset {
  return generateShop({ requests: 300, users: 120, items: 150, candidates: 4, historyLen: 5, ...o });
}

/** tinyConfig (the model tests' tiny sizes, shapes from the dataset) with trainer-friendly batch and lr. */
export function tinyTrainConfig(ds: EncodedDataset, o: Partial<Config> = {}): Config {
  return tinyConfig(ds, { towerHidden: 8, batchSize: 16, lr: 0.01, ...o });
}
