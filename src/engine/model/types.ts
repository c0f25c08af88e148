// The contract every ranking model (OneRank and the baselines) offers the trainer, the probes and the UI.
import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config';
import type { DatasetMeta } from '../data/types';

/** A Batch moved to tensors (see data/types.ts for the layouts). */
export interface BatchTensors {
  B: number;
  // The categorical ids index their group's concatenated tables (shifted by each feature's offset,
  // model/embeddingIds.ts); a multi-valued feature's slots come with which of them hold an id and how many.
  ctxCat: tf.Tensor2D; // [B, Fcc] int32
  ctxNum: tf.Tensor2D; // [B, Fcn]
  ctxMulti: tf.Tensor3D; // [B, Fcm, M] int32
  ctxMultiPresent: tf.Tensor3D; // [B, Fcm, M] float 0/1
  ctxMultiCount: tf.Tensor3D; // [B, Fcm, 1] float, >= 1
  history: tf.Tensor2D; // [B, H] int32
  candItem: tf.Tensor2D; // [B, N] int32
  candCat: tf.Tensor3D; // [B, N, Fkc] int32
  candNum: tf.Tensor3D; // [B, N, Fkn]
  candMulti: tf.Tensor4D; // [B, N, Fkm, M] int32
  candMultiPresent: tf.Tensor4D; // [B, N, Fkm, M]
  candMultiCount: tf.Tensor4D; // [B, N, Fkm, 1]
  candMask: tf.Tensor2D; // [B, N] float 0/1
  labels: tf.Tensor3D; // [B, N, K] float 0/1
}

export interface ForwardOptions {
  /** Dropout on (training) or off (evaluation). */
  training: boolean;
  /**
   * Adds this [B, K, d] tensor (zeros) to the task channels h before cross-task attention, so the gradient of any
   * loss with respect to it is the gradient reaching each h_j (the gradient-flow probe). OneRank only.
   */
  channelTap?: tf.Tensor3D;
  /** Record attention weights (trunk per layer and head, candidate-aware, cross-task). Costly: one batch only. */
  capture?: boolean;
}

export interface CapturedAttention {
  /** Token labels along both axes of the trunk maps, e.g. 'ctx: user', 'hist 3', 'cand 2', 'task: order'. */
  tokens: string[];
  /** The structured mask as 0/1, [T][T] (row = query). */
  mask: number[][];
  /** trunk[layer][head] = [B, T, T] weights. */
  trunk: tf.Tensor3D[][];
  /** Candidate-aware attention per task: [B, heads, N] each (absent when the block is off). */
  candidate?: tf.Tensor3D[];
  /** Cross-task attention: [B, heads, K, K] (absent for V3). */
  crossTask?: tf.Tensor4D;
  /** The K x K task mask A in force. */
  taskMask?: number[][];
}

export interface ForwardOutput {
  /** Per-candidate, per-task logits [B, N, K]. */
  logits: tf.Tensor3D;
  /** Attention maps when capture was requested. */
  attention?: CapturedAttention;
}

export interface RankingModel {
  readonly kind: Config['model'];
  readonly config: Config;
  readonly meta: DatasetMeta;
  /** Every trainable variable (named, stable order: used for weight export and import). */
  readonly variables: tf.Variable[];
  /** The shared trunk's variables (tokenizer + Transformer), for the gradient-conflict probe. */
  readonly trunkVariables: tf.Variable[];
  /** Extra loss-side variables (InfoNCE temperature), trained with the model. */
  forward(batch: BatchTensors, opts: ForwardOptions): ForwardOutput;
  dispose(): void;
}
