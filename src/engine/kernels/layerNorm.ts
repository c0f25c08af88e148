// Fused LayerNorm for the webgpu backend, with its own gradient.
//   y = (x - mean) * rstd * g + b,   rstd = 1 / sqrt(var + eps),  over the last axis (d)
//   dx = rstd * (dy*g - mean(dy*g) - xhat * mean(dy*g * xhat)),  dg = sum_rows dy * xhat,  db = sum_rows dy
// g and b are [P, d] and broadcast from the right (row r of x uses parameter row r mod P), so the per-task
// [K, d] norms of the candidate block work too.
// Programs: forward 1 (a workgroup per row); backward 4-6 (row statistics, dx per row, dg and db as column
// reductions of one or two programs each, kernels/reduce.ts).
// The plain TF.js path (tf.moments and element-wise ops) ran about 9 programs forward and 25 backward.
import * as tf from '@tensorflow/tfjs';
import { columnReduce } from './reduce';
import { customOp, program, registerWebGPUKernel, runKernel, runProgram, WG_SUM } from './webgpu';

const FORWARD = 'OneRankLayerNorm';
const STATS = 'OneRankLayerNormStats';
const GRAD_X = 'OneRankLayerNormGradX';
const GRAD_G = 'OneRankLayerNormGradG';
export const COLUMN_SUM = 'OneRankColumnSum';
const WG = 64;

/** Mean and rstd of row `r` (every thread of the workgroup gets both). */
const ROW_STATS = `
var<workgroup> buf : array<f32, WG>;
${WG_SUM}
fn rowStats(r : i32, d : i32, eps : f32) -> vec2<f32> {
  let t = i32(localIndex);
  var s = 0.0;
  for (var c = t; c < d; c += WG) { s += x[r * d + c]; }
  let mean = wgSum(s) / f32(d);
  var v = 0.0;
  for (var c = t; c < d; c += WG) { let e = x[r * d + c] - mean; v += e * e; }
  return vec2<f32>(mean, inverseSqrt(wgSum(v) / f32(d) + eps));
}`;

// Extra workgroups (a dispatch over 65,535 is reshaped into a square) recompute the last row and write nothing.
const forwardCode = `${ROW_STATS}
fn main(index : i32) {
  let rows = uniforms.outShape[0];
  let d = uniforms.outShape[1];
  let row = index / WG;
  let r = min(row, rows - 1);
  let st = rowStats(r, d, uniforms.eps);
  let p = (r % uniforms.gShape[0]) * d;
  if (row < rows) {
    for (var c = i32(localIndex); c < d; c += WG) {
      result[r * d + c] = (x[r * d + c] - st.x) * st.y * g[p + c] + b[p + c];
    }
  }
}`;

const statsCode = `${ROW_STATS}
fn main(index : i32) {
  let rows = uniforms.outShape[0];
  let row = index / WG;
  let r = min(row, rows - 1);
  let st = rowStats(r, uniforms.xShape[1], uniforms.eps);
  if (row < rows && localIndex == 0u) {
    result[r * 2] = st.x;
    result[r * 2 + 1] = st.y;
  }
}`;

const gradXCode = `
var<workgroup> buf : array<f32, WG>;
${WG_SUM}
fn main(index : i32) {
  let rows = uniforms.outShape[0];
  let d = uniforms.outShape[1];
  let row = index / WG;
  let r = min(row, rows - 1);
  let mean = st[r * 2];
  let rstd = st[r * 2 + 1];
  let p = (r % uniforms.gShape[0]) * d;
  var a = 0.0;
  var bx = 0.0;
  for (var c = i32(localIndex); c < d; c += WG) {
    let gd = dy[r * d + c] * g[p + c];
    a += gd;
    bx += gd * (x[r * d + c] - mean) * rstd;
  }
  let ma = wgSum(a) / f32(d);
  let mb = wgSum(bx) / f32(d);
  if (row < rows) {
    for (var c = i32(localIndex); c < d; c += WG) {
      let xh = (x[r * d + c] - mean) * rstd;
      result[r * d + c] = rstd * (dy[r * d + c] * g[p + c] - ma - xh * mb);
    }
  }
}`;

