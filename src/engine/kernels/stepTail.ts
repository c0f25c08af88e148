// The end of a training step on webgpu, between the backward pass and Adam, in three programs where TF.js ran ~14:
//   sumSq = sum of g^2 over the flat gradient                  (OneRankSumSquares: a column reduction, 1-2 programs)
//   out   = [loss, BCE (K), InfoNCE (K), |g|, T, clip factor, ok, c1, c2]            (OneRankStepScalars: 1 program)
// The first 3 + 2K values are the step's scalars (read back, one step's only readback); the last four are what Adam
// reads on the device (kernels/adam.ts, `auxAt` = 3 + 2K): the clip factor min(1, clip / |g|) (1 with clip 0),
// ok = 1 when every scalar is finite (else the update changes nothing), and Adam's bias corrections c1, c2.
// Plain TF.js for the same: tf.norm (abs, pow, a sum, sqrt), the scalars' concat, isFinite + all, div + minimum,
// and a cast and a concat for Adam's scalars. The plain path (trainer.ts) stays the reference and the path for cpu
// and wasm; the training tests compare the two.
import * as tf from '@tensorflow/tfjs';
import { columnReduce } from './reduce';
import { runOwnModule } from './ownModule';
import { flush } from './recordedStep';
import { registerWebGPUKernel, runKernel } from './webgpu';

const SUM_SQUARES = 'OneRankSumSquares';
const STEP_SCALARS = 'OneRankStepScalars';

// Finite from the bits: a compiler may fold `v == v` to true (WGSL lets it assume no NaN).
const code = `
fn finite(v : f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) < 0x7f800000u; }
@compute @workgroup_size(1)
fn main() {
  let K = u.K;
  var ok = finite(value[0]) && finite(temperature[0]);
  result[0] = value[0];
  for (var k = 0; k < K; k++) {
    result[1 + k] = bce[k];
    result[1 + K + k] = infoNce[k];
    ok = ok && finite(bce[k]) && finite(infoNce[k]);
  }
  let norm = sqrt(sumSq[0]);
  ok = ok && finite(norm);
  result[1 + 2 * K] = norm;
  result[2 + 2 * K] = temperature[0];
  // min(1, clip / norm) without dividing by a zero norm; clip 0 = no clipping.
  let clip = u.clip;
  result[3 + 2 * K] = select(1.0, clip / norm, clip > 0.0 && norm > clip);
  // The latch: a bad step sets it, and until the CPU clears it no later step changes anything (the CPU reads a
  // step's scalars while the next one already runs).
  let halted = latch[0] != 0.0;
  if (!ok) { latch[0] = 1.0; }
  result[4 + 2 * K] = select(0.0, 1.0, ok && !halted);
  result[5 + 2 * K] = hyper[0];
  result[6 + 2 * K] = hyper[1];
}`;

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  registerWebGPUKernel(SUM_SQUARES, ({ inputs: { x }, backend }) => {
    return columnReduce(backend, { name: 'oneRankSumSquares', inputs: [x], variableNames: ['x'], term: 'x[i] * x[i]', A: 1, R: tf.util.sizeFromShape(x.shape), C: 1 }, [1]);
  });
  registerWebGPUKernel(STEP_SCALARS, ({ inputs, attrs, backend }) => {
    const K = inputs.bce.shape[0];
    const result = (backend as { makeTensorInfo(shape: number[], dtype: 'float32'): tf.TensorInfo }).makeTensorInfo([stepScalarsLength(K)], 'float32');
    const read = ['value', 'bce', 'infoNce', 'sumSq', 'temperature', 'hyper'].map((name) => ({ name, t: inputs[name] }));
    runOwnModule(backend, {
      key: 'oneRankStepScalars',
      output: { name: 'result', t: result },
      inputs: [...read, { name: 'latch', t: inputs.latch, writable: true }],
      uniformFields: 'K : i32, clip : f32,',
      uniforms: [
        { type: 'int32', data: [K] },
        { type: 'float32', data: [attrs.clip as number] },
      ],
      code,
      dispatch: [1, 1, 1],
    });
    return result;
  });
}

/** The length of the step-scalars vector for K tasks: 3 + 2K scalars, then Adam's four. */
export const stepScalarsLength = (K: number) => 7 + 2 * K;

/** Where Adam's [clip factor, ok, c1, c2] start in the step-scalars vector. */
export const adamScalarsAt = (K: number) => 3 + 2 * K;

/** The sum of the squares of a float32 tensor's values, [1] (webgpu only). */
export function sumOfSquares(x: tf.Tensor): tf.Tensor1D {
  install();
  return runKernel(SUM_SQUARES, { x });
}

export interface StepParts {
  value: tf.Tensor; // the total loss, a scalar or [1]
  bce: tf.Tensor1D; // [K]
  infoNce: tf.Tensor1D; // [K]
  sumSq: tf.Tensor1D; // [1], the flat gradient's sum of squares
  temperature: tf.Tensor; // a scalar or [1]
  hyper: tf.Tensor1D; // Adam's [c1, c2]
  latch: tf.Tensor1D; // [1], 0 until a bad step; see newLatch
}

/**
 * [loss, BCE (K), InfoNCE (K), |g|, T, clip factor, ok, c1, c2] in one program (webgpu only); clip 0 = none.
 * ok is 0 when a scalar is not finite, and also once `latch` is set: a step with a non-finite scalar sets it.
 */
export function stepScalars(parts: StepParts, clip: number): tf.Tensor1D {
  install();
  return runKernel(STEP_SCALARS, { ...parts }, { clip });
}

/** The device flag a bad step sets (stepScalars): [1], 0 = clear. Keep it for the run; it is written in place. */
export function newLatch(): tf.Tensor1D {
  return tf.keep(tf.zeros([1]));
}

/** Clears the latch, ordered after everything submitted so far and before anything submitted next. */
export function clearLatch(latch: tf.Tensor1D): void {
  const b = tf.backend() as unknown as { queue: GPUQueue; tensorMap: { get(id: object): { resource?: GPUBuffer; values: unknown } } };
  const d = b.tensorMap.get(latch.dataId);
  if (!d.resource) return; // never on the GPU, so never set
  flush();
  b.queue.writeBuffer(d.resource, 0, Float32Array.of(0));
}
