// Section 3: candidate-aware contextualization, with task-private parameters per task k:
//   q_k = LayerNorm(f_k(s))
//   h_k = MHCA_k(query = q_k, keys = values = { r[i][k] : i a real candidate of this request })
// h_k summarizes the candidate pool through task k's eyes, in this context. Padded candidates are masked.
// Fallback (N = 1, cfg.candidateContext off, or V5): h_k = mean over real candidates of r[i][k].
// All K tasks run at once: their weights are stacked [K, ...] and applied with batched matMuls.
// On webgpu the attention itself is one fused program each way (kernels/smallAttention.ts), reading the queries
// [K, B, d] and keys | values [K, B*N, 2d] as the task maps give them; the plain ops below are the reference.
import * as tf from '@tensorflow/tfjs';
import { fusedCandidateAttention, smallAttentionApplies } from '../kernels/smallAttention';
import { applyLinear, applyTaskLinear, layerNorm, linear, maskBias, norm, taskLinear, type Linear, type Norm, type TaskLinear } from './layers';
import type { Params } from './params';

export interface CandidateContextOutput {
  h: tf.Tensor3D; // [B, K, d]
  /** Attention over candidates per task, [B, heads, N] each (only when capture and the block is on). */
  maps?: tf.Tensor3D[];
}

export class CandidateContext {
  private readonly f: Linear | null; // d -> K*d: the K maps f_k side by side
  private readonly ln: Norm | null; // [K, d]
  private readonly q: TaskLinear | null; // [K, d, d]
  private readonly kv: TaskLinear | null; // [K, d, 2d]
  private readonly o: TaskLinear | null; // [K, d, d]

  constructor(
    p: Params,
    readonly enabled: boolean,
    private readonly K: number,
    private readonly d: number,
    private readonly heads: number,
  ) {
    this.f = enabled ? linear(p, 'candCtx/f', d, K * d) : null;
    this.ln = enabled ? norm(p, 'candCtx/ln', [K, d]) : null;
    // The block starts as the mean it refines (V5's h): a zero query makes the attention uniform, and identity
    // value and output maps pass r[i][k] through, so h_k = mean over candidates of r[i][k] at step 0. The keys
    // stay random, so the query's gradient is not zero and the attention can learn to focus from there.
    // (Measured: with every map random, the full model trained no better than V5 in the demo's 300 steps.)
    this.q = enabled ? { w: p.zeros('candCtx/q/w', [K, d, d]), b: p.zeros('candCtx/q/b', [K, 1, d]) } : null;
    this.kv = enabled ? taskLinear(p, 'candCtx/kv', K, d, 2 * d) : null;
    const eye = identities(K, d);
    this.o = enabled ? { w: p.values('candCtx/o/w', [K, d, d], eye), b: p.zeros('candCtx/o/b', [K, 1, d]) } : null;
    if (this.kv) {
      const kv = this.kv.w;
      tf.tidy(() => kv.assign(tf.concat([kv.slice([0, 0, 0], [K, d, d]), tf.tensor3d(eye, [K, d, d])], 2)));
    }
  }

  /** s [B, d], r [B, N, K, d], candMask [B, N] -> h [B, K, d] */
  run(s: tf.Tensor2D, r: tf.Tensor4D, candMask: tf.Tensor2D, capture = false): CandidateContextOutput {
    if (!this.enabled) return { h: meanOverCandidates(r, candMask) };
    const { K, d, heads } = this;
    const [B, N] = candMask.shape;
    const q = layerNorm(applyLinear(s, this.f!).reshape([B, K, d]), this.ln!); // q_k = LN(f_k(s)): [B, K, d]
    const qk = applyTaskLinear(q.transpose([1, 0, 2]) as tf.Tensor3D, this.q!); // [K, B, d]
    const rk = r.transpose([2, 0, 1, 3]).reshape([K, B * N, d]) as tf.Tensor3D; // per task: every r[i][k]
    const kv = applyTaskLinear(rk, this.kv!); // [K, B*N, 2d]: key | value of each candidate
    // The fused kernel unless the weights are captured (it never stores them).
    const { mixed, att } =
      !capture && smallAttentionApplies(d, heads)
        ? { mixed: fusedCandidateAttention(qk, kv, candMask, heads), att: undefined }
        : plainCandidateAttention(qk, kv, candMask, heads);
    const h = applyTaskLinear(mixed, this.o!).transpose([1, 0, 2]) as tf.Tensor3D; // [B, K, d]
    const maps = capture ? (tf.unstack(att!.reshape([B, K, heads, N]), 1) as tf.Tensor3D[]) : undefined;
    return { h, maps };
  }
}

/**
 * The plain path of the attention: q [K, B, d], kv [K, B*N, 2d], candMask [B, N] -> the mixed values [K, B, d]
 * and the weights [B, K, h, 1, N].
 */
export function plainCandidateAttention(q: tf.Tensor3D, kv: tf.Tensor3D, candMask: tf.Tensor2D, heads: number): { mixed: tf.Tensor3D; att: tf.Tensor } {
  const [K, B, d] = q.shape;
  const N = candMask.shape[1];
  const dh = d / heads;
  const qh = q.reshape([K, B, heads, 1, dh]).transpose([1, 0, 2, 3, 4]); // [B, K, h, 1, dh]
  const [key, val] = tf.unstack(kv.reshape([K, B, N, 2, heads, dh]).transpose([3, 1, 0, 4, 2, 5])); // [2, B, K, h, N, dh]
  const bias = maskBias(candMask).reshape([B, 1, 1, 1, N]);
  const att = tf.softmax(tf.add(tf.mul(tf.matMul(qh, key, false, true), 1 / Math.sqrt(dh)), bias)); // [B, K, h, 1, N]
  const mixed = tf.matMul(att, val).reshape([B, K, d]).transpose([1, 0, 2]) as tf.Tensor3D; // [K, B, d]
  return { mixed, att };
}

/** h_k = mean over real candidates of r[i][k]: r [B, N, K, d], candMask [B, N] -> [B, K, d] */
export function meanOverCandidates(r: tf.Tensor4D, candMask: tf.Tensor2D): tf.Tensor3D {
  const m = candMask.reshape([candMask.shape[0], candMask.shape[1], 1, 1]);
  return tf.div(tf.sum(tf.mul(r, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor3D;
}

/** K stacked d x d identity matrices, flat. */
function identities(K: number, d: number): Float32Array {
  const out = new Float32Array(K * d * d);
  for (let k = 0; k < K; k++) for (let i = 0; i < d; i++) out[k * d * d + i * d + i] = 1;
  return out;
}
