// The matching scorer (model/scorer.ts, ONERANK.md section 6) as fused webgpu kernels with their own gradient.
//   logits[b, n, k] = (zt[b, k] . r[b, n, k]) * s_k + bias[k],   s_k = scale[k] / sqrt(d)
//   d r[b, n, k, c]  = dl[b, n, k] s_k zt[b, k, c]
//   d zt[b, k, c]    = sum over n of dl[b, n, k] s_k r[b, n, k, c]
//   d scale[k]       = sum over b, n of dl[b, n, k] (zt[b, k] . r[b, n, k]) / sqrt(d)
//   d bias[k]        = sum over b, n of dl[b, n, k]
// Programs: forward 1 (a thread per logit), backward 5: d r and d zt (a thread per element), d scale (2) and d
// bias (1). The plain path (a broadcast multiply, a sum over d, two multiplies and a broadcast add) ran 5 programs
// forward and 9 backward (profiled; the broadcasts' gradients are sums over the broadcast axes).
// d scale and d bias are K numbers, sums over the B * N rows, in a fixed order (no atomics). d scale reads r once
// (B * N * K * d floats, each row's d-long dot): its first pass gives every workgroup a task and a chunk of 4,096
// elements (coalesced over the flattened [rows, d]) and writes [P, K] partial sums, which TF.js's Sum (reduce.ts's
// column sum) adds up; one workgroup per task walking all the rows would leave the GPU idle and wait on memory
// (reduce.ts's first measurements). reduce.ts's columnReduce itself cannot take the dot: its TERM is one
// expression. d bias reads only dl (B * N * K floats): one workgroup per task, one program.
import * as tf from '@tensorflow/tfjs';
import { customOp, program, registerWebGPUKernel, runKernel, runProgram, WG_SUM, type Uniform } from './webgpu';

const FORWARD = 'OneRankScorer';
const GRAD = 'OneRankScorerGrad';
const WG = 64;
/** Threads of the workgroups that sum rows for d scale and d bias. */
const WG_TASK = 256;
/** Elements (rows * d) of r a workgroup of d scale's first pass takes: 16 a thread. */
const SCALE_CHUNK = 16 * WG_TASK;

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
// Workgroup g: task k = g % K, rows [p * chunk, (p + 1) * chunk) of the B * N, p = g / K; writes partial [p, k].
fn main(index : i32) {
  let sh = dims();
  let g = index / WG;
  let k = g % sh.z;
  let p = g / sh.z;
  let rows = sh.x * sh.y;
  let end = min(rows, (p + 1) * uniforms.chunk) * sh.w;
  var acc = 0.0;
  for (var e = p * uniforms.chunk * sh.w + i32(localIndex); e < end; e += WG) {
    let row = (e / sh.w) * sh.z + k;
    let c = e % sh.w;
    acc += dy[row] * r[row * sh.w + c] * zt[ztAt(row) + c];
  }
  let total = wgSum(acc);
  // p * chunk >= rows: a workgroup past the last chunk (a dispatch over 65,535 workgroups is reshaped into a square).
  if (localIndex == 0u && p * uniforms.chunk < rows) { result[p * sh.z + k] = total * uniforms.invSqrtD; }
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
const UNIFORMS = 'B : i32, N : i32, K : i32, d : i32, invSqrtD : f32, chunk : i32,';
/** Rows of B * N per workgroup of d scale's first pass. */
const scaleChunk = (d: number) => Math.ceil(SCALE_CHUNK / d);
function uniforms(r: tf.TensorInfo, attrs: Record<string, unknown>): Uniform[] {
  const ints = (...v: number[]) => v.map((n) => ({ type: 'int32' as const, data: [n] }));
  return [...ints(...r.shape), { type: 'float32', data: [attrs.invSqrtD as number] }, ...ints(scaleChunk(r.shape[3]))];
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
    const [B, N, K, d] = r.shape;
    const P = Math.ceil((B * N) / scaleChunk(d));
    const out = { r: r.shape, zt: zt.shape, scale: [P, K], bias: [K] }[what];
    // d r and d zt: a thread per element; d scale: a workgroup per task and chunk of rows; d bias: per task.
    const [groups, wg] = what === 'r' || what === 'zt' ? [Math.ceil(size(out) / WG), WG] : [what === 'scale' ? P * K : K, WG_TASK];
    const names = GRAD_INPUTS[what];
    const p = program(`oneRankScorerGrad_${what}`, names, out, groups, wg, gradCode[what], UNIFORMS);
    return runProgram(backend, p, names.map((n) => inputs[n]), uniforms(r, attrs));
  });
}

/**
 * The matching scorer on webgpu: zt [B, K, d], r [B, N, K, d], scale and bias [K] -> logits [B, N, K]
 * (scale[k] * invSqrtD is the score scale of task k). One program forward, five backward.
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
        return [grad('zt'), grad('r'), tf.sum(grad('scale'), 0), grad('bias')];
      },
    };
  });
  return op(zt, r, scale, bias) as tf.Tensor3D;
}
