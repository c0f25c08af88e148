// Small multi-head attention blocks (ONERANK.md sections 3-5) as ONE GPU program forward and one per input
// gradient backward, for all requests, tasks and heads at once:
//   out[q, head h] = sum_j softmax_j( q . key_{kvRow(q, j)} / sqrt(dh) + (allowed(q, j) ? 0 : -1e9) ) value_{kvRow(q, j)}
// Each query row reads J keys; which row of the key/value tensor key j of query q is, and whether it is allowed,
// is the only thing that differs between the two blocks, so one kernel family serves both (LAYOUTS below):
// - crossTask: q [B, K, d], kv [B, 2K, 2d] (rows 0..K-1 live, K..2K-1 the stop-gradient copies, each row key | value),
//   mask = A [K, K], detach = D [K, K]; query (b, k) reads task j from kv row j + K * D[k][j] (the per-edge
//   detachment of crossTask.ts: the detached copy holds the same numbers, so only where the gradient lands differs),
//   masked by A. Replaces splitHeads, the unstack of the four key/value copies, the picks by D, the scale, the
//   mask bias, the softmax, the weighted sum and mergeHeads, and about twice as many programs backward.
// - candidates: q [K, B, d] (task k's query of request b), kv [K, B*N, 2d] (task k's keys | values of every
//   candidate), mask = candMask [B, N]; query (k, b) reads candidate j of request b, padded ones masked. Replaces
//   the transposes into and out of [B, K, h, ., dh], the unstack, the two batched matMuls, scale, bias and softmax.
// The output keeps q's layout with heads merged; the gradients are d(q) [like q] and d(kv) [like kv], so each is
// what the projection before it wants. The sizes are small (J = K tasks or N candidates, tens of keys), so one
// thread takes one (query row, head): no workgroup memory, no [J, J] matrix; the backward recomputes the
// probabilities (log-sum-exp and delta = sum_j p_j dp_j per row) instead of storing them. d(kv) gathers, for each
// key/value row, the query rows that read it (one in candidates; the K tasks of the request in crossTask, each
// reading this row or its other copy as D says).
// The plain TF.js ops in crossTask.ts and candidateContext.ts are the reference, the path for cpu/wasm, for
// `fused` off, and the one that returns the probabilities when the attention maps are captured.
import * as tf from '@tensorflow/tfjs';
import { MASKED } from '../model/layers';
import { fusedAvailable, program, registerWebGPUKernel, runKernel, runProgram, type WebGPUProgram } from './webgpu';

type LayoutName = 'crossTask' | 'candidates';

interface Dims {
  H: number;
  DH: number;
  /** Keys per query row. */
  J: number;
}

interface Layout {
  kernel: string;
  /** The kernel's inputs after q and kv (0/1 matrices that never need a gradient). */
  masks: string[];
  /** J from the shapes of q and the mask. */
  keys(q: readonly number[], mask: readonly number[]): number;
  /** WGSL: kvRowOf(qi, j), allowedAt(qi, j), readersOf(row) -> (first query, queries, j), with uniforms for B. */
  indexing(dims: Dims): string;
}

const LAYOUTS: Record<LayoutName, Layout> = {
  crossTask: {
    kernel: 'OneRankCrossTaskAttention',
    masks: ['mask', 'detach'],
    keys: ([, K]) => K,
    indexing: ({ J }) => `
  const K = ${J};
  // Query (b, k) = row b * K + k of q; task j's key/value for it: the live row or the detached copy, as D says.
  fn kvRowOf(qi : i32, j : i32) -> i32 {
    return (qi / K) * 2 * K + j + K * i32(detach[(qi % K) * K + j]);
  }
  fn allowedAt(qi : i32, j : i32) -> bool {
    return mask[(qi % K) * K + j] != 0.0;
  }
  // kv row (b, c) of [B, 2K] is task c % K (live c < K, detached c >= K); the K queries of request b may read it.
  fn readersOf(row : i32) -> vec3<i32> {
    return vec3<i32>((row / (2 * K)) * K, K, (row % (2 * K)) % K);
  }`,
  },
  candidates: {
    kernel: 'OneRankCandidateAttention',
    masks: ['mask'],
    keys: (_q, [, N]) => N,
    indexing: ({ J }) => `
  const N = ${J};
  // Query (k, b) = row k * B + b of q; candidate j of request b for task k is row (k * B + b) * N + j of kv.
  fn kvRowOf(qi : i32, j : i32) -> i32 {
    return qi * N + j;
  }
  fn allowedAt(qi : i32, j : i32) -> bool {
    return mask[(qi % uniforms.qShape.y) * N + j] != 0.0;
  }
  fn readersOf(row : i32) -> vec3<i32> {
    return vec3<i32>(row / N, 1, row % N);
  }`,
  },
};

