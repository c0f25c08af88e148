// The gradient of every embedding lookup (tf.gather) is an UnsortedSegmentSum over the table's rows.
// - cpu: TF.js implements it as one masked full-size sum PER TABLE ROW (O(rows x batch) kernel calls); with a
//   400-item table it took 2 s of a 6 s training step. A plain scatter-add loop is O(batch).
// - wasm: the backend has no such kernel at all, so no model with embeddings could train there.
// This registers one scatter-add loop for both. webgpu gets its own scatter-add program (kernels/segmentSum.ts),
// its own Sum over a block of axes (kernels/reduce.ts: no transpose, many workgroups a column), and transposes
// that move no data become reshapes (kernels/transpose.ts).
import * as tf from '@tensorflow/tfjs';
import { installWebGPUMatMul } from '../kernels/matmul';
import { installWebGPUSum } from '../kernels/reduce';
import { installWebGPUSegmentSum } from '../kernels/segmentSum';
import { installWebGPUTranspose } from '../kernels/transpose';

const KERNEL = 'UnsortedSegmentSum';

/** out[s, ...] = sum over i with ids[i] = s of x[i, ...]; ids outside [0, numSegments) are dropped (as in TF). */
export function scatterAdd(x: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, out: Float32Array): void {
  const inner = ids.length === 0 ? 0 : x.length / ids.length;
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) out[to + j] += x[from + j];
  }
}

interface Args {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  attrs: { numSegments: number };
  // The backend's internals differ (cpu keeps JS arrays, wasm a heap); each kernel below knows its own.
  backend: unknown;
}

const outShape = (a: Args) => [a.attrs.numSegments, ...a.inputs.x.shape.slice(a.inputs.segmentIds.shape.length)];

interface CpuBackend {
  data: { get(id: tf.DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function cpuSegmentSum(args: Args): tf.TensorInfo {
  const be = args.backend as CpuBackend;
  const shape = outShape(args);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  scatterAdd(be.data.get(args.inputs.x.dataId).values, be.data.get(args.inputs.segmentIds.dataId).values, args.attrs.numSegments, out);
  return be.makeTensorInfo(shape, 'float32', out);
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): ArrayLike<number>;
}

function wasmSegmentSum(args: Args): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const shape = outShape(args);
  const outInfo = be.makeOutput(shape, 'float32');
  const out = be.typedArrayFromHeap(outInfo) as Float32Array;
  out.fill(0); // the heap slot is not zeroed
  scatterAdd(be.typedArrayFromHeap(args.inputs.x), be.typedArrayFromHeap(args.inputs.segmentIds), args.attrs.numSegments, out);
  return outInfo;
}

let installed = false;

/** Registers the scatter-add UnsortedSegmentSum for cpu and wasm (idempotent; safe before the backends load). */
export function installFastKernels(): void {
  installWebGPUSegmentSum(); // once the webgpu backend is loaded (kernels/segmentSum.ts says why)
  installWebGPUSum(); // likewise (kernels/reduce.ts)
  installWebGPUMatMul(); // large matmuls (kernels/matmul.ts)
  installWebGPUTranspose(); // transposes that are reshapes (kernels/transpose.ts)
  if (installed) return;
  installed = true;
  for (const [backendName, kernelFunc] of [
    ['cpu', cpuSegmentSum],
    ['wasm', wasmSegmentSum],
  ] as const) {
    if (tf.getKernel(KERNEL, backendName)) tf.unregisterKernel(KERNEL, backendName);
    tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
