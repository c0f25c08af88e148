// Section 2: the shared pre-norm Transformer under the structured mask, plus the glue between a TokenLayout and
// tensors (assembling X, the per-row padding of keys, slicing the outputs back out).
//   x = x + Drop(Wo . MHA(LN1(x), mask));  x = x + Drop(FFN(LN2(x)));  out = LN_f(x)
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config';
import { denseBias, fusedAttention, fusedAttentionApplies, plainAttention, type AttentionMask } from '../kernels/attention';
import { act, applyLinear, dropout, indicator, layerNorm, linear, norm, type Linear, type Norm } from './layers';
import type { TokenLayout } from './mask';
import type { Params } from './params';
import type { BatchTensors } from './types';

interface Block {
  ln1: Norm;
  qkv: Linear; // d -> 3d
  proj: Linear; // d -> d
  ln2: Norm;
  fc: Linear; // d -> ffnRatio * d
  out: Linear; // ffnRatio * d -> d
}

export interface TrunkOutput {
  out: tf.Tensor3D; // [B, T, d]
  /** maps[layer][head] = [B, T, T], when capture was asked for. */
  maps?: tf.Tensor3D[][];
}

export class Trunk {
  private readonly blocks: Block[];
  private readonly lnF: Norm;

  /** outGain: the initial gain of the final LayerNorm LN_f (OneRank starts it small: scorer.ts says why). */
  constructor(
    p: Params,
    private readonly cfg: Config,
    private readonly seed: () => number,
    outGain = 1,
  ) {
    const { d, layers } = cfg;
    const hidden = Math.max(1, Math.round(cfg.ffnRatio * d));
    // GPT-2's trick: residual-branch outputs start small so the stream does not grow with depth.
    const residualGain = 1 / Math.sqrt(2 * layers);
    this.blocks = Array.from({ length: layers }, (_, l) => ({
      ln1: norm(p, `trunk/l${l}/ln1`, [d]),
      qkv: linear(p, `trunk/l${l}/attn/qkv`, d, 3 * d),
      proj: linear(p, `trunk/l${l}/attn/proj`, d, d, residualGain),
      ln2: norm(p, `trunk/l${l}/ln2`, [d]),
      fc: linear(p, `trunk/l${l}/ffn/fc`, d, hidden),
      out: linear(p, `trunk/l${l}/ffn/out`, hidden, d, residualGain),
    }));
    this.lnF = norm(p, 'trunk/lnF', [d], outGain);
  }

  /** x [B, T, d]; who may attend to whom (attentionBias). */
  run(x: tf.Tensor3D, allowed: AttentionMask, training: boolean, capture = false): TrunkOutput {
    const { heads, dropout: rate } = this.cfg;
    const [B, T, d] = x.shape;
    // The plain path (cpu, wasm, captured maps) adds the dense bias [B, 1, T, T], built once for every layer.
    const bias = capture || !fusedAttentionApplies([B, T, 3 * d], heads) ? denseBias(allowed) : null;
    const maps: tf.Tensor3D[][] = [];
    for (const blk of this.blocks) {
      const qkv = applyLinear(layerNorm(x, blk.ln1), blk.qkv) as tf.Tensor3D; // [B, T, 3d]
      // softmax(q k^T / sqrt(dh) + bias) v per head, merged back to [B, T, d]: one fused GPU program on webgpu
      // (kernels/attention.ts); the plain TF.js ops elsewhere and when the maps are captured.
      const { out: att, probs } = bias ? plainAttention(qkv, bias, heads) : { out: fusedAttention(qkv, allowed, heads), probs: null };
      if (capture) maps.push(tf.unstack(probs!, 1) as tf.Tensor3D[]);
      const y = applyLinear(att, blk.proj); // [B, T, d]
      x = tf.add(x, dropout(y, rate, training, this.seed));
      const f = applyLinear(act(applyLinear(layerNorm(x, blk.ln2), blk.fc)), blk.out);
      x = tf.add(x, dropout(f, rate, training, this.seed));
    }
    return { out: layerNorm(x, this.lnF), maps: capture ? maps : undefined };
  }
}

/** X = [ SD | history | G_1 .. G_N ], G_i = [c_i, task tokens of group i] -> [B, T, d] */
export function assembleSequence(
  s: tf.Tensor2D, // [B, d]
  hist: tf.Tensor3D | null, // [B, H, d]
  cand: tf.Tensor3D, // [B, N, d]
  task: tf.Tensor4D | null, // [B, N, Kt, d]
): tf.Tensor3D {
  const [B, , d] = cand.shape;
  const groups = task ? tf.concat([cand.expandDims(2), task], 2).reshape([B, -1, d]) : cand;
  return tf.concat([s.expandDims(1), ...(hist ? [hist] : []), groups], 1) as tf.Tensor3D;
}

/** Which keys are real per batch row [B, T] (mask.ts keyRealOf, batched). */
export function keyPadding(bt: BatchTensors, layout: TokenLayout): tf.Tensor2D {
  const { B } = bt;
  const parts: tf.Tensor[] = [tf.ones([B, layout.numSD])];
  if (layout.historyLen > 0) parts.push(indicator(tf.greater(bt.history, 0))); // concat converts on read
  parts.push(tf.tile(bt.candMask.expandDims(2), [1, 1, layout.groupSize]).reshape([B, -1]));
  return tf.concat(parts, 1) as tf.Tensor2D;
}

/**
 * The attention bias from the layout's mask [T, T] and the real keys [B, T], kept factored (kernels/attention.ts
 * AttentionMask): the fused kernels read the factors; the plain path expands them to [B, 1, T, T] (denseBias).
 */
export function attentionBias(mask: tf.Tensor2D, eye: tf.Tensor2D, keyReal: tf.Tensor2D): AttentionMask {
  return { mask, eye, keyReal };
}

/** Trunk outputs of the candidate groups: [B, T, d] -> [B, N, groupSize, d] */
export function groupOutputs(out: tf.Tensor3D, layout: TokenLayout): tf.Tensor4D {
  const [B, , d] = out.shape;
  return out.slice([0, layout.numCtx, 0], [B, -1, d]).reshape([B, layout.numGroups, layout.groupSize, d]) as tf.Tensor4D;
}