function dimsOf(name: LayoutName, q: readonly number[], mask: readonly number[], heads: number): Dims {
  return { H: heads, DH: q[2] / heads, J: LAYOUTS[name].keys(q, mask) };
}

/** The inputs of a program, in binding order. */
function inputsOf(name: LayoutName, part: Part): string[] {
  return ['q', 'kv', ...LAYOUTS[name].masks, ...(part === 'forward' ? [] : ['dy'])];
}

/** The fused kernels apply on webgpu (kernels/webgpu.ts fusedAvailable) when the heads split d evenly. */
export function smallAttentionApplies(d: number, heads: number): boolean {
  return fusedAvailable() && d % heads === 0;
}

function check(what: string, got: readonly number[], want: readonly number[]): void {
  if (`${got}` !== `${want}`) throw new Error(`small attention: ${what} must be [${want}], got [${got}]`);
}

/**
 * Cross-task attention (crossTask.ts): q [B, K, d], kv [B, 2K, 2d] (live rows, then detached rows; key | value),
 * mask A [K, K], detach D [K, K] -> the mixed values [B, K, d], heads merged.
 */
export function fusedCrossTaskAttention(q: tf.Tensor3D, kv: tf.Tensor3D, mask: tf.Tensor2D, detach: tf.Tensor2D, heads: number): tf.Tensor3D {
  const [B, K, d] = q.shape;
  check('kv', kv.shape, [B, 2 * K, 2 * d]);
  check('the task mask', mask.shape, [K, K]);
  check('the detach matrix', detach.shape, [K, K]);
  installSmallAttentionKernels();
  return runKernel<tf.Tensor3D>(LAYOUTS.crossTask.kernel, { q, kv, mask, detach }, { heads });
}

/**
 * Candidate context (candidateContext.ts): q [K, B, d], kv [K, B*N, 2d] (key | value per candidate),
 * candMask [B, N] -> the mixed values [K, B, d], heads merged.
 */
export function fusedCandidateAttention(q: tf.Tensor3D, kv: tf.Tensor3D, candMask: tf.Tensor2D, heads: number): tf.Tensor3D {
  const [K, B, d] = q.shape;
  const N = candMask.shape[1];
  check('the candidate mask', candMask.shape, [B, N]);
  check('kv', kv.shape, [K, B * N, 2 * d]);
  installSmallAttentionKernels();
  return runKernel<tf.Tensor3D>(LAYOUTS.candidates.kernel, { q, kv, mask: candMask }, { heads });
}

// ---- WebGPU programs --------------------------------------------------------------------------------------------
// kernels/webgpu.ts says how the backend assembles a shader around main(index). One thread per (row, head):
// index / H is the row (a query row, or a key/value row for d(kv)), index % H the head; threads past the last
// row write nothing. The sizes but B are baked into the code (so they are part of shaderKey); B comes from the
// shape uniforms, so a smaller last batch needs no new pipeline.

type Part = 'forward' | 'gradQ' | 'gradKV';
const WORKGROUP = 64;

