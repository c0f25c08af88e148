// Two windows into multi-task training, each on one batch:
// - Gradient conflict: the cosine between task losses' gradients on the SHARED trunk. Negative = the tasks pull
//   the shared weights in opposite directions (the seesaw's cause).
// - Gradient flow: how much of task k's gradient reaches task j's channel h_j. With cross-task detachment,
//   off-diagonal entries must be exactly 0 (task k may read h_j but never update it).
import * as tf from '@tensorflow/tfjs';
import type { BatchTensors, RankingModel } from '../model/types';
import { rankingLoss, taskLoss, type LossWeights } from './loss';

export interface ProbeInputs {
  model: RankingModel;
  batch: BatchTensors;
  temperature: tf.Scalar;
  weights: LossWeights;
}

function taskLossOf(inp: ProbeInputs, k: number, channelTap?: tf.Tensor3D): tf.Scalar {
  const { logits } = inp.model.forward(inp.batch, { training: false, channelTap });
  const parts = rankingLoss(logits, inp.batch.labels, inp.batch.candMask, inp.temperature, inp.weights);
  return taskLoss(parts, k, inp.weights.alpha);
}

/** Task k's loss gradient on the trunk, flattened into one vector [P]. */
function trunkGradient(inp: ProbeInputs, k: number): tf.Tensor1D {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => taskLossOf(inp, k), inp.model.trunkVariables);
    // A trunk weight no task reaches (none today) has no entry: it contributes zeros to every task alike.
    const parts = inp.model.trunkVariables.map((v) => (grads[v.name] ?? tf.zerosLike(v)).reshape([-1]));
    return tf.concat(parts) as tf.Tensor1D;
  });
}

export interface ConflictProbe {
  /** cosine[k][j] between task k's and task j's trunk gradients; symmetric, 1 on the diagonal. */
  cosine: number[][];
  /** Norm of each task's trunk gradient. */
  gradNorm: number[];
}

/** Gradient-conflict probe: K backward passes (one per task) on one batch. */
export async function gradientConflict(inp: ProbeInputs): Promise<ConflictProbe> {
  const K = inp.model.meta.tasks.length;
  const gram = tf.tidy(() => {
    const g = tf.stack(Array.from({ length: K }, (_, k) => trunkGradient(inp, k))); // [K, P]
    return tf.matMul(g, g, false, true); // [K, K] dot products
  });
  const G = await gram.data();
  gram.dispose();
  const gradNorm = Array.from({ length: K }, (_, k) => Math.sqrt(Math.max(G[k * K + k], 0)));
  // Read one triangle so the matrix is exactly symmetric whatever the summation order was.
  const cosine = Array.from({ length: K }, (_, k) =>
    Array.from({ length: K }, (_, j) => {
      if (k === j) return gradNorm[k] > 0 ? 1 : 0;
      const denom = gradNorm[k] * gradNorm[j];
      return denom > 0 ? G[Math.min(k, j) * K + Math.max(k, j)] / denom : 0;
    }),
  );
  return { cosine, gradNorm };
}

/**
 * Gradient-flow probe: flow[k][j] = || d loss_k / d h_j || over the batch, through a zero tap added to the
 * task channels. null for models without task channels (the baselines).
 */
export async function channelFlow(inp: ProbeInputs): Promise<number[][] | null> {
  if (inp.model.kind !== 'onerank') return null;
  const K = inp.model.meta.tasks.length;
  const flow = tf.tidy(() => {
    const tap = tf.zeros([inp.batch.B, K, inp.model.config.d]) as tf.Tensor3D;
    const rows = Array.from({ length: K }, (_, k) => {
      const g = tf.grad((t: tf.Tensor) => taskLossOf(inp, k, t as tf.Tensor3D))(tap); // [B, K, d]
      return tf.sqrt(tf.sum(tf.square(g), [0, 2])); // [K]: one norm per channel j
    });
    return tf.stack(rows); // [K(loss k), K(channel j)]
  });
  const values = await flow.data();
  flow.dispose();
  return Array.from({ length: K }, (_, k) => Array.from(values.subarray(k * K, (k + 1) * K)));
}
