// Section 6: dynamic matching-based scoring, no MLP towers.
//   dot      : logit[i][k] = (z_k . r[i][k]) / sqrt(d) + b_k
//   bilinear : logit[i][k] = (z_k . (W_k r[i][k])) / sqrt(d) + b_k, W_k initialized to I  [ours, an option]
// b_k starts at logit(positive rate of task k): the rank-1 score otherwise sits on a "predict the base rate"
// plateau early in training.
import * as tf from '@tensorflow/tfjs';
import type { ScorerKind } from '../config';
import { logitOf } from './layers';
import type { Params } from './params';

export class MatchingScorer {
  readonly bias: tf.Variable; // [K]
  readonly bilinear: tf.Variable | null; // [K, d, d]

  constructor(p: Params, kind: ScorerKind, positiveRate: number[], private readonly d: number) {
    const K = positiveRate.length;
    this.bias = p.values('scorer/bias', [K], positiveRate.map(logitOf));
    const eye = Array.from({ length: K }, () => Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0))).flat();
    this.bilinear = kind === 'bilinear' ? p.values('scorer/bilinear', [K, d, d], eye) : null;
  }

  /** z [B, K, d], r [B, N, K, d] -> logits [B, N, K] */
  score(z: tf.Tensor3D, r: tf.Tensor4D): tf.Tensor3D {
    // z_k . (W_k r) = (W_k^T z_k) . r: transform the K context vectors, not the N*K candidate vectors.
    const zt = this.bilinear ? (tf.matMul(z.transpose([1, 0, 2]), this.bilinear).transpose([1, 0, 2]) as tf.Tensor3D) : z;
    const dot = tf.sum(tf.mul(zt.expandDims(1), r), -1); // [B, N, K]
    return tf.add(tf.mul(dot, 1 / Math.sqrt(this.d)), this.bias) as tf.Tensor3D;
  }
}
