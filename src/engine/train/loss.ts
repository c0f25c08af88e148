// The OneRank training loss (ONERANK.md, "Loss"):
//   total = sum_k w_k * BCE_k + alpha * sum_k InfoNCE_k
// BCE_k is point-wise over every REAL candidate; InfoNCE_k is list-wise inside each request.
import * as tf from '@tensorflow/tfjs';
import { fusedRankingLoss } from '../kernels/loss';
import { fusedClampedExp } from '../kernels/temperature';
import { fusedAvailable } from '../kernels/webgpu';

/** Added to the scores of padded candidates so softmax gives them exactly zero weight. */
const MASKED_SCORE = -1e9;

/**
 * Per-task BCE from logits, masked: mean over real candidates of the batch.
 * Stable form: max(x, 0) - x*y + log(1 + exp(-|x|)), which never exponentiates a large positive number.
 * logits, labels: [B, N, K]; candMask: [B, N] (1 = real). Returns [K].
 */
export function maskedBce(logits: tf.Tensor3D, labels: tf.Tensor3D, candMask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const perCandidate = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))); // [B,N,K]
    const mask = tf.expandDims(candMask, 2); // [B,N,1]
    const realCount = tf.maximum(tf.sum(candMask), 1);
    return tf.div(tf.sum(tf.mul(perCandidate, mask), [0, 1]), realCount) as tf.Tensor1D;
  });
}

/**
 * Per-task list-wise InfoNCE: inside each request, a softmax over the real candidates of logit / temperature;
 * the loss is -log p averaged over the request's positives, then averaged over the requests that have at least
 * one positive and at least one negative (others carry no list-wise signal and are skipped). Returns [K];
 * a task with no usable request in the batch gives 0.
 */
export function maskedInfoNce(logits: tf.Tensor3D, labels: tf.Tensor3D, candMask: tf.Tensor2D, temperature: tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const mask = tf.expandDims(candMask, 2); // [B,N,1]
    const scores = tf.add(tf.div(logits, temperature), tf.mul(tf.sub(1, mask), MASKED_SCORE)); // [B,N,K]
    const logProb = tf.logSoftmax(tf.transpose(scores, [0, 2, 1])); // softmax over candidates: [B,K,N]
    const positive = tf.transpose(tf.mul(labels, mask), [0, 2, 1]); // [B,K,N]
    const positives = tf.sum(positive, 2); // [B,K]
    const reals = tf.sum(candMask, 1, true); // [B,1]
    const usable = tf.mul(tf.cast(tf.greater(positives, 0), 'float32'), tf.cast(tf.less(positives, reals), 'float32')); // [B,K]
    const perRequest = tf.div(tf.neg(tf.sum(tf.mul(positive, logProb), 2)), tf.maximum(positives, 1)); // [B,K]
    return tf.div(tf.sum(tf.mul(perRequest, usable), 0), tf.maximum(tf.sum(usable, 0), 1)) as tf.Tensor1D;
  });
}

export interface LossWeights {
  /** Per-task BCE weights w_k (length K). */
  taskWeights: number[];
  /** Weight of the InfoNCE term. */
  alpha: number;
}

export interface LossParts {
  /** sum_k w_k BCE_k + alpha sum_k InfoNCE_k (scalar). */
  total: tf.Scalar;
  /** BCE per task, unweighted [K]. */
  bce: tf.Tensor1D;
  /** InfoNCE per task [K]. */
  infoNce: tf.Tensor1D;
}

/** The full loss and its per-task parts. Call inside tf.tidy / tf.variableGrads. */
export function rankingLoss(
  logits: tf.Tensor3D,
  labels: tf.Tensor3D,
  candMask: tf.Tensor2D,
  temperature: tf.Scalar,
  weights: LossWeights,
): LossParts {
  if (fusedAvailable()) {
    // kernels/loss.ts: one program per part (total, BCE, InfoNCE), the same sums as below.
    const K = weights.taskWeights.length;
    const part = (w0: number[], w1: number[], total: boolean) => fusedRankingLoss(logits, labels, candMask, temperature, tf.tensor2d([w0, w1]), total);
    const ones = new Array<number>(K).fill(1);
    const zeros = new Array<number>(K).fill(0);
    return {
      total: part(weights.taskWeights, new Array<number>(K).fill(weights.alpha), true).reshape([]) as tf.Scalar,
      bce: part(ones, zeros, false) as tf.Tensor1D,
      infoNce: part(zeros, ones, false) as tf.Tensor1D,
    };
  }
  const bce = maskedBce(logits, labels, candMask);
  const infoNce = maskedInfoNce(logits, labels, candMask, temperature);
  const weighted = tf.sum(tf.mul(bce, tf.tensor1d(weights.taskWeights)));
  const total = tf.add(weighted, tf.mul(tf.sum(infoNce), weights.alpha)) as tf.Scalar;
  return { total, bce, infoNce };
}

/**
 * Task k's own share of the loss, BCE_k + alpha InfoNCE_k, unweighted by w_k: what the probes differentiate
 * (a cosine does not depend on a positive w_k, and w_k = 0 must not hide a task's direction).
 */
export function taskLoss(parts: LossParts, k: number, alpha: number): tf.Scalar {
  return tf.add(tf.gather(parts.bce, k), tf.mul(tf.gather(parts.infoNce, k), alpha)) as tf.Scalar;
}

/**
 * The learnable InfoNCE temperature, stored as its logarithm so it stays positive under any update.
 * Exp is bounded to [1e-3, 10] (the config's range) so a runaway update cannot make the scores overflow.
 */
export class Temperature {
  readonly logT: tf.Variable;
  constructor(initial: number) {
    if (!(initial > 0)) throw new Error(`temperature must be > 0 (got ${initial})`);
    const init = tf.scalar(Math.log(initial));
    this.logT = tf.variable(init, true);
    init.dispose(); // the variable holds its own reference to the data
  }
  value(): tf.Scalar {
    const [lo, hi] = [Math.log(1e-3), Math.log(10)];
    if (fusedAvailable()) return fusedClampedExp(this.logT as tf.Scalar, lo, hi); // one program each way (webgpu)
    return tf.tidy(() => tf.exp(tf.clipByValue(this.logT, lo, hi)) as tf.Scalar);
  }
  dispose(): void {
    this.logT.dispose();
  }
}
