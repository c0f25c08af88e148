// Column reductions on webgpu: sums over the rows of a matrix, in one or two deterministic programs.
//   x viewed as [A, R, C]  ->  out[a, c] = sum over r of term(x[a, r, c])
// Used by TF.js's 'Sum' over a contiguous block of axes (registered over TF.js's webgpu kernel below), the
// LayerNorm's bias gradient (OneRankColumnSum) and its gain gradient (term dy * xhat), kernels/layerNorm.ts.
// Why: TF.js's webgpu Sum over leading axes transposes x (a full copy) and then gives each output ONE workgroup
// that walks its whole column; our first LayerNorm gradients did the same walk. At the `large` bench config
// (70,656 rows x 128) that is 128 workgroups on a GPU that wants thousands, 0.13-0.5 ms a program (H200).
// Here the outputs (a, c) are flattened into columns: a workgroup of 256 threads takes a tile of TC consecutive
// columns (consecutive threads on consecutive columns: coalesced) and TR = 256 / TC lanes over a chunk of rows.
// Pass 1 writes one partial sum per chunk, [P, A*C]; when there is more than one chunk, pass 2 (the same program
// with one chunk of P rows) sums them. A fixed order, no atomics: the result is the same on every run.
import * as tf from '@tensorflow/tfjs';
import { fusedAvailable, overrideWebGPUKernel, program, reshapeInfo, runProgram, type Uniform } from './webgpu';

const WG = 256;
/** Workgroups pass 1 aims for (an H200 runs ~1,000 of 256 threads at once). */
const TARGET_GROUPS = 1024;
const UNIFORMS = 'N : i32, R : i32, C : i32, chunk : i32, d : i32,';

export interface Plan {
  /** Columns per workgroup tile (a power of two) and lanes over rows per column: TC * TR = 256. */
  TC: number;
  TR: number;
  /** Row chunks (partial sums) and rows per chunk. */
  P: number;
  chunk: number;
}

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * How N columns of R rows are cut: enough lanes that a lane sums about `perLane` rows, at least `minTC` columns
 * a tile (16 floats = two 32-byte memory sectors per row), and with `split`, enough chunks to fill the GPU while
 * every lane keeps >= `perLane` rows.
 */
export function plan(N: number, R: number, perLane: number, minTC: number, split: boolean): Plan {
  const lanes = Math.min(WG, pow2(Math.ceil(R / perLane)));
  const TC = Math.min(WG, pow2(N), Math.max(minTC, WG / lanes));
  const TR = WG / TC;
  const tiles = Math.ceil(N / TC);
  const want = split ? Math.max(1, Math.min(Math.ceil(TARGET_GROUPS / tiles), Math.floor(R / (TR * perLane)))) : 1;
  const chunk = Math.ceil(R / want);
  return { TC, TR, P: Math.ceil(R / chunk), chunk }; // no empty chunk

}

/**
 * The program: column `col` of the flattened outputs is (a, c) = (col / C, col % C); its rows r of chunk p are
 * x[(a * R + r) * C + c], read through TERM(i) (a WGSL function of the flat index; it converts with f32(): a
 * tensor cast to float32 from int32 or bool keeps its i32 buffer on webgpu). Lanes keep four running sums
 * (four loads in flight), then the TR lanes of a column are summed in a tree through workgroup memory.
 * Consecutive threads take consecutive columns, except when C = 1 (rows of one column are then consecutive in
 * memory: `laneMajor`, consecutive threads take consecutive lanes).
 */
function code(term: string, TC: number, laneMajor: boolean): string {
  const TR = WG / TC;
  const tree =
    TR === 1
      ? ''
      : `buf[t] = s;
  workgroupBarrier();
  for (var h = TR / 2; h > 0; h = h / 2) {
    if (lane < h) { buf[t] = buf[t] + buf[t + h * LS]; }
    workgroupBarrier();
  }
  s = buf[t];`;
  return `const TC = ${TC};
const TR = ${TR};
const LS = ${laneMajor ? 1 : TC};
${TR === 1 ? '' : 'var<workgroup> buf : array<f32, WG>;'}
fn term(i : i32) -> f32 { return ${term}; }
fn main(index : i32) {
  let N = uniforms.N;
  let R = uniforms.R;
  let C = uniforms.C;
  let t = i32(localIndex);
  let lane = ${laneMajor ? 't % TR' : 't / TC'};
  let g = index / WG;
  let tiles = (N + TC - 1) / TC;
  let p = g / tiles;
  let col = (g % tiles) * TC + ${laneMajor ? 't / TR' : 't % TC'};
  let r1 = min(R, (p + 1) * uniforms.chunk);
  var s0 = 0.0;
  var s1 = 0.0;
  var s2 = 0.0;
  var s3 = 0.0;
  if (col < N) {
    let base = (col / C) * R * C + col % C;
    var r = p * uniforms.chunk + lane;
    while (r + 3 * TR < r1) {
      s0 += term(base + r * C);
      s1 += term(base + (r + TR) * C);
      s2 += term(base + (r + 2 * TR) * C);
      s3 += term(base + (r + 3 * TR) * C);
      r += 4 * TR;
    }
    while (r < r1) {
      s0 += term(base + r * C);
      r += TR;
    }
  }
  var s = (s0 + s1) + (s2 + s3);
  ${tree}
  // p * chunk >= R: a workgroup past the last chunk (a dispatch over 65,535 workgroups is reshaped into a square).
  if (lane == 0 && col < N && p * uniforms.chunk < R) { result[p * N + col] = s; }
}`;
}

