// A WGSL module of our own, run through the webgpu backend's recordAndSubmit: for programs that write an input in
// place (Adam's moments and weights, the step's latched guard), which TF.js's own programs cannot (they declare
// every input read-only). recordAndSubmit still makes the bind group and the uniforms, orders the dispatch with
// TF.js's own, and is what the recorded step (recordedStep.ts) captures; its uniform layout (NaN, Infinity, each
// bound tensor's shape and strides, then ours) is restated here for 1-D tensors.
import type * as tf from '@tensorflow/tfjs';
import type { Uniform } from './webgpu';

/* eslint-disable @typescript-eslint/no-explicit-any -- TF.js's webgpu backend internals are untyped here */
interface RawBackend {
  device: any;
  tensorMap: { get(dataId: object): { values: unknown } };
  uploadToGPU(dataId: object): void;
  recordAndSubmit(program: any, output: tf.TensorInfo, inputs: tf.TensorInfo[], uniforms: Uniform[]): void;
}

/** A tensor bound to the module under `name`; `writable` ones are written in place. */
export interface Bound {
  name: string;
  t: tf.TensorInfo;
  writable?: boolean;
}

export interface OwnModule {
  /** Names the pipeline: the same key must always mean the same WGSL. */
  key: string;
  /** TF.js's output binding (binding 0, always writable). */
  output: Bound;
  inputs: Bound[];
  /** Our uniforms' fields ("n : i32, clip : f32,") and their values, in that order. */
  uniformFields: string;
  uniforms: Uniform[];
  /** The entry point `main` and its helpers; uniforms are `u.<field>`. */
  code: string;
  dispatch: [number, number, number];
}

const pipelines = new WeakMap<object, Map<string, any>>();

/** As a 1-D tensor of its size (the module indexes flat arrays). */
export const flat = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, shape: [t.shape.reduce((a, b) => a * b, 1)], dtype: 'float32' });

function shader(m: OwnModule): string {
  const all = [...m.inputs, m.output];
  const shapes = all.map((b) => `${b.name}Shape : i32, ${b.name}Stride : i32,`).join(' ');
  const bindings = [m.output, ...m.inputs].map(
    (b, i) => `@group(0) @binding(${i}) var<storage, ${i === 0 || b.writable ? 'read_write' : 'read'}> ${b.name} : array<f32>;`,
  );
  return `struct Uniforms { NAN : f32, INFINITY : f32, ${shapes} ${m.uniformFields} }
${bindings.join('\n')}
@group(0) @binding(${m.inputs.length + 1}) var<uniform> u : Uniforms;
${m.code}`;
}

function pipelineFor(device: any, m: OwnModule): any {
  let byKey = pipelines.get(device);
  if (!byKey) pipelines.set(device, (byKey = new Map()));
  let p = byKey.get(m.key);
  if (!p) {
    const module = device.createShaderModule({ code: shader(m) });
    byKey.set(m.key, (p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } })));
  }
  return p;
}

/** Encodes one dispatch of the module; a CPU copy of any tensor it writes (cached by an earlier read) is dropped. */
export function runOwnModule(backend: unknown, m: OwnModule): void {
  const b = backend as RawBackend;
  const inputs = m.inputs.map((x) => flat(x.t));
  const output = flat(m.output.t);
  for (const t of [...inputs, output]) b.uploadToGPU(t.dataId);
  // writesInputs: the recorded step drops the CPU copies of what a replay writes.
  const writesInputs = m.inputs.flatMap((x, i) => (x.writable ? [i] : []));
  const program = { pipeline: pipelineFor(b.device, m), dispatch: m.dispatch, shaderKey: m.key, writesInputs };
  b.recordAndSubmit(program, output, inputs, m.uniforms);
  for (const t of [output, ...writesInputs.map((i) => inputs[i])]) b.tensorMap.get(t.dataId).values = null;
}
