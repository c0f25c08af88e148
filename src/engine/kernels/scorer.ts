// The matching scorer (model/scorer.ts, ONERANK.md section 6) as fused webgpu kernels with their own gradient.
//   logits[b, n, k] = (zt[b, k] . r[b, n, k]) * s_k + bias[k],   s_k = scale[k] / sqrt(d)
//   d r[b, n, k, c]  = dl[b, n, k] s_k zt[b, k, c]
//   d zt[b, k, c]    = sum over n of dl[b, n, k] s_k r[b, n, k, c]
//   d scale[k]       = sum over b, n of dl[b, n, k] (zt[b, k] . r[b, n, k]) / sqrt(d)
//   d bias[k]        = sum over b, n of dl[b, n, k]
// Programs: forward 1 (a thread per logit), backward 4 (d r, d zt, d scale, d bias: one program each). The plain
// path (a broadcast multiply, a sum over d, two multiplies and a broadcast add) ran 5 programs forward and 9
// backward (profiled; the broadcasts' gradients are sums over the broadcast axes).
// d scale and d bias are K numbers, sums over B * N rows: a workgroup per task walks its rows (coalesced over the
// flattened [rows, d]), one pass in a fixed order. Not reduce.ts's columnReduce: its TERM is one expression, and d
// scale needs the d-long dot of each row; and it takes two passes at these sizes (B * N rows, K columns), where the
// few K-sums here are small (the largest reads r once: B * N * K * d floats).
import * as tf from '@tensorflow/tfjs';
import { customOp, program, registerWebGPUKernel, runKernel, runProgram, WG_SUM, type Uniform } from './webgpu';

const FORWARD = 'OneRankScorer';
const GRAD = 'OneRankScorerGrad';
const WG = 64;
/** Threads of the workgroup that sums one task's rows for d scale and d bias. */
const WG_TASK = 256;

// Sizes in the uniforms (B, N, K, d); inputs r [B, N, K, d], zt [B, K, d], scale and bias [K], dy [B, N, K]. Each
// program binds only the inputs it reads (the pipeline's layout leaves out unused bindings).
// A logit's row is (b * N + n) * K + k; its r vector starts at row * d, its zt vector at (b * K + k) * d.
const COMMON = `
fn dims() -> vec4<i32> { return vec4<i32>(uniforms.B, uniforms.N, uniforms.K, uniforms.d); }
fn ztAt(row : i32) -> i32 { let s = dims(); return ((row / (s.y * s.z)) * s.z + row % s.z) * s.w; }`;
const SCALE = 'fn scaleOf(k : i32) -> f32 { return scale[k] * uniforms.invSqrtD; }';

const forwardCode = `${COMMON}
${SCALE}
fn main(index : i32) {
  let sh = dims();
  if (index < sh.x * sh.y * sh.z) {
    let d = sh.w;
    let z0 = ztAt(index);
    var dot = 0.0;
    for (var c = 0; c < d; c++) { dot += zt[z0 + c] * r[index * d + c]; }
    let k = index % sh.z;
    result[index] = dot * scaleOf(k) + bias[k];
  }
}`;

// What each gradient program computes, by name (the kernel's `what` attribute).
const gradCode: Record<string, string> = {
  r: `${COMMON}
${SCALE}
fn main(index : i32) {
  let sh = dims();
  if (index < sh.x * sh.y * sh.z * sh.w) {
    let row = index / sh.w;
    result[index] = dy[row] * scaleOf(row % sh.z) * zt[ztAt(row) + index % sh.w];
  }
}`,
  zt: `${COMMON}
${SCALE}
fn main(index : i32) {
  let sh = dims();
  if (index < sh.x * sh.z * sh.w) {
    let c = index % sh.w;
    let bk = index / sh.w;
    let k = bk % sh.z;
    let b = bk / sh.z;
    var acc = 0.0;
    for (var n = 0; n < sh.y; n++) {
      let row = (b * sh.y + n) * sh.z + k;
      acc += dy[row] * scaleOf(k) * r[row * sh.w + c];
    }
    result[index] = acc;
  }
}`,
  scale: `${COMMON}
var<workgroup> buf : array<f32, WG>;
${WG_SUM}
fn main(index : i32) {
  let sh = dims();
  let k = index / WG;
  var acc = 0.0;
  for (var e = i32(localIndex); e < sh.x * sh.y * sh.w; e += WG) {
    let row = (e / sh.w) * sh.z + k;
    let c = e % sh.w;
    acc += dy[row] * r[row * sh.w + c] * zt[ztAt(row) + c];
  }
  let total = wgSum(acc);
  if (localIndex == 0u) { result[k] = total * uniforms.invSqrtD; }
}`,
  bias: `${COMMON}
var<workgroup> buf : array<f32, WG>;
${WG_SUM}
fn main(index : i32) {
  let sh = dims();
  let k = index / WG;
  var acc = 0.0;
  for (var i = i32(localIndex); i < sh.x * sh.y; i += WG) { acc += dy[i * sh.z + k]; }
  let total = wgSum(acc);
  if (localIndex == 0u) { result[k] = total; }
}`,
};

