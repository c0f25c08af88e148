// Models start at the base rate: OneRank's score scale g_k (scorer.ts) is 0 at step 0, so its logits do not yet
// depend on the candidates and no gradient reaches z or r. Tests of what the forward pass computes or of where
// gradients flow set g_k as training soon would.
import * as tf from '@tensorflow/tfjs';
import { stableName } from '../../../src/engine/model';
import type { RankingModel } from '../../../src/engine/model/types';

/** Sets every task's score scale g_k to `g` (a no-op for the baselines, which have none). Returns the model. */
export function awake<M extends RankingModel>(model: M, g = 1): M {
  for (const v of model.variables) if (stableName(v) === 'scorer/scale') tf.tidy(() => v.assign(tf.fill(v.shape, g)));
  return model;
}
