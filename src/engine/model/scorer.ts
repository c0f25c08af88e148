// Section 6: dynamic matching-based scoring, no MLP towers.
//   dot      : logit[i][k] = g_k (z_k . r[i][k]) / sqrt(d) + b_k
//   bilinear : logit[i][k] = g_k (z_k . (W_k r[i][k])) / sqrt(d) + b_k, W_k initialized to I  [ours, an option]
// Every model starts at the base rate: b_k starts at logit(positive rate of task k), and r[i][k] starts small: the
// trunk's final LayerNorm LN_f starts with gain R_GAIN (onerank.ts), so |r| = R_GAIN sqrt(d) and the dot term is
// near 0 for every candidate (step-0 LogLoss within 2% of the constant predictor's: train-init.test.ts). At full
// size the start is far off: z_k is built from the r[i][k] themselves (the candidate-aware block starts as their
// mean), so z_k . r[i][k] / sqrt(d) is large and positive for every candidate (step-0 LogLoss 1.5-4x the constant's).
// The learned per-task score scale g_k [ours] starts at 1. Why not start g_k at 0 instead (ReZero-style, which we
// did first): then z and r get no gradient until g_k moves, and g_k's own gradient is the correlation of a random
// dot with the labels, mostly noise (the dot varies 7x more across requests than across a request's candidates),
// so g_k wandered around 0 and the model sat on the base-rate plateau (learning test's world, 200 steps: click AUC
// 0.59-0.75 over 5 seeds). A small LN_f gain instead leaves every gradient on: r's is g_k z_k (full size), and
// the LN_f gain's own is per dimension, sum (p - y) g_k z_k x^ / sqrt(d), a signal Adam grows in a few steps.
// R_GAIN: 0.02 keeps every switch and ablation within the 2% (V1, whose r varies most across candidates, is the
// closest); smaller was slower to learn (0.01: one seed in five still on the plateau at 200 steps).
import * as tf from '@tensorflow/tfjs';
import type { ScorerKind } from '../config';
import { fusedScorer } from '../kernels/scorer';
import { fusedAvailable } from '../kernels/webgpu';
import { logitOf } from './layers';
import type { Params } from './params';

/** Initial gain of the trunk's final LayerNorm in OneRank: r[i][k] starts small, the logits near the base rate. */
export const R_GAIN = 0.02;

export class MatchingScorer {
  readonly bias: tf.Variable; // [K]
  readonly scale: tf.Variable; // [K], g_k
  readonly bilinear: tf.Variable | null; // [K, d, d]

  constructor(p: Params, kind: ScorerKind, positiveRate: number[], private readonly d: number) {
    const K = positiveRate.length;
    this.bias = p.values('scorer/bias', [K], positiveRate.map(logitOf));
    this.scale = p.ones('scorer/scale', [K]);
    const eye = Array.from({ length: K }, () => Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0))).flat();
    this.bilinear = kind === 'bilinear' ? p.values('scorer/bilinear', [K, d, d], eye) : null;
  }

  /** z [B, K, d], r [B, N, K, d] -> logits [B, N, K] */
  score(z: tf.Tensor3D, r: tf.Tensor4D): tf.Tensor3D {
    // z_k . (W_k r) = (W_k^T z_k) . r: transform the K context vectors, not the N*K candidate vectors.
    const zt = this.bilinear ? (tf.matMul(z.transpose([1, 0, 2]), this.bilinear).transpose([1, 0, 2]) as tf.Tensor3D) : z;
    // On webgpu one fused program forward and five backward (kernels/scorer.ts); these plain ops are the reference.
    if (fusedAvailable()) return fusedScorer(zt, r, this.scale as tf.Tensor1D, this.bias as tf.Tensor1D, 1 / Math.sqrt(this.d));
    const dot = tf.sum(tf.mul(zt.expandDims(1), r), -1); // [B, N, K]
    return tf.add(tf.mul(dot, tf.mul(this.scale, 1 / Math.sqrt(this.d))), this.bias) as tf.Tensor3D;
  }
}
