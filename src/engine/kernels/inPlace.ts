// x -= flat[offset .. offset + x.size], written into the variable's own GPU buffer: one program per variable
// for the optimizer's last move, where slicing the flat step and subtracting (then `assign`) took two.
// Safe only when nothing else shares the variable's data (refCount 1: no clone of it is alive, e.g. a kept
// checkpoint), so the caller falls back to the plain ops otherwise; a CPU copy of the values cached by an earlier
// read is dropped, since it no longer matches the buffer.
import type * as tf from '@tensorflow/tfjs';
import { flatDispatch, type Uniform, type WebGPUProgram } from './webgpu';

const WG = 64;

interface InPlaceBackend {
  refCount(dataId: object): number;
  tensorMap: { get(dataId: object): { values: unknown } };
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms: Uniform[], output: tf.TensorInfo): tf.TensorInfo;
}

function subtractProgram(size: number): WebGPUProgram {
  return {
    variableNames: ['step'],
    outputShape: [size],
    shaderKey: 'oneRankSubInPlace',
    dispatchLayout: { x: [0] },
    dispatch: flatDispatch(size, WG),
    workgroupSize: [WG, 1, 1],
    uniforms: 'offset : i32, n : i32,',
    getUserCode: () => `fn main(index : i32) {
  if (index < uniforms.n) { result[index] = result[index] - step[uniforms.offset + index]; }
}`,
  };
}

/** True when x can be updated in place on this backend (webgpu, float32, its data not shared). */
export function canSubtractInPlace(backend: unknown, x: tf.Tensor): boolean {
  const b = backend as Partial<InPlaceBackend>;
  return typeof b.runWebGPUProgram === 'function' && x.dtype === 'float32' && b.refCount!(x.dataId) === 1;
}

/** x -= flat[offset .. offset + x.size] in x's own buffer (check canSubtractInPlace first). */
export function subtractInPlace(backend: unknown, x: tf.Tensor, flat: tf.Tensor1D, offset: number): void {
  const b = backend as InPlaceBackend;
  const out = { dataId: x.dataId, shape: [x.size], dtype: x.dtype };
  b.runWebGPUProgram(subtractProgram(x.size), [flat], 'float32', [{ type: 'int32', data: [offset, x.size] }], out);
  b.tensorMap.get(x.dataId).values = null;
}