/** WGSL shared by all three programs: the layout's indexing, then scores against q. */
function prelude(name: LayoutName, dims: Dims): string {
  const { H, DH } = dims;
  return `
  const H = ${H};
  const DH = ${DH};
  const D = ${H * DH};
  const J = ${dims.J};
  const SCALE = f32(${1 / Math.sqrt(DH)});
  const MASKED = f32(${MASKED});
  ${LAYOUTS[name].indexing(dims)}
  fn queryRows() -> i32 { return uniforms.qShape.x * uniforms.qShape.y; }
  fn kvRows() -> i32 { return uniforms.kvShape.x * uniforms.kvShape.y; }
  // Element c of head h of query row qi (q, the output, dq, dy), and of the key of kv row r (its value is D further).
  fn qAt(qi : i32, h : i32, c : i32) -> i32 { return qi * D + h * DH + c; }
  fn keyAt(r : i32, h : i32, c : i32) -> i32 { return r * 2 * D + h * DH + c; }
  fn loadQuery(qi : i32, h : i32, x : ptr<function, array<f32, DH>>) {
    for (var c = 0; c < DH; c++) { (*x)[c] = q[qAt(qi, h, c)] * SCALE; }
  }
  // The logit of key j (kv row r) for the scaled query x of row qi.
  fn scoreOf(x : ptr<function, array<f32, DH>>, qi : i32, j : i32, r : i32, h : i32) -> f32 {
    var s = 0.0;
    for (var c = 0; c < DH; c++) { s += (*x)[c] * kv[keyAt(r, h, c)]; }
    return s + select(MASKED, 0.0, allowedAt(qi, j));
  }
`;
}

/** WGSL shared by the two gradient programs. */
const GRAD_PRELUDE = `
  fn loadGrad(qi : i32, h : i32, g : ptr<function, array<f32, DH>>) {
    for (var c = 0; c < DH; c++) { (*g)[c] = dy[qAt(qi, h, c)]; }
  }
  fn valueDot(g : ptr<function, array<f32, DH>>, r : i32, h : i32) -> f32 {
    var s = 0.0;
    for (var c = 0; c < DH; c++) { s += (*g)[c] * kv[keyAt(r, h, c) + D]; }
    return s;
  }
  // (log-sum-exp, delta = sum_j p_j (dy . v_j)) of query row qi, both online.
  fn rowStats(x : ptr<function, array<f32, DH>>, g : ptr<function, array<f32, DH>>, qi : i32, h : i32) -> vec2<f32> {
    var m = -3.0e38;
    var l = 0.0;
    var dsum = 0.0;
    for (var j = 0; j < J; j++) {
      let r = kvRowOf(qi, j);
      let s = scoreOf(x, qi, j, r, h);
      let mNew = max(m, s);
      let corr = exp(m - mNew);
      let p = exp(s - mNew);
      l = l * corr + p;
      dsum = dsum * corr + p * valueDot(g, r, h);
      m = mNew;
    }
    return vec2<f32>(m + log(l), dsum / l);
  }
`;

const MAINS: Record<Part, string> = {
  forward: `
  fn main(index : i32) {
    let qi = index / H;
    let h = index % H;
    if (qi >= queryRows()) { return; }
    var x : array<f32, DH>;
    loadQuery(qi, h, &x);
    var acc : array<f32, DH>;
    var m = -3.0e38;
    var l = 0.0;
    for (var j = 0; j < J; j++) {
      let r = kvRowOf(qi, j);
      let s = scoreOf(&x, qi, j, r, h);
      // Online softmax: rescale what was summed under the old running max.
      let mNew = max(m, s);
      let corr = exp(m - mNew);
      let p = exp(s - mNew);
      l = l * corr + p;
      for (var c = 0; c < DH; c++) { acc[c] = acc[c] * corr + p * kv[keyAt(r, h, c) + D]; }
      m = mNew;
    }
    for (var c = 0; c < DH; c++) { result[qAt(qi, h, c)] = acc[c] / l; }
  }
`,
  // dq = SCALE * sum_j p_j (dp_j - delta) k_j
  gradQ: `
  fn main(index : i32) {
    let qi = index / H;
    let h = index % H;
    if (qi >= queryRows()) { return; }
    var x : array<f32, DH>;
    var g : array<f32, DH>;
    loadQuery(qi, h, &x);
    loadGrad(qi, h, &g);
    let st = rowStats(&x, &g, qi, h);
    var dq : array<f32, DH>;
    for (var j = 0; j < J; j++) {
      let r = kvRowOf(qi, j);
      let ds = exp(scoreOf(&x, qi, j, r, h) - st.x) * (valueDot(&g, r, h) - st.y);
      for (var c = 0; c < DH; c++) { dq[c] += ds * kv[keyAt(r, h, c)]; }
    }
    for (var c = 0; c < DH; c++) { result[qAt(qi, h, c)] = dq[c] * SCALE; }
  }
`,
  // Per kv row r: dk = sum over the queries that read r of ds (SCALE q), dv = sum of p dy; zero for a row no query
  // reads (a detached copy nobody uses).
  gradKV: `
  fn main(index : i32) {
    let r = index / H;
    let h = index % H;
    if (r >= kvRows()) { return; }
    let readers = readersOf(r);
    let j = readers.z;
    var dk : array<f32, DH>;
    var dv : array<f32, DH>;
    for (var t = 0; t < readers.y; t++) {
      let qi = readers.x + t;
      if (kvRowOf(qi, j) != r) { continue; }
      var x : array<f32, DH>;
      var g : array<f32, DH>;
      loadQuery(qi, h, &x);
      loadGrad(qi, h, &g);
      let st = rowStats(&x, &g, qi, h);
      let p = exp(scoreOf(&x, qi, j, r, h) - st.x);
      let ds = p * (valueDot(&g, r, h) - st.y);
      for (var c = 0; c < DH; c++) {
        dk[c] += ds * x[c];
        dv[c] += p * g[c];
      }
    }
    for (var c = 0; c < DH; c++) {
      result[keyAt(r, h, c)] = dk[c];
      result[keyAt(r, h, c) + D] = dv[c];
    }
  }
`,
};

