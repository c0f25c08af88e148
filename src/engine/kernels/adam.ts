// Adam's update written into the buffers it changes: the two moments (one program each, over the flat gradient)
// and each variable (one program each, reading its slice of the moments). With the plain ops, the update made
// new tensors and `assign`ed them, so every step moved the weights and moments to new GPU buffers: ~10 programs
// plus a slice and a subtract per variable, and a recorded step (recordedStep.ts) could not replay it, since its
// dispatches would read the old buffers. In place, the buffers keep their identity from step to step.
// Safe only when nothing else shares a variable's data (refCount 1: no clone of it is alive), so the caller
// checks canUpdateInPlace first; a CPU copy of the values cached by an earlier read is dropped after each write.
// Everything per step (the bias corrections c1, c2) comes in a small tensor, not as uniforms, so the programs'
// uniforms are the same every step.
import type * as tf from '@tensorflow/tfjs';
import { flatDispatch, type Uniform, type WebGPUProgram } from './webgpu';

const WG = 64;

interface InPlaceBackend {
  refCount(dataId: object): number;
  tensorMap: { get(dataId: object): { values: unknown } };
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms: Uniform[], output: tf.TensorInfo): tf.TensorInfo;
}

function flatProgram(shaderKey: string, variableNames: string[], size: number, uniforms: string, body: string): WebGPUProgram {
  return {
    variableNames,
    outputShape: [size],
    shaderKey,
    dispatchLayout: { x: [0] },
    dispatch: flatDispatch(size, WG),
    workgroupSize: [WG, 1, 1],
    uniforms,
    getUserCode: () => `fn main(index : i32) {\n  if (index < uniforms.n) {\n${body}\n  }\n}`,
  };
}

// A moment, m <- beta m + (1 - beta) g (square 0) or v <- beta v + (1 - beta) g^2 (square 1), with g = grad * scale
// (the clip factor); unchanged where ok is false (the gradient may then be NaN: it never reaches the moment).
function momentProgram(size: number): WebGPUProgram {
  return flatProgram(
    'oneRankAdamMoment',
    ['grad', 'scale', 'ok'],
    size,
    'beta : f32, square : i32, n : i32,',
    `    if (ok[0] != 0) {
      let g = grad[index] * scale[0];
      let x = select(g, g * g, uniforms.square == 1);
      result[index] = result[index] * uniforms.beta + x * (1.0 - uniforms.beta);
    }`,
  );
}

// x <- (x - m c1 / (sqrt(v c2) + eps)) * keep, on x's slice [offset, offset + n) of the moments; keep is the
// decoupled weight decay's factor (1 - lr * rate; 1 = none). Unchanged where ok is false.
function applyProgram(size: number): WebGPUProgram {
  return flatProgram(
    'oneRankAdamApply',
    ['m', 'v', 'hyper', 'ok'],
    size,
    'offset : i32, eps : f32, keep : f32, n : i32,',
    `    if (ok[0] != 0) {
      let j = uniforms.offset + index;
      let step = (m[j] * hyper[0]) / (sqrt(v[j] * hyper[1]) + uniforms.eps);
      result[index] = (result[index] - step) * uniforms.keep;
    }`,
  );
}

/** True when x can be updated in place on this backend (webgpu, float32, its data not shared). */
export function canUpdateInPlace(backend: unknown, x: tf.Tensor): boolean {
  const b = backend as Partial<InPlaceBackend>;
  return typeof b.runWebGPUProgram === 'function' && x.dtype === 'float32' && b.refCount!(x.dataId) === 1;
}

function runInPlace(b: InPlaceBackend, program: WebGPUProgram, x: tf.Tensor, inputs: tf.Tensor[], uniforms: Uniform[]): void {
  b.runWebGPUProgram(program, inputs, 'float32', uniforms, { dataId: x.dataId, shape: [x.size], dtype: x.dtype });
  b.tensorMap.get(x.dataId).values = null; // a cached CPU copy no longer matches the buffer
}

/** One moment of Adam, in its own buffer (check canUpdateInPlace first); `ok` is a bool scalar, scale a float one. */
export function momentInPlace(backend: unknown, moment: tf.Tensor1D, grad: tf.Tensor1D, scale: tf.Scalar, ok: tf.Scalar, beta: number, square: boolean): void {
  const uniforms: Uniform[] = [
    { type: 'float32', data: [beta] },
    { type: 'int32', data: [square ? 1 : 0] },
    { type: 'int32', data: [moment.size] },
  ];
  runInPlace(backend as InPlaceBackend, momentProgram(moment.size), moment, [grad, scale, ok], uniforms);
}

/** x's Adam step from the updated moments, in x's own buffer; hyper = [c1, c2] (lr / (1 - b1^t), 1 / (1 - b2^t)). */
export function applyInPlace(backend: unknown, x: tf.Tensor, m: tf.Tensor1D, v: tf.Tensor1D, hyper: tf.Tensor1D, ok: tf.Scalar, offset: number, eps: number, keep: number): void {
  const uniforms: Uniform[] = [
    { type: 'int32', data: [offset] },
    { type: 'float32', data: [eps] },
    { type: 'float32', data: [keep] },
    { type: 'int32', data: [x.size] },
  ];
  runInPlace(backend as InPlaceBackend, applyProgram(x.size), x, [m, v, hyper, ok], uniforms);
}