/** A column reduction to run: x viewed as [A, R, C], the TERM over its inputs, and the name its programs go by. */
export interface ColumnReduce {
  name: string;
  inputs: tf.TensorInfo[];
  variableNames: string[];
  term: string;
  A: number;
  R: number;
  C: number;
  /** Row length for terms that index per-row statistics (LayerNorm's st[row * 2]); else unused. */
  d?: number;
}

interface Backend {
  disposeData(dataId: object): void;
}

function pass(backend: unknown, key: string, variableNames: string[], inputs: tf.TensorInfo[], term: string, N: number, R: number, C: number, pl: Plan, d: number, outShape: number[]): tf.TensorInfo {
  const laneMajor = C === 1 && pl.TC > 1;
  const prog = program(`${key}_${pl.TC}${laneMajor ? 'L' : ''}`, variableNames, outShape, pl.P * Math.ceil(N / pl.TC), WG, code(term, pl.TC, laneMajor), UNIFORMS);
  const uniforms: Uniform[] = [N, R, C, pl.chunk, d].map((v) => ({ type: 'int32' as const, data: [v] }));
  return runProgram(backend, prog, inputs, uniforms);
}

/**
 * Rows a lane may sum when the whole reduction is one program. A second pass is a GPU program of its own (a dispatch,
 * a barrier between the two); for a few hundred rows it cost more than the lanes' extra loads (the bias gradients of
 * the task heads, [B * K] rows, were all two-pass).
 */
export const ONE_PASS_ROWS_PER_LANE = 32;

/**
 * The first pass's cut: one chunk when every lane then sums <= ONE_PASS_ROWS_PER_LANE rows (tiles down to 4 columns,
 * 16 bytes of a row, to get the lanes), else chunks that fill the GPU (C = 1: a lane takes fewer rows, as the rows of
 * a column are contiguous and lanes coalesce instead of columns).
 */
export function firstPlan(N: number, R: number, C: number): Plan {
  const one = plan(N, R, ONE_PASS_ROWS_PER_LANE, C === 1 ? 1 : 4, false);
  if (one.TR * ONE_PASS_ROWS_PER_LANE >= R) return one;
  return C === 1 ? plan(N, R, 4, 1, true) : plan(N, R, 8, 16, true);
}

/** Runs a column reduction (inside a kernel's kernelFunc) in one or two programs: out[a, c] in `outShape` (A * C values). */
export function columnReduce(backend: unknown, r: ColumnReduce, outShape: number[]): tf.TensorInfo {
  const N = r.A * r.C;
  const first = firstPlan(N, r.R, r.C);
  const partials = pass(backend, r.name, r.variableNames, r.inputs, r.term, N, r.R, r.C, first, r.d ?? 1, first.P === 1 ? outShape : [first.P, N]);
  if (first.P === 1) return partials;
  // The P partial sums of every column, [P, N]: N columns of P rows, a lane a couple of rows (they are few and in cache).
  const out = pass(backend, 'oneRankPartialSum', ['x'], [partials], 'x[i]', N, first.P, N, plan(N, first.P, 2, 4, false), 1, outShape);
  (backend as Backend).disposeData(partials.dataId);
  return out;
}

// ---- TF.js's Sum ----

const KERNEL = 'Sum';

interface SumArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { axis: number | number[] | null; keepDims: boolean };
  backend: unknown;
}

/** x's shape as [A, R, C] when `axes` (in [0, rank)) are one contiguous block of axes (else null). */
export function asColumns(shape: number[], axes: number[]): [number, number, number] | null {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted[sorted.length - 1] - sorted[0] !== sorted.length - 1) return null;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1] + 1;
  return [size(0, lo), size(lo, hi), size(hi, shape.length)];
}

let tfjsSum: ((a: SumArgs) => tf.TensorInfo) | null = null;

function sum(args: SumArgs): tf.TensorInfo {
  const { inputs: { x }, attrs: { axis, keepDims }, backend } = args;
  const norm = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape); // null: every axis
  const cols = x.dtype === 'float32' ? asColumns(x.shape, norm) : null;
  // TF.js's own kernel with the `fused` switch off (the reference), for other dtypes, scattered axes and empty tensors.
  if (!fusedAvailable() || !cols || cols[0] * cols[1] * cols[2] === 0) return tfjsSum!(args);
  const [A, R, C] = cols;
  const shape = x.shape.map((n, i) => (norm.includes(i) ? 1 : n)).filter((_, i) => keepDims || !norm.includes(i));
  const out = columnReduce(backend, { name: 'oneRankSum', inputs: [x], variableNames: ['x'], term: 'f32(x[i])', A, R, C }, shape.length ? shape : [1]);
  if (shape.length) return out;
  // A sum of everything is a scalar: the program writes [1] (as TF.js's own reduce does), the Reshape kernel
  // makes it [] without a copy.
  const scalar = reshapeInfo(backend, out, []);
  (backend as Backend).disposeData(out.dataId);
  return scalar;
}

/** Replaces TF.js's webgpu Sum with the column reduction above (idempotent; a no-op until the webgpu backend's kernels are registered). */
export function installWebGPUSum(): void {
  tfjsSum ??= overrideWebGPUKernel(KERNEL, sum);
}
