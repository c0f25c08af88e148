// Section 6: dynamic matching-based scoring, no MLP towers.
//   dot      : logit[i][k] = g_k (z_k . r[i][k]) / sqrt(d) + b_k
//   bilinear : logit[i][k] = g_k (z_k . (W_k r[i][k])) / sqrt(d) + b_k, W_k initialized to I  [ours, an option]
// Every model starts at the base rate: b_k starts at logit(positive rate of task k) and the learned per-task score
// scale g_k [ours] at 0 (ReZero-style), so p = positive rate for every candidate at step 0. Without g_k the start
// is far off: z_k is built from the r[i][k] themselves (the candidate-aware block starts as their mean), so
// z_k . r[i][k] / sqrt(d) is large and positive for every candidate (step-0 LogLoss 1.5-4x the constant's).
// g_k's gradient is not zero at step 0 (the dot varies over candidates), and Adam moves every other weight at its
// usual rate as soon as g_k is not 0.
import * as tf from '@tensorflow/tfjs';
import type { ScorerKind } from '../config';
import { logitOf } from './layers';
import type { Params } from './params';

export class MatchingScorer {
  readonly bias: tf.Variable; // [K]
  readonly scale: tf.Variable; // [K], g_k
  readonly bilinear: tf.Variable | null; // [K, d, d]

  constructor(p: Params, kind: ScorerKind, positiveRate: number[], private readonly d: number) {
    const K = positiveRate.length;
    this.bias = p.values('scorer/bias', [K], positiveRate.map(logitOf));
    this.scale = p.zeros('scorer/scale', [K]);
    const eye = Array.from({ length: K }, () => Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0))).flat();
    this.bilinear = kind === 'bilinear' ? p.values('scorer/bilinear', [K, d, d], eye) : null;
  }

  /** z [B, K, d], r [B, N, K, d] -> logits [B, N, K] */
  score(z: tf.Tensor3D, r: tf.Tensor4D): tf.Tensor3D {
    // z_k . (W_k r) = (W_k^T z_k) . r: transform the K context vectors, not the N*K candidate vectors.
    const zt = this.bilinear ? (tf.matMul(z.transpose([1, 0, 2]), this.bilinear).transpose([1, 0, 2]) as tf.Tensor3D) : z;
    const dot = tf.sum(tf.mul(zt.expandDims(1), r), -1); // [B, N, K]
    return tf.add(tf.mul(dot, tf.mul(this.scale, 1 / Math.sqrt(this.d))), this.bias) as tf.Tensor3D;
  }
}
