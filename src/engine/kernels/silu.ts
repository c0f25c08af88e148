// Fused SiLU for the webgpu backend, with its own gradient: the FFN's activation in one program each way.
//   y = x * s,  s = sigmoid(x);   dx = dy * s * (1 + x * (1 - s))
// The plain path (sigmoid, then a multiply) ran 2 programs forward and 5 backward. The FFN's bias add rides in
// the matMul (tf.fused.matMul with a bias: layers.ts applyLinear), so bias + SiLU costs 1 + 1 programs.
import * as tf from '@tensorflow/tfjs';
import { customOp, registerWebGPUKernel, runElementwise, runKernel } from './webgpu';

const FORWARD = 'OneRankSiLU';
const GRAD = 'OneRankSiLUGrad';

const SIGMOID = 'fn sigm(v : f32) -> f32 { return 1.0 / (1.0 + exp(-v)); }';

const forwardCode = `${SIGMOID}
fn main(index : i32) {
  if (index < uniforms.n) { let v = x[index]; result[index] = v * sigm(v); }
}`;

const gradCode = `${SIGMOID}
fn main(index : i32) {
  if (index < uniforms.n) {
    let v = x[index];
    let s = sigm(v);
    result[index] = dy[index] * s * (1.0 + v * (1.0 - s));
  }
}`;

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  registerWebGPUKernel(FORWARD, ({ inputs: { x }, backend }) => runElementwise(backend, 'oneRankSilu', ['x'], [x], forwardCode));
  registerWebGPUKernel(GRAD, ({ inputs: { dy, x }, backend }) => runElementwise(backend, 'oneRankSiluGrad', ['dy', 'x'], [dy, x], gradCode));
}

/** x * sigmoid(x) on webgpu, one program forward and one backward. */
export function fusedSiLU<T extends tf.Tensor>(x: T): T {
  install();
  const silu = customOp(([xIn], save) => {
    save([xIn]);
    return {
      value: runKernel(FORWARD, { x: xIn }),
      gradFunc: (dy, [xs]) => runKernel(GRAD, { dy, x: xs }),
    };
  });
  return silu(x) as T;
}
