// Non-trivial weights for model tests: every variable drawn afresh (seeded). Some blocks start at a special
// point (a zero query, a zero score scale, identity maps) where a gradient or an attention row is trivially
// zero or uniform; a test of what the model does in general runs away from that point.
import * as tf from '@tensorflow/tfjs';

export function randomizeWeights(variables: readonly tf.Variable[], seed: number, std = 0.5): void {
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.randomNormal(v.shape, 0, std, 'float32', seed * 1000 + i))));
}