type Infos = Record<string, tf.TensorInfo>;
type Grad = 'r' | 'zt' | 'scale' | 'bias';
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const UNIFORMS = 'B : i32, N : i32, K : i32, d : i32, invSqrtD : f32,';
function uniforms(r: tf.TensorInfo, attrs: Record<string, unknown>): Uniform[] {
  return [...r.shape.map((n) => ({ type: 'int32' as const, data: [n] })), { type: 'float32', data: [attrs.invSqrtD as number] }];
}
/** The inputs each gradient program reads. */
const GRAD_INPUTS: Record<Grad, string[]> = { r: ['dy', 'zt', 'scale'], zt: ['dy', 'r', 'scale'], scale: ['dy', 'zt', 'r'], bias: ['dy'] };

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  registerWebGPUKernel(FORWARD, ({ inputs: { zt, r, scale, bias }, attrs, backend }: { inputs: Infos; attrs: Record<string, unknown>; backend: unknown }) => {
    const out = r.shape.slice(0, 3);
    const p = program('oneRankScorer', ['zt', 'r', 'scale', 'bias'], out, Math.ceil(size(out) / WG), WG, forwardCode, UNIFORMS);
    return runProgram(backend, p, [zt, r, scale, bias], uniforms(r, attrs));
  });
  registerWebGPUKernel(GRAD, ({ inputs, attrs, backend }) => {
    const what = attrs.what as Grad;
    const { r, zt } = inputs;
    const K = r.shape[2];
    const out = { r: r.shape, zt: zt.shape, scale: [K], bias: [K] }[what];
    // d r and d zt: a thread per element; d scale and d bias: a workgroup per task.
    const [groups, wg] = what === 'r' || what === 'zt' ? [Math.ceil(size(out) / WG), WG] : [K, WG_TASK];
    const names = GRAD_INPUTS[what];
    const p = program(`oneRankScorerGrad_${what}`, names, out, groups, wg, gradCode[what], UNIFORMS);
    return runProgram(backend, p, names.map((n) => inputs[n]), uniforms(r, attrs));
  });
}

/**
 * The matching scorer on webgpu: zt [B, K, d], r [B, N, K, d], scale and bias [K] -> logits [B, N, K]
 * (scale[k] * invSqrtD is the score scale of task k). One program forward, four backward.
 */
export function fusedScorer(zt: tf.Tensor3D, r: tf.Tensor4D, scale: tf.Tensor1D, bias: tf.Tensor1D, invSqrtD: number): tf.Tensor3D {
  install();
  const attrs = { invSqrtD };
  const op = customOp(([z, rIn, g, b], save) => {
    save([z, rIn, g]);
    return {
      value: runKernel(FORWARD, { zt: z, r: rIn, scale: g, bias: b }, attrs),
      gradFunc: (dy, [zs, rs, gs]) => {
        const grad = (what: string) => runKernel(GRAD, { dy, zt: zs, r: rs, scale: gs }, { ...attrs, what });
        return [grad('zt'), grad('r'), grad('scale'), grad('bias')];
      },
    };
  });
  return op(zt, r, scale, bias) as tf.Tensor3D;
}