type Infos = Record<string, tf.TensorInfo>;
const rowsOf = (t: tf.TensorInfo) => t.shape[0];
const eps = (attrs: Record<string, unknown>) => [{ type: 'float32' as const, data: [attrs.eps as number] }];

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  registerWebGPUKernel(FORWARD, ({ inputs: { x, g, b }, attrs, backend }: { inputs: Infos; attrs: Record<string, unknown>; backend: unknown }) =>
    runProgram(backend, program('oneRankLnFwd', ['x', 'g', 'b'], x.shape, rowsOf(x), WG, forwardCode, 'eps : f32,'), [x, g, b], eps(attrs)),
  );
  registerWebGPUKernel(STATS, ({ inputs: { x }, attrs, backend }) =>
    runProgram(backend, program('oneRankLnStats', ['x'], [rowsOf(x), 2], rowsOf(x), WG, statsCode, 'eps : f32,'), [x], eps(attrs)),
  );
  registerWebGPUKernel(GRAD_X, ({ inputs: { dy, x, g, st }, backend }) =>
    runProgram(backend, program('oneRankLnGradX', ['dy', 'x', 'g', 'st'], x.shape, rowsOf(x), WG, gradXCode), [dy, x, g, st]),
  );
  // dg and db: rows r = q * P + p of [R, d] are rows q of [R / P, P * d], so both are sums over leading rows.
  registerWebGPUKernel(GRAD_G, ({ inputs: { dy, x, st }, attrs, backend }) => {
    const [P, d] = [attrs.P as number, x.shape[1]];
    const term = 'f32(dy[i]) * (f32(x[i]) - st[(i / uniforms.d) * 2]) * st[(i / uniforms.d) * 2 + 1]';
    const reduce = { name: 'oneRankLnGradG', inputs: [dy, x, st], variableNames: ['dy', 'x', 'st'], term, A: 1, R: rowsOf(x) / P, C: P * d, d };
    return columnReduce(backend, reduce, [P, d]);
  });
  registerWebGPUKernel(COLUMN_SUM, ({ inputs: { dy }, attrs, backend }) => {
    const [P, d] = [attrs.P as number, dy.shape[1]];
    return columnReduce(backend, { name: 'oneRankColSum', inputs: [dy], variableNames: ['dy'], term: 'f32(dy[i])', A: 1, R: rowsOf(dy) / P, C: P * d }, [P, d]);
  });
}

/** Sums the rows of dy [R, C] that share a parameter row: out[p, c] = sum over r = p (mod P) of dy[r, c]. */
export function columnSum(dy: tf.Tensor2D, P: number): tf.Tensor2D {
  install();
  return runKernel<tf.Tensor2D>(COLUMN_SUM, { dy }, { P });
}

/** LayerNorm over the last axis of x with g, b of shape [..., d] (broadcast from the right), on webgpu. */
export function fusedLayerNorm<T extends tf.Tensor>(x: T, g: tf.Tensor, b: tf.Tensor, epsilon: number): T {
  install();
  const d = x.shape[x.shape.length - 1];
  const P = g.size / d;
  const ln = customOp(([xIn, gIn, bIn], save) => {
    const x2 = xIn.reshape([-1, d]);
    const g2 = gIn.reshape([P, d]);
    save([x2, g2]);
    const y = runKernel(FORWARD, { x: x2, g: g2, b: bIn.reshape([P, d]) }, { eps: epsilon });
    return {
      value: y.reshape(xIn.shape),
      gradFunc: (dy, [xs, gs]) => {
        const dy2 = dy.reshape([-1, d]);
        const st = runKernel(STATS, { x: xs }, { eps: epsilon });
        const dx = runKernel(GRAD_X, { dy: dy2, x: xs, g: gs, st });
        const dg = runKernel(GRAD_G, { dy: dy2, x: xs, st }, { P });
        return [dx.reshape(xIn.shape), dg.reshape(gIn.shape), columnSum(dy2 as tf.Tensor2D, P).reshape(bIn.shape)];
      },
    };
  });
  return ln(x, g, b) as T;
}
