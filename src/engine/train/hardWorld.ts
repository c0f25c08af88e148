// The README's regularization table and its test share these: the shop world's hard settings, the demo size,
// and one measured run (last and best-checkpoint metrics against the constant predictor).
import { DEFAULT_CONFIG, encodingOf, withDataShapes, type Config } from '../config';
import { shopFromKnobs } from '../data/shopKnobs';
import type { EncodedDataset } from '../data/types';
import { selectionScore } from './checkpoint';
import { Trainer, runTraining } from './trainer';

/** What makes the shop world over-fit like a real log: a long tail, drift, and new users evaluated by time. */
export const HARD_SHOP: Readonly<Record<string, string>> = Object.freeze({ longTail: '1.2', drift: '0.5', newUsers: '0.3' });

/** The guided demos' size (README "Demo sizes"). */
export const DEMO_SIZE: Readonly<Partial<Config>> = Object.freeze({ d: 16, layers: 1, heads: 2, batchSize: 64, steps: 300, evalEvery: 25, probeEvery: 0 });

/** The regularization this work added, switched off (what every run did before). */
export const NO_NEW_REGULARIZATION: Readonly<Partial<Config>> = Object.freeze({ idDropout: 0, embDecay: 0 });

export interface RegularizationRun {
  lastStep: number;
  lastMeanAuc: number;
  bestStep: number;
  bestMeanAuc: number;
  /** Per task at the best checkpoint: LogLoss and the constant predictor's. */
  bestLogloss: number[];
  constantLogloss: number[];
}

/** Trains one run on a shop world (knobs as in the URL) and reports its last and best evaluations. */
export async function measureRegularizationRun(knobs: Record<string, string>, cfg: Config, cache = new Map<string, EncodedDataset>()): Promise<RegularizationRun> {
  const key = JSON.stringify([knobs, encodingOf(cfg)]);
  let ds = cache.get(key);
  if (!ds) cache.set(key, (ds = shopFromKnobs(knobs, encodingOf(cfg))));
  const trainer = Trainer.create(ds, withDataShapes(cfg, ds));
  try {
    const { lastEval, best } = await runTraining(trainer, { steps: cfg.steps, evalEvery: cfg.evalEvery });
    return {
      lastStep: lastEval!.step,
      lastMeanAuc: selectionScore(lastEval!.tasks, ''),
      bestStep: best!.step,
      bestMeanAuc: selectionScore(best!.tasks, ''),
      bestLogloss: best!.tasks.map((t) => t.logloss),
      constantLogloss: best!.tasks.map((t) => t.constantLogloss),
    };
  } finally {
    trainer.dispose();
  }
}

/** A config at the demo size for one model and seed, with overrides. */
export function demoConfig(model: Config['model'], seed: number, overrides: Partial<Config> = {}): Config {
  return { ...DEFAULT_CONFIG, ...DEMO_SIZE, model, seed, ...overrides };
}
