// Dropout on webgpu with its mask drawn on the GPU, from a seed that lives on the device.
//   keep(i) = hash(seed, call, i) >= rate;   y = keep ? x / (1 - rate) : 0;   dx = keep ? dy / (1 - rate) : 0
// Why: tf.dropout draws its mask on the CPU and uploads it, a new one every step, so a step with dropout could not be
// recorded (recordedStep.ts: two recordings differ in their uploaded bytes) and paid an upload per dropout call.
// Here the trainer hands the step's seed in as a device tensor (setDropoutSeed: one of the step's inputs, written
// anew before every replay) and each dropout call of the step takes the next call index (a uniform, the same every
// step). The backward pass draws the same mask again from the same seed and index: nothing is saved.
// A different random stream from tf.dropout's (same rate, same scaling), so a run with dropout > 0 differs
// between webgpu and cpu/wasm as two seeds would; without a seed set (evaluation, probes), tf.dropout stays.
import * as tf from '@tensorflow/tfjs';
import { customOp, fusedAvailable, program, registerWebGPUKernel, runKernel, runProgram } from './webgpu';

const KERNEL = 'OneRankDropout';
const WG = 64;

const code = `
fn mix(v : u32) -> u32 {
  var s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
fn main(index : i32) {
  if (index < uniforms.n) {
    let h = mix(mix(u32(seed[0]) ^ (u32(uniforms.call) * 2654435769u)) ^ u32(index));
    let u = f32(h >> 8u) / 16777216.0;
    result[index] = select(0.0, x[index] * uniforms.scale, u >= uniforms.rate);
  }
}`;

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  registerWebGPUKernel(KERNEL, ({ inputs: { x, seed }, attrs, backend }) => {
    const n = x.shape.reduce((a, b) => a * b, 1);
    const rate = attrs.rate as number;
    const uniforms = [
      { type: 'float32' as const, data: [rate] },
      { type: 'float32' as const, data: [1 / (1 - rate)] },
      { type: 'int32' as const, data: [attrs.call as number] },
      { type: 'int32' as const, data: [n] },
    ];
    return runProgram(backend, program('oneRankDropout', ['x', 'seed'], x.shape, Math.ceil(n / WG), WG, code, 'rate : f32, scale : f32, call : i32, n : i32,'), [x, seed], uniforms);
  });
}

let stepSeed: tf.Tensor | null = null;
let calls = 0;

/** The training step's seed, a float32 [1] tensor holding an integer below 2^24 (null: none; tf.dropout is used). */
export function setDropoutSeed(seed: tf.Tensor | null): void {
  stepSeed = seed;
  calls = 0;
}

/** True when dropout should draw its mask on the GPU: webgpu with the fused kernels, inside a seeded step. */
export function gpuDropoutApplies(): boolean {
  return stepSeed !== null && fusedAvailable();
}

/** Dropout of x at `rate` with the step's seed and this call's index (check gpuDropoutApplies first). */
export function gpuDropout<T extends tf.Tensor>(x: T, rate: number): T {
  install();
  const seed = stepSeed!;
  const call = calls++;
  const op = customOp(([xIn]) => ({
    value: runKernel(KERNEL, { x: xIn, seed }, { rate, call }),
    gradFunc: (dy) => runKernel(KERNEL, { x: dy, seed }, { rate, call }),
  }));
  return op(x) as T;
}

/** The step seed's value for a run's seed and step: an integer below 2^24, exact in float32. */
export function dropoutSeedOf(seed: number, step: number): number {
  return (Math.imul(seed, 7919) + Math.imul(step, 104729)) >>> 8;
}
