// The InfoNCE temperature T = exp(clamp(log T, lo, hi)) (train/loss.ts Temperature) in one program each way on webgpu:
//   T = exp(min(max(x, lo), hi));   dx = dy * T where lo <= x <= hi, else 0 (clipByValue's gradient)
// TF.js ran 2 programs forward (clipByValue, exp) and 6 backward (exp's multiply; greaterEqual, lessEqual,
// logicalAnd, zerosLike and select for the clip) on a one-element tensor, every step.
import * as tf from '@tensorflow/tfjs';
import { customOp, registerWebGPUKernel, runElementwise, runKernel } from './webgpu';

const FORWARD = 'OneRankClampedExp';
const GRAD = 'OneRankClampedExpGrad';

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
  const bounds = (attrs: Record<string, unknown>) => ({
    fields: 'lo : f32, hi : f32,',
    values: [
      { type: 'float32' as const, data: [attrs.lo as number] },
      { type: 'float32' as const, data: [attrs.hi as number] },
    ],
  });
  registerWebGPUKernel(FORWARD, ({ inputs: { x }, attrs, backend }) => runElementwise(backend, 'oneRankClampedExp', ['x'], [x], forwardCode, bounds(attrs)));
  registerWebGPUKernel(GRAD, ({ inputs: { dy, x }, attrs, backend }) => runElementwise(backend, 'oneRankClampedExpGrad', ['dy', 'x'], [dy, x], gradCode, bounds(attrs)));
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
