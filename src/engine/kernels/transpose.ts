// Transposes that move no data. TF.js's webgpu Transpose runs a copy program for every call, also when the
// permutation only moves axes of size 1 (or none at all): the gradient of every embedding lookup transposes its
// [rows, d] gradient with perm [0, 1], twice, and a head split of one query ([B, K, h, 1, dh] -> [B, h, K, 1, dh]
// with K = 1) is the same values in the same order. Such a transpose is a reshape: the output shares the input's
// buffer (no program, no copy). Every other permutation keeps TF.js's kernel.
import * as tf from '@tensorflow/tfjs';
import { fusedAvailable, overrideWebGPUKernel, reshapeInfo } from './webgpu';

/** True when `perm` keeps the order of every axis of size > 1 of `shape`: the transpose is a reshape. */
export function transposeIsReshape(shape: readonly number[], perm: readonly number[]): boolean {
  const moved = perm.filter((axis) => shape[axis] !== 1);
  return moved.every((axis, i) => i === 0 || moved[i - 1] < axis);
}

interface TransposeArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { perm: number[] };
  backend: unknown;
}

let tfjsTranspose: ((a: TransposeArgs) => tf.TensorInfo) | null = null;

function transpose(args: TransposeArgs): tf.TensorInfo {
  const { inputs: { x }, attrs: { perm }, backend } = args;
  // With the fused switch off, TF.js's own kernel: the reference the tests compare against.
  if (!fusedAvailable() || !transposeIsReshape(x.shape, perm)) return tfjsTranspose!(args);
  return reshapeInfo(backend, x, perm.map((axis) => x.shape[axis]));
}

/** Replaces TF.js's webgpu Transpose with the above (idempotent; a no-op until the webgpu backend's kernels are registered). */
export function installWebGPUTranspose(): void {
  tfjsTranspose ??= overrideWebGPUKernel('Transpose', transpose);
}
