// Sections 4 and 5: controlled cross-task interaction with per-edge gradient detachment.
//   h~_k = sum_j A[k][j] softmax_j(q_k . key_j) value_j      (multi-head; A masks the softmax, diagonal always on)
//   hh_k = LN(h~_k) + h_k
//   z_k  = LN(FFN(hh_k)) + hh_k
// Detachment: when task k reads task j != k over a detached edge (D[k][j] = 1), the INPUT h_j of the key and
// value projections is stopGradient(h_j). Keys/values are computed once from h and once from sg(h) (one matMul
// over both), and each (k, j) pair picks its copy with the 0/1 matrix D:
//   key_{k,j} = (1 - D[k][j]) * key(h_j) + D[k][j] * key(sg(h_j))          (same for values)
// Both copies hold bit-identical numbers, so the forward pass is exactly unchanged; the gradient into h_j from
// query k is multiplied by 1 - D[k][j] = 0; and the shared projection WEIGHTS still get every pair's gradient
// (through whichever copy the pair used), because what is detached is h_j, not W h_j.
// "Gated by A" is read as a masked softmax (a post-softmax gate would let masked tasks leak into the normalizer).
// On webgpu the attention itself is one fused program each way (kernels/smallAttention.ts), reading q and kv as the
// projections give them, D for the copy each pair reads and A for the mask; the plain ops below are the reference.
// V3 (no cross-task attention) [ours]: the attention sub-layer is removed (hh_k = h_k) and the FFN sub-layer is
// kept, so V3 differs from V2 by the interaction only, not by capacity.
import * as tf from '@tensorflow/tfjs';
import { fusedCrossTaskAttention, smallAttentionApplies } from '../kernels/smallAttention';
import { stopGradient } from './detach';
import { act, applyLinear, layerNorm, linear, maskBias, mergeHeads, norm, splitHeads, type Linear, type Norm } from './layers';
import type { Params } from './params';

/** The block's constants: A and D [K, K] (the fused kernel's), 1 - D and D as [K, K, 1] and A's bias (the plain path's). */
export interface CrossTaskConstants {
  A: tf.Tensor2D;
  D: tf.Tensor2D;
  live: tf.Tensor3D;
  detached: tf.Tensor3D;
  aBias: tf.Tensor2D;
}

/** Kept (tf.keep), so they outlive any tidy they are made in: the owner disposes them. */
export function crossTaskConstants(taskMask: number[][], detach: number[][]): CrossTaskConstants {
  const K = taskMask.length;
  const flat = (m: number[][], f = (x: number) => x) => m.flat().map(f);
  return {
    A: tf.keep(tf.tensor2d(flat(taskMask), [K, K])),
    D: tf.keep(tf.tensor2d(flat(detach), [K, K])),
    live: tf.keep(tf.tensor3d(flat(detach, (x) => 1 - x), [K, K, 1])),
    detached: tf.keep(tf.tensor3d(flat(detach), [K, K, 1])),
    aBias: tf.keep(tf.tidy(() => maskBias(tf.tensor2d(taskMask)) as tf.Tensor2D)),
  };
}

/**
 * The plain path of the attention: q [B, K, d], kv [B, 2K, 2d] (live rows, then detached rows; key | value) ->
 * the mixed values [B, K, d] and the weights [B, h, K, K].
 */
export function plainCrossTaskAttention(q: tf.Tensor3D, kv: tf.Tensor3D, c: CrossTaskConstants, heads: number): { mixed: tf.Tensor3D; att: tf.Tensor4D } {
  const [B, K, d] = q.shape;
  const dh = d / heads;
  const qh = splitHeads(q, heads); // [B, h, K, dh]
  const [keyLive, valLive, keyDet, valDet] = tf.unstack(
    kv
      .reshape([B, 2, K, 2, heads, dh])
      .transpose([1, 3, 0, 4, 2, 5]) // [copy, key|value, B, h, K, dh]
      .reshape([4, B, heads, K, dh]),
  );
  // Per (k, j) pair: [B, h, K(query k), K(read j), dh]
  const pick = (live: tf.Tensor, det: tf.Tensor) => tf.add(tf.mul(live.expandDims(2), c.live), tf.mul(det.expandDims(2), c.detached));
  const keys = pick(keyLive, keyDet);
  const values = pick(valLive, valDet);
  const scores = tf.add(tf.mul(tf.sum(tf.mul(qh.expandDims(3), keys), -1), 1 / Math.sqrt(dh)), c.aBias);
  const att = tf.softmax(scores) as tf.Tensor4D; // [B, h, K, K]
  const mixed = tf.sum(tf.mul(att.expandDims(-1), values), 3); // [B, h, K, dh]
  return { mixed: mergeHeads(mixed), att };
}

export interface CrossTaskOutput {
  z: tf.Tensor3D; // [B, K, d]
  /** [B, heads, K, K] attention weights (capture only; absent without the attention sub-layer). */
  map?: tf.Tensor4D;
}

export class CrossTaskAttention {
  private readonly q: Linear | null;
  private readonly kv: Linear | null;
  private readonly o: Linear | null;
  private readonly ln1: Norm | null;
  private readonly fc: Linear;
  private readonly out: Linear;
  private readonly ln2: Norm;
  private readonly consts: CrossTaskConstants | null;

  constructor(
    p: Params,
    readonly attention: boolean,
    readonly taskMask: number[][],
    readonly detach: number[][],
    private readonly d: number,
    private readonly heads: number,
    ffnRatio: number,
  ) {
    this.q = attention ? linear(p, 'crossTask/q', d, d) : null;
    this.kv = attention ? linear(p, 'crossTask/kv', d, 2 * d) : null;
    this.o = attention ? linear(p, 'crossTask/o', d, d) : null;
    this.ln1 = attention ? norm(p, 'crossTask/ln1', [d]) : null;
    const hidden = Math.max(1, Math.round(ffnRatio * d));
    this.fc = linear(p, 'crossTask/ffn/fc', d, hidden);
    this.out = linear(p, 'crossTask/ffn/out', hidden, d);
    this.ln2 = norm(p, 'crossTask/ln2', [d]);
    this.consts = attention ? crossTaskConstants(taskMask, detach) : null;
  }

  /** h [B, K, d] -> z [B, K, d] */
  run(h: tf.Tensor3D, capture = false): CrossTaskOutput {
    let hh = h;
    let map: tf.Tensor4D | undefined;
    if (this.attention) {
      const { heads, d } = this;
      const q = applyLinear(h, this.q!) as tf.Tensor3D; // [B, K, d]
      const kv = applyLinear(tf.concat([h, stopGradient(h)], 1), this.kv!) as tf.Tensor3D; // [B, 2K, 2d]: rows 0..K-1 live, K..2K-1 detached
      // The fused kernel unless the weights are captured (it never stores them).
      const { mixed, att } =
        !capture && smallAttentionApplies(d, heads)
          ? { mixed: fusedCrossTaskAttention(q, kv, this.consts!.A, this.consts!.D, heads), att: undefined }
          : plainCrossTaskAttention(q, kv, this.consts!, heads);
      const hTilde = applyLinear(mixed, this.o!); // [B, K, d]
      hh = tf.add(layerNorm(hTilde, this.ln1!), h) as tf.Tensor3D;
      if (capture) map = att;
    }
    const ffn = applyLinear(act(applyLinear(hh, this.fc)), this.out);
    const z = tf.add(layerNorm(ffn, this.ln2), hh) as tf.Tensor3D;
    return { z, map };
  }

  dispose(): void {
    if (this.consts) tf.dispose(Object.values(this.consts));
  }
}
