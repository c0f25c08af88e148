// The task tokens t_1..t_K of every candidate group (ONERANK.md section 1), or what the ablations put there:
//   perTask    : K learned vectors, shared by every candidate and every request          -> [B, N, K, d]
//   shared (V2): one learned vector in one slot; every task then reads the same r[i]      -> [B, N, 1, d]
//   projection (V1): t_k of group i = W_k c_i + b_k (a per-task linear map of the candidate) -> [B, N, K, d]
// They are task-private parameters, so they are NOT part of trunkVariables.
import * as tf from '@tensorflow/tfjs';
import { applyLinear, linear, type Linear } from './layers';
import type { Params } from './params';
import type { TaskTokenMode } from './switches';
import { EMBED_STD } from './tokenizer';

export class TaskTokens {
  /** Task-token slots per group: K, or 1 when shared. */
  readonly slots: number;
  /** [slots, d] learned tokens (perTask / shared). */
  readonly embedding: tf.Variable | null;
  private readonly projection: Linear | null;

  constructor(
    p: Params,
    readonly mode: TaskTokenMode,
    private readonly K: number,
    private readonly d: number,
  ) {
    this.slots = mode === 'shared' ? 1 : K;
    this.embedding = mode === 'projection' ? null : p.normal('taskTokens/embedding', [this.slots, d], EMBED_STD);
    this.projection = mode === 'projection' ? linear(p, 'taskTokens/projection', d, K * d) : null;
  }

  /** cand [B, N, d] -> task tokens [B, N, slots, d] */
  tokens(cand: tf.Tensor3D): tf.Tensor4D {
    const [B, N] = cand.shape;
    if (this.projection) return applyLinear(cand, this.projection).reshape([B, N, this.K, this.d]) as tf.Tensor4D;
    // Added to zeros rather than tf.broadcastTo: broadcastTo is a Tile, whose gradient is one slice + add PER COPY
    // (B * N of them: thousands of kernel launches a step); an add's gradient is one sum.
    return tf.add(tf.zeros([B, N, this.slots, this.d]), this.embedding!) as tf.Tensor4D;
  }
}
