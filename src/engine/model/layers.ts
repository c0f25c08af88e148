// The few building blocks every module uses: linear maps, LayerNorm, the activation, dropout, head reshapes.
import * as tf from '@tensorflow/tfjs';
import { fusedLayerNorm } from '../kernels/layerNorm';
import { fusedSiLU } from '../kernels/silu';
import { gpuDropout, gpuDropoutApplies } from '../kernels/dropout';
import { fusedAvailable } from '../kernels/webgpu';
import type { Params } from './params';

export interface Linear {
  w: tf.Variable; // [in, out]
  b: tf.Variable; // [out]
}

export function linear(p: Params, name: string, inDim: number, outDim: number, gain = 1): Linear {
  return { w: p.weight(`${name}/w`, [inDim, outDim], gain), b: p.zeros(`${name}/b`, [outDim]) };
}

/** x [R, in] W + b; on webgpu the bias add rides in the matMul's epilogue (one GPU program, not two). */
function matMulBias<T extends tf.Tensor>(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): T {
  return (fusedAvailable() ? tf.fused.matMul({ a: x, b: w, bias: b }) : tf.add(tf.matMul(x, w), b)) as T;
}

/** x [..., in] -> [..., out]; flattened to 2-D so every backend runs one plain matMul. */
export function applyLinear(x: tf.Tensor, l: Linear): tf.Tensor {
  const shape: number[] = x.shape;
  const inDim = shape[shape.length - 1];
  const outDim = l.w.shape[1] as number;
  const y = matMulBias(x.reshape([-1, inDim]), l.w, l.b);
  return y.reshape([...shape.slice(0, -1), outDim]);
}

/** K task-private linear maps applied at once: x [K, R, in] -> [K, R, out] (one batched matMul). */
export interface TaskLinear {
  w: tf.Variable; // [K, in, out]
  b: tf.Variable; // [K, 1, out]
}

export function taskLinear(p: Params, name: string, K: number, inDim: number, outDim: number, gain = 1): TaskLinear {
  return { w: p.weight(`${name}/w`, [K, inDim, outDim], gain), b: p.zeros(`${name}/b`, [K, 1, outDim]) };
}

export function applyTaskLinear(x: tf.Tensor3D, l: TaskLinear): tf.Tensor3D {
  // Not tf.fused.matMul here: with a per-task [K, 1, out] bias its gradient came out wrong on webgpu
  // (kernels-parity.test.ts caught it), so the batched maps keep matMul + add.
  return tf.add(tf.matMul(x, l.w as tf.Tensor3D), l.b);
}

export interface Norm {
  g: tf.Variable; // [d]
  b: tf.Variable; // [d]
}

/** LayerNorm's gain (initially `gain`, 1 unless a model asks for less) and bias (0). */
export function norm(p: Params, name: string, shape: number[], gain = 1): Norm {
  return { g: p.fill(`${name}/g`, shape, gain), b: p.zeros(`${name}/b`, shape) };
}

/**
 * LayerNorm over the last axis (g, b broadcast from the right, so per-task [K, d] parameters work too). On webgpu
 * one fused program each way (kernels/layerNorm.ts); these plain ops are the reference and the other backends.
 */
export function layerNorm<T extends tf.Tensor>(x: T, n: Norm, eps = 1e-5): T {
  if (fusedAvailable()) return fusedLayerNorm(x, n.g, n.b, eps);
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), n.g), n.b) as T;
}

/** SiLU: smooth (finite differences stay honest in the gradient check, no dead units); fused on webgpu. */
export function act<T extends tf.Tensor>(x: T): T {
  if (fusedAvailable()) return fusedSiLU(x);
  return tf.mul(x, tf.sigmoid(x)) as T;
}

/**
 * Dropout with a reproducible seed per call (the caller advances the counter); in a training step on webgpu the mask
 * is drawn on the GPU from the step's seed (kernels/dropout.ts), so the step can be recorded.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, seed: () => number): T {
  if (!training || rate <= 0) return x;
  if (gpuDropoutApplies()) return gpuDropout(x, rate);
  return tf.dropout(x, rate, undefined, seed()) as T;
}

/** [B, T, d] -> [B, heads, T, d / heads] */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [B, T, d] = x.shape;
  return x.reshape([B, T, heads, d / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
}

/** [B, heads, T, dh] -> [B, T, heads * dh] */
export function mergeHeads(x: tf.Tensor): tf.Tensor3D {
  const [B, h, T, dh] = x.shape;
  return x.transpose([0, 2, 1, 3]).reshape([B, T, h * dh]) as tf.Tensor3D;
}

/**
 * A 0/1 float32 tensor from a boolean one. On webgpu, tf.cast from bool/int32 to float32 only relabels the int
 * buffer, and the webgpu Transpose kernel (which every reduction over a non-last axis runs first) copies that
 * buffer without converting it: its shader fails to compile and the whole queued command buffer is dropped,
 * leaving garbage (NaN) in tensors computed long before. Element-wise ops, matMul, concat and reductions over
 * the LAST axis convert on read and are safe; so never transpose an indicator, or reduce it over another axis,
 * before an element-wise op has produced a real float tensor from it.
 */
export function indicator(cond: tf.Tensor): tf.Tensor {
  return tf.cast(cond, 'float32');
}

/** Additive mask bias: 0 where allowed, -1e9 where not (exp underflows to exactly 0 in float32). */
export const MASKED = -1e9;

export function maskBias(allowed01: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sub(1, allowed01), MASKED);
}

/** logit(p), clamped so a task with no positives (or no negatives) still gets a finite bias. */
export function logitOf(p: number): number {
  const q = Math.min(Math.max(Number.isFinite(p) ? p : 0.5, 1e-4), 1 - 1e-4);
  return Math.log(q / (1 - q));
}
