// OneRank starts near the base rate because r starts small (the trunk's final LayerNorm gain starts at R_GAIN,
// scorer.ts): at step 0 its logits hardly depend on the candidates and its gradients are small. Tests of what the
// forward pass computes or of where gradients flow set that gain to 1 and the score scale g_k to `g`, as training
// soon would.
import * as tf from '@tensorflow/tfjs';
import { stableName } from '../../../src/engine/model';
import type { RankingModel } from '../../../src/engine/model/types';

/** Sets the trunk's LN_f gain to 1 and every task's score scale g_k to `g` (a no-op for the baselines). Returns the model. */
export function awake<M extends RankingModel>(model: M, g = 1): M {
  const fill = (v: tf.Variable, x: number) => tf.tidy(() => v.assign(tf.fill(v.shape, x)));
  for (const v of model.variables) {
    if (stableName(v) === 'scorer/scale') fill(v, g);
    if (stableName(v) === 'trunk/lnF/g') fill(v, 1);
  }
  return model;
}
