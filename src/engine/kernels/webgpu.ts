// The common ground of the fused kernels: how one WGSL program runs on TF.js's webgpu backend, and when the
// fused path is taken at all.
// A program is a plain object (TF.js's WebGPUProgram interface, see @tensorflow/tfjs-backend-webgpu's
// webgpu_program.d.ts): the backend prepends the bindings (`result` at 0, one read-only array per input name,
// then `uniforms`), the shapes and strides of every input and the output as uniforms (`uniforms.xShape`,
// `uniforms.outShape`, ...), a `main(index)` entry and helpers; `getUserCode()` supplies the body. Pipelines are
// cached by shaderKey (plus ranks and dtypes), so one key per distinct WGSL text.
// The fused path is a second implementation of the same math: cpu and wasm (and webgpu with `fused` off) keep
// the plain TF.js ops, which stay the reference the kernel tests compare against.
import * as tf from '@tensorflow/tfjs';

/** TF.js's WebGPUProgram, restated so that no engine file imports the backend package's internals. */
export interface WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Extra uniform fields, WGSL struct syntax ('eps : f32, rows : i32,'); values go to runProgram. */
  uniforms?: string;
  /** True: the output buffer is array<atomic<i32>> (scatter-adds of float bits). */
  atomic?: boolean;
  getUserCode: () => string;
}

export interface Uniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

interface WebGPUBackendLike {
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: Uniform[]): tf.TensorInfo;
}

let enabled = true;

/** The config switch (`fused`): the Trainer sets it from its config before every forward pass. */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** True when the model code should take the fused kernels: the webgpu backend is live and the switch is on. */
export function fusedAvailable(): boolean {
  return enabled && tf.getBackend() === 'webgpu';
}

/** Runs one program over TensorInfos (inside a registered kernel's kernelFunc) and returns its output. */
export function runProgram(backend: unknown, program: WebGPUProgram, inputs: tf.TensorInfo[], uniforms?: Uniform[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  return (backend as WebGPUBackendLike).runWebGPUProgram(program, inputs, dtype, uniforms);
}

/** The same data under another shape, through the backend's Reshape kernel: no program, no copy. */
export function reshapeInfo(backend: unknown, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  const reshape = tf.getKernel('Reshape', 'webgpu')!.kernelFunc as unknown as (a: unknown) => tf.TensorInfo;
  return reshape({ inputs: { x }, attrs: { shape }, backend });
}

const ELEMENTWISE_WG = 64;

/**
 * An element-wise program over inputs shaped like the first (inside a kernel's kernelFunc): `main(index)` takes
 * element `index` when `index < uniforms.n`; `extra` adds uniform fields (WGSL struct syntax) and their values.
 */
export function runElementwise(
  backend: unknown,
  shaderKey: string,
  variableNames: string[],
  inputs: tf.TensorInfo[],
  code: string,
  extra: { fields: string; values: Uniform[] } = { fields: '', values: [] },
): tf.TensorInfo {
  const shape = inputs[0].shape;
  const n = tf.util.sizeFromShape(shape);
  const prog = program(shaderKey, variableNames, shape, Math.ceil(n / ELEMENTWISE_WG), ELEMENTWISE_WG, code, `n : i32, ${extra.fields}`);
  return runProgram(backend, prog, inputs, [{ type: 'int32', data: [n] }, ...extra.values]);
}

/** Workgroups of `size` threads, one per item (the flat `index` in main() then counts threads). */
export function flatDispatch(items: number, size: number): [number, number, number] {
  return [Math.ceil(items / size), 1, 1];
}

/**
 * A program over a flat output with one workgroup per `groups` item (rows, columns): `main(index)` gets the
 * global thread index; the workgroup's item is `index / WG` and its thread `localIndex` (both survive the
 * backend's reshaping of a dispatch over 65,535 workgroups into 2-D).
 */
export function program(
  shaderKey: string,
  variableNames: string[],
  outputShape: number[],
  groups: number,
  workgroup: number,
  body: string,
  uniforms?: string,
  atomic = false,
): WebGPUProgram {
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: flatDispatch(groups * workgroup, workgroup),
    workgroupSize: [workgroup, 1, 1],
    uniforms,
    atomic,
    getUserCode: () => `const WG = ${workgroup};\n${body}`,
  };
}

/** A reduction of `v` over the workgroup into `buf[0]` (WG a power of two; every thread must call it). */
export const WG_SUM = `
fn wgSum(v : f32) -> f32 {
  buf[localIndex] = v;
  workgroupBarrier();
  for (var s = u32(WG) / 2u; s > 0u; s = s / 2u) {
    if (localIndex < s) { buf[localIndex] = buf[localIndex] + buf[localIndex + s]; }
    workgroupBarrier();
  }
  let total = buf[0];
  workgroupBarrier();
  return total;
}`;

/** Registers a kernel for the webgpu backend only (idempotent; cpu and wasm keep the plain ops). */
export function registerWebGPUKernel(kernelName: string, kernelFunc: (args: { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: unknown }) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (tf.getKernel(kernelName, 'webgpu')) return;
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/**
 * Puts `kernelFunc` in place of TF.js's own webgpu kernel `kernelName` and returns TF.js's (the replacement's
 * fallback and reference); null, with nothing replaced, until the webgpu backend's kernels are registered.
 */
export function overrideWebGPUKernel<A>(kernelName: string, kernelFunc: (args: A) => tf.TensorInfo): ((args: A) => tf.TensorInfo) | null {
  const own = tf.getKernel(kernelName, 'webgpu');
  if (!own) return null;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  return own.kernelFunc as unknown as (args: A) => tf.TensorInfo;
}

/** Runs a registered kernel through the engine (so it is profiled and counted like any TF.js op). */
export function runKernel<T extends tf.Tensor>(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return tf.engine().runKernel(kernelName, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as T;
}

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** tf.customGrad with the inputs as one array: f(inputs, save) -> { value, gradFunc } (one gradient per input). */
export function customOp(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc }): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  });
  return (...inputs) => op(...inputs);
}
