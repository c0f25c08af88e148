// The InfoNCE temperature T = exp(clamp(log T, lo, hi)) (train/loss.ts Temperature) in one program each way on webgpu:
//   T = exp(min(max(x, lo), hi));   dx = dy * T where lo <= x <= hi, else 0 (clipByValue's gradient)
// TF.js ran 2 programs forward (clipByValue, exp) and 6 backward (exp's multiply; greaterEqual, lessEqual,
// logicalAnd, zerosLike and select for the clip) on a one-element tensor, every step.
import * as tf from '@tensorflow/tfjs';
import { customOp, program, registerWebGPUKernel, runKernel, runProgram } from './webgpu';

const FORWARD = 'OneRankClampedExp';
const GRAD = 'OneRankClampedExpGrad';
const UNIFORMS = 'n : i32, lo : f32, hi : f32,';

const forwardCode = `fn main(index : i32) {
  if (index < uniforms.n) { result[index] = exp(clamp(x[index], uniforms.lo, uniforms.hi)); }
}`;

const gradCode = `fn main(index : i32) {
  if (index < uniforms.n) {
    let v = x[index];
    result[index] = select(0.0, dy[index] * exp(v), v >= uniforms.lo && v <= uniforms.hi);
  }
}`;

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  const uniforms = (t: tf.TensorInfo, attrs: Record<string, unknown>) => [
    { type: 'int32' as const, data: [t.shape.reduce((a, b) => a * b, 1)] },
    { type: 'float32' as const, data: [attrs.lo as number] },
    { type: 'float32' as const, data: [attrs.hi as number] },
  ];
  const groups = (t: tf.TensorInfo) => Math.ceil(t.shape.reduce((a, b) => a * b, 1) / 64);
  registerWebGPUKernel(FORWARD, ({ inputs: { x }, attrs, backend }) =>
    runProgram(backend, program('oneRankClampedExp', ['x'], x.shape, groups(x), 64, forwardCode, UNIFORMS), [x], uniforms(x, attrs)),
  );
  registerWebGPUKernel(GRAD, ({ inputs: { dy, x }, attrs, backend }) =>
    runProgram(backend, program('oneRankClampedExpGrad', ['dy', 'x'], x.shape, groups(x), 64, gradCode, UNIFORMS), [dy, x], uniforms(x, attrs)),
  );
}

/** exp(clamp(x, lo, hi)) on webgpu, one program forward and one backward (its gradient 0 outside [lo, hi]). */
export function fusedClampedExp<T extends tf.Tensor>(x: T, lo: number, hi: number): T {
  install();
  const op = customOp(([xIn], save) => {
    save([xIn]);
    return {
      value: runKernel(FORWARD, { x: xIn }, { lo, hi }),
      gradFunc: (dy, [xs]) => runKernel(GRAD, { dy, x: xs }, { lo, hi }),
    };
  });
  return op(x) as T;
}