function smallAttentionProgram(name: LayoutName, part: Part, dims: Dims, q: readonly number[], kv: readonly number[]): WebGPUProgram {
  const out = part === 'gradKV' ? kv : q;
  const rows = out[0] * out[1];
  return program(
    `smallAttention_${name}_${part}_${dims.H}_${dims.DH}_${dims.J}`,
    inputsOf(name, part),
    [...out],
    Math.ceil((rows * dims.H) / WORKGROUP),
    WORKGROUP,
    prelude(name, dims) + (part === 'forward' ? '' : GRAD_PRELUDE) + MAINS[part],
  );
}

// ---- Kernel registration ------------------------------------------------------------------------------------------

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  backend: unknown;
}

function kernelRunner(name: LayoutName, part: Part) {
  const inputs = inputsOf(name, part);
  return (args: KernelArgs) => {
    const { q, kv, mask } = args.inputs;
    const heads = args.attrs.heads;
    if (typeof heads !== 'number') throw new Error(`${LAYOUTS[name].kernel}: the 'heads' attribute is missing`);
    const dims = dimsOf(name, q.shape, mask.shape, heads);
    return runProgram(args.backend, smallAttentionProgram(name, part, dims, q.shape, kv.shape), inputs.map((n) => args.inputs[n]));
  };
}

/** Registers the three kernels of both layouts for webgpu and each forward's gradient (idempotent). */
export function installSmallAttentionKernels(): void {
  for (const name of Object.keys(LAYOUTS) as LayoutName[]) {
    const { kernel, masks } = LAYOUTS[name];
    registerWebGPUKernel(kernel, kernelRunner(name, 'forward'));
    registerWebGPUKernel(`${kernel}GradQ`, kernelRunner(name, 'gradQ'));
    registerWebGPUKernel(`${kernel}GradKV`, kernelRunner(name, 'gradKV'));
    if (tf.getGradient(kernel)) continue;
    tf.registerGradient({
      kernelName: kernel,
      inputsToSave: ['q', 'kv', ...masks],
      gradFunc: (dy, saved, attrs) => {
        const [q, kv, ...rest] = saved;
        const inputs: Record<string, tf.Tensor> = { q, kv, dy: dy as tf.Tensor };
        masks.forEach((m, i) => (inputs[m] = rest[i]));
        const a = attrs as Record<string, unknown>;
        // The masks come from the config and the batch, never from a weight: their gradients are never asked for.
        const zeros = Object.fromEntries(masks.map((m, i) => [m, () => tf.zerosLike(rest[i])]));
        return { q: () => runKernel(`${kernel}GradQ`, inputs, a), kv: () => runKernel(`${kernel}GradKV`, inputs, a), ...zeros };
      },
    });
  }
}
