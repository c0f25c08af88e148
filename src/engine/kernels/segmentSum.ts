// The embedding gradient on webgpu: UnsortedSegmentSum (the gradient of every tf.gather) as one scatter-add
// program, replacing TF.js's own webgpu kernel.
//   out[s, c] = sum over rows i with ids[i] = s of x[i, c]
// Why: TF.js transposes x to [inner, rows] and gives consecutive threads consecutive ROWS of one column, so a
// warp's float atomic adds (a compare-exchange loop: WGSL has no float atomicAdd) all hit the same address
// whenever neighbouring rows share an id (padded histories, popular items) and retry one after another. On the
// H200 at the `large` bench config this took 196 of the step's 291 ms of GPU time (npm run bench -- --profile).
// Here consecutive threads take consecutive COLUMNS of one row (distinct addresses, no transposes), the compare-
// exchange starts from the value actually stored (not from a guessed 0), and exact-zero gradient rows (padding
// positions, masked away) are skipped. Summation order differs from a serial sum only by float rounding.
import * as tf from '@tensorflow/tfjs';
import { fusedAvailable, overrideWebGPUKernel, program, type Uniform } from './webgpu';

const KERNEL = 'UnsortedSegmentSum';
const WG = 64;

const code = `
fn main(index : i32) {
  if (index < uniforms.size) {
    let v = x[index];
    if (v != 0.0) {
      let s = segmentIds[index / uniforms.inner];
      if (s >= 0 && s < uniforms.numSegments) {
        let at = s * uniforms.inner + index % uniforms.inner;
        var old = atomicLoad(&result[at]);
        loop {
          let res = atomicCompareExchangeWeak(&result[at], old, bitcast<i32>(bitcast<f32>(old) + v));
          if (res.exchanged) { break; }
          old = res.old_value;
        }
      }
    }
  }
}`;

interface Args {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  attrs: { numSegments: number };
  backend: unknown;
}

interface WebGPUBackendWithOutput {
  runWebGPUProgram(p: unknown, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms: Uniform[], output: tf.TensorInfo): tf.TensorInfo;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

let tfjsSegmentSum: ((a: Args) => tf.TensorInfo) | null = null;

function segmentSum(args: Args): tf.TensorInfo {
  // With the `fused` switch off, TF.js's own kernel: the reference the kernel test compares against.
  if (!fusedAvailable()) return tfjsSegmentSum!(args);
  const { inputs: { x, segmentIds }, attrs: { numSegments }, backend } = args;
  const rows = sizeOf(segmentIds.shape);
  const size = sizeOf(x.shape);
  const inner = rows === 0 ? 1 : size / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  // The atomic adds accumulate into the output, so it starts as zeros (the backend's own Fill program).
  const fill = tf.getKernel('Fill', 'webgpu')!.kernelFunc as unknown as (a: unknown) => tf.TensorInfo;
  const out = fill({ backend, inputs: {}, attrs: { shape: outShape, value: 0, dtype: 'float32' } });
  if (size === 0) return out;
  const prog = program('oneRankSegmentSum', ['x', 'segmentIds'], outShape, Math.ceil(size / WG), WG, code, 'size : i32, inner : i32, numSegments : i32,', true);
  const uniforms: Uniform[] = [
    { type: 'int32', data: [size] },
    { type: 'int32', data: [inner] },
    { type: 'int32', data: [numSegments] },
  ];
  return (backend as WebGPUBackendWithOutput).runWebGPUProgram(prog, [x, segmentIds], 'float32', uniforms, out);
}

/** Replaces TF.js's webgpu UnsortedSegmentSum with the scatter-add above (idempotent; a no-op until the webgpu backend's kernels are registered). */
export function installWebGPUSegmentSum(): void {
  tfjsSegmentSum ??= overrideWebGPUKernel(KERNEL, segmentSum);
}
