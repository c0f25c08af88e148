// A register-blocked fp32 matmul (SGEMM) for the webgpu backend, replacing TF.js's BatchMatMul and _FusedMatMul
// kernels for large shapes (the trunk's dense layers and their gradients); smaller ones keep TF.js's kernels.
//   out[b, m, n] = sum_k A[b, m, k] * B[b, k, n]  (+ bias[n]),  A or B optionally stored transposed
// Why: at the `large` bench config (70,656 token rows, d 128) TF.js's matmuls took half of the recorded step's GPU
// time at ~5 TFLOPS. TF.js tiles the output 32x32 with 64 threads of 4x4 outputs each; a weight gradient
// X^T dY ([128 x 70,656] x [70,656 x 384]) then has 48 workgroups for the whole GPU, each looping over 70,656 k.
// Here (the classic 2-D register blocking of the CUDA SGEMM tutorials):
// - a workgroup of 256 threads computes a 128x128 output tile (64x64 where 128 would waste much of the tile), each
//   thread 8x8 (4x4) outputs held in registers; K is walked in tiles of 8 (16) staged through workgroup memory,
//   the next tile's global loads in flight while the current one is multiplied (unrolled here, not left to the
//   driver, so that the accumulators stay in registers and the workgroup-memory offsets are constants);
// - a thread owns rows ty + 16i and columns tx + 16j (interleaved, not a contiguous block), so a warp's reads of
//   workgroup memory hit distinct banks or broadcast, and its global stores are contiguous;
// - transposes are folded into how a tile is loaded (each layout read along its contiguous axis), so dY W^T and
//   X^T dY need no transpose program;
// - where the output has too few tiles to fill the GPU (weight gradients: small output, huge K), K is split over
//   workgroups writing partial sums, and a second program adds them up (no atomics: deterministic);
// - a bias (tf.fused.matMul without activation) is added in the epilogue (or in the split-K sum).
// Summation order differs from TF.js's only by float rounding.
import * as tf from '@tensorflow/tfjs';
import { fusedAvailable, overrideWebGPUKernel, program, runProgram, type Uniform, type WebGPUProgram } from './webgpu';

interface Tile {
  /** Output rows and columns per workgroup. */
  bm: number;
  bn: number;
  /** Outputs per thread along rows and columns (bm / tm = bn / tn = 16: 256 threads). */
  tm: number;
  tn: number;
  /** K per workgroup-memory tile. */
  bk: number;
}

const THREADS = 256;
const BIG: Tile = { bm: 128, bn: 128, tm: 8, tn: 8, bk: 8 };
const SMALL: Tile = { bm: 64, bn: 64, tm: 4, tn: 4, bk: 16 };
/** Padding of a workgroup-memory row (so that the transposing stores of a tile spread over the banks). */
const PAD = 4;
/** Below this many multiply-adds (batch x M x N x K) TF.js's kernels stay: launch-bound either way. */
export const DEFAULT_MIN_MACS = 1 << 22;
/** Split K until the output's tiles make about this many workgroups (the H200 has 132 SMs)... */
const TARGET_WORKGROUPS = 512;
/** ...but keep at least this many k per workgroup. */
const MIN_CHUNK = 256;
const MAX_DISPATCH = 65535;

let on = true;
let minMacs = DEFAULT_MIN_MACS;
let runs = 0;

/**
 * The A/B switch (the bench reads ONERANK_MATMUL): off keeps TF.js's matmul kernels everywhere. `min` is the
 * smallest batch x M x N x K taken here (tests lower it to reach edge shapes).
 */
export function setFastMatMul(enable: boolean, min = DEFAULT_MIN_MACS): void {
  on = enable;
  minMacs = min;
}

/** How many matmuls this kernel has run (tests check that it, not TF.js's, ran). */
export function fastMatMulRuns(): number {
  return runs;
}

export interface MatMulPlan {
  tile: Tile;
  /** Workgroups along K (1: no split); each covers kChunk k (a multiple of tile.bk). */
  splits: number;
  kChunk: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const padded = (m: number, n: number, t: Tile) => ceilDiv(m, t.bm) * t.bm * ceilDiv(n, t.bn) * t.bn;

/** The tile (the big one unless it pads the output 10% more than the small), and the split of K. */
export function planMatMul(batch: number, m: number, n: number, k: number): MatMulPlan {
  const tile = padded(m, n, BIG) <= 1.1 * padded(m, n, SMALL) ? BIG : SMALL;
  const tiles = batch * ceilDiv(m, tile.bm) * ceilDiv(n, tile.bn);
  let splits = 1;
  if (batch === 1 && tiles < TARGET_WORKGROUPS) splits = Math.max(1, Math.min(ceilDiv(TARGET_WORKGROUPS, tiles), Math.floor(k / MIN_CHUNK)));
  const kChunk = ceilDiv(ceilDiv(k, splits), tile.bk) * tile.bk;
  return { tile, splits: ceilDiv(k, kChunk), kChunk };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** WGSL that loads one K-tile of A (or B) from global memory into registers r{l} (zero outside the matrix). */
function loadSnippet(which: 'A' | 'B', t: Tile, transposed: boolean): string {
  const outer = which === 'A' ? t.bm : t.bn;
  const per = (outer * t.bk) / THREADS;
  // Each layout is read along its contiguous axis: k for A[m][k] and B^T[n][k], the outer dim otherwise.
  const kFast = which === 'A' ? !transposed : transposed;
  const [o0, lim, base, r] = which === 'A' ? ['m0', 'uniforms.M', 'aBase', 'ra'] : ['n0', 'uniforms.N', 'bBase', 'rb'];
  // A [M][K] (A^T stored [K][M]); B [K][N] (B^T stored [N][K]).
  const index = (o: string, k: string) => {
    const outerStride = which === 'A' ? 'uniforms.M' : 'uniforms.N';
    return kFast ? `${base} + ${o} * uniforms.K + ${k}` : `${base} + ${k} * ${outerStride} + ${o}`;
  };
  return range(per)
    .map((l) => {
      const e = `lid + ${THREADS * l}`;
      const [o, c] = kFast ? [`(${e}) / ${t.bk}`, `(${e}) % ${t.bk}`] : [`(${e}) % ${outer}`, `(${e}) / ${outer}`];
      return `{
      let o = ${o}; let c = ${c};
      let go = ${o0} + o; let gk = k0 + c;
      ${r}${l} = 0.0;
      if (go < ${lim} && gk < kEnd) { ${r}${l} = ${which}[${index('go', 'gk')}]; }
    }`;
    })
    .join('\n    ');
}

/** WGSL that stores registers r{l} into the workgroup tile (As[c][o] / Bs[c][o]: k-major, so reads along o). */
function storeSnippet(which: 'A' | 'B', t: Tile, transposed: boolean): string {
  const outer = which === 'A' ? t.bm : t.bn;
  const per = (outer * t.bk) / THREADS;
  const kFast = which === 'A' ? !transposed : transposed;
  const [sub, r] = which === 'A' ? ['As', 'ra'] : ['Bs', 'rb'];
  return range(per)
    .map((l) => {
      const e = `lid + ${THREADS * l}`;
      const [o, c] = kFast ? [`(${e}) / ${t.bk}`, `(${e}) % ${t.bk}`] : [`(${e}) % ${outer}`, `(${e}) / ${outer}`];
      return `${sub}[(${c}) * ${outer + PAD} + ${o}] = ${r}${l};`;
    })
    .join('\n    ');
}

function matMulCode(t: Tile, transposeA: boolean, transposeB: boolean, bias: boolean): string {
  const rowsPer = t.bm / t.tm; // = columns per = 16
  const colsPer = t.bn / t.tn;
  const perA = (t.bm * t.bk) / THREADS;
  const perB = (t.bn * t.bk) / THREADS;
  const acc = (i: number, j: number) => `c${i}_${j}`;
  const rows = range(t.tm);
  const cols = range(t.tn);
  const fmas = rows.flatMap((i) => cols.map((j) => `${acc(i, j)} = fma(a${i}, b${j}, ${acc(i, j)});`)).join(' ');
  const stores = rows
    .map((i) => {
      const row = `m0 + ty + ${rowsPer * i}`;
      return `if (${row} < uniforms.M) {
    let rowBase = outBase + (${row}) * uniforms.N;
    ${cols.map((j) => `if (n0 + tx + ${colsPer * j} < uniforms.N) { result[rowBase + n0 + tx + ${colsPer * j}] = ${acc(i, j)}${bias ? ` + bias[n0 + tx + ${colsPer * j}]` : ''}; }`).join('\n    ')}
  }`;
    })
    .join('\n  ');
  return `
var<workgroup> As : array<f32, ${t.bk * (t.bm + PAD)}>;
var<workgroup> Bs : array<f32, ${t.bk * (t.bn + PAD)}>;

fn main() {
  let lid = i32(localIndex);
  let tx = lid % ${colsPer};
  let ty = lid / ${colsPer};
  let n0 = i32(workgroupId.x) * ${t.bn};
  let m0 = i32(workgroupId.y) * ${t.bm};
  // z runs over batch x splits: batch b, K chunk s (partial sums go to out[z] when K is split).
  let z = i32(workgroupId.z);
  let b = z / uniforms.splits;
  let kBegin = (z % uniforms.splits) * uniforms.kChunk;
  let kEnd = min(uniforms.K, kBegin + uniforms.kChunk);
  let aBase = (b % uniforms.batchA) * uniforms.M * uniforms.K;
  let bBase = (b % uniforms.batchB) * uniforms.K * uniforms.N;
  let outBase = z * uniforms.M * uniforms.N;
  ${rows.map((i) => cols.map((j) => `var ${acc(i, j)} = 0.0;`).join(' ')).join('\n  ')}
  ${range(perA).map((l) => `var ra${l} : f32;`).join(' ')}
  ${range(perB).map((l) => `var rb${l} : f32;`).join(' ')}
  var k0 = kBegin;
  ${loadSnippet('A', t, transposeA)}
  ${loadSnippet('B', t, transposeB)}
  // The trip count depends on uniforms only: workgroupBarrier needs uniform control flow.
  let tiles = uniforms.kChunk / ${t.bk};
  for (var kt = 0; kt < tiles; kt++) {
    workgroupBarrier();
    ${storeSnippet('A', t, transposeA)}
    ${storeSnippet('B', t, transposeB)}
    workgroupBarrier();
    k0 = k0 + ${t.bk};
    if (kt + 1 < tiles) {
      ${loadSnippet('A', t, transposeA)}
      ${loadSnippet('B', t, transposeB)}
    }
    ${range(t.bk)
      .map(
        (kk) => `{
      ${rows.map((i) => `let a${i} = As[ty + ${kk * (t.bm + PAD) + rowsPer * i}];`).join(' ')}
      ${cols.map((j) => `let b${j} = Bs[tx + ${kk * (t.bn + PAD) + colsPer * j}];`).join(' ')}
      ${fmas}
    }`,
      )
      .join('\n    ')}
  }
  ${stores}
}`;
}

/** out[b, r] = sum over s of part[b * splits + s, r] (+ bias[r % n]): the split-K partial sums added up. */
const sumCode = (bias: boolean) => `
fn main(index : i32) {
  if (index < uniforms.size) {
    let b = index / uniforms.mn;
    let r = index % uniforms.mn;
    var total = 0.0;
    for (var s = 0; s < uniforms.splits; s++) { total = total + part[(b * uniforms.splits + s) * uniforms.mn + r]; }
    result[index] = total${bias ? ' + bias[r % uniforms.n]' : ''};
  }
}`;

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The broadcast batch dims of a and b, or null where this kernel's batch indexing (b % batchA) would be wrong. */
function outerShape(a: number[], b: number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const pa = [...Array(rank - a.length).fill(1), ...a];
  const pb = [...Array(rank - b.length).fill(1), ...b];
  const batchA = sizeOf(a);
  const batchB = sizeOf(b);
  if (batchA !== 1 && batchB !== 1 && pa.some((d, i) => d !== pb[i])) return null;
  return pa.map((d, i) => Math.max(d, pb[i]));
}

interface MatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean; activation?: string };
  backend: unknown;
}

interface Backend {
  disposeData(dataId: tf.DataId): void;
}

/** Runs the matmul here, or returns null where TF.js's kernel should (switch off, small, other dtypes...). */
function fastMatMul({ inputs: { a, b, bias, preluActivationWeights }, attrs, backend }: MatMulArgs): tf.TensorInfo | null {
  if (!on || !fusedAvailable() || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if ((attrs.activation && attrs.activation !== 'linear') || preluActivationWeights) return null;
  const { transposeA, transposeB } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outer = outerShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!outer || k !== (transposeB ? b.shape[rb - 1] : b.shape[rb - 2])) return null;
  if (bias && (bias.dtype !== 'float32' || sizeOf(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return null;
  const batch = sizeOf(outer);
  if (m * n * k === 0 || batch * m * n * k < minMacs) return null;
  const plan = planMatMul(batch, m, n, k);
  const { tile, splits, kChunk } = plan;
  if (ceilDiv(m, tile.bm) > MAX_DISPATCH || ceilDiv(n, tile.bn) > MAX_DISPATCH || batch * splits > MAX_DISPATCH) return null;

  const outShape = [...outer, m, n];
  const biasInKernel = !!bias && splits === 1;
  const prog: WebGPUProgram = {
    variableNames: biasInKernel ? ['A', 'B', 'bias'] : ['A', 'B'],
    outputShape: splits === 1 ? outShape : [batch * splits, m, n],
    shaderKey: `oneRankMatMul_${tile.bm}x${tile.bn}_${transposeA}_${transposeB}_${biasInKernel}`,
    // Not a flat layout: main() takes no index (each workgroup finds its tile from workgroupId).
    dispatchLayout: { x: [2], y: [1], z: [0] },
    dispatch: [ceilDiv(n, tile.bn), ceilDiv(m, tile.bm), batch * splits],
    workgroupSize: [THREADS, 1, 1],
    uniforms: 'M : i32, N : i32, K : i32, batchA : i32, batchB : i32, splits : i32, kChunk : i32,',
    getUserCode: () => matMulCode(tile, transposeA, transposeB, biasInKernel),
  };
  const int = (v: number): Uniform => ({ type: 'int32', data: [v] });
  const uniforms = [m, n, k, sizeOf(a.shape.slice(0, -2)), sizeOf(b.shape.slice(0, -2)), splits, kChunk].map(int);
  runs += 1;
  const out = runProgram(backend, prog, biasInKernel ? [a, b, bias!] : [a, b], uniforms);
  if (splits === 1) return out;
  const size = batch * m * n;
  const sum = program(`oneRankMatMulSum_${!!bias}`, bias ? ['part', 'bias'] : ['part'], outShape, ceilDiv(size, 64), 64, sumCode(!!bias), 'size : i32, mn : i32, splits : i32, n : i32,');
  const total = runProgram(backend, sum, bias ? [out, bias] : [out], [size, m * n, splits, n].map(int));
  (backend as Backend).disposeData(out.dataId);
  return total;
}

type KernelFunc = (args: MatMulArgs) => tf.TensorInfo;
/** TF.js's own kernels: the fallback and the reference. */
const tfjs: Record<string, KernelFunc | null> = { BatchMatMul: null, _FusedMatMul: null };

/** Replaces TF.js's webgpu BatchMatMul and _FusedMatMul with the above where it applies (idempotent; a no-op until the webgpu backend's kernels are registered). */
export function installWebGPUMatMul(): void {
  for (const name of Object.keys(tfjs)) tfjs[name] ??= overrideWebGPUKernel<MatMulArgs>(name, (args) => fastMatMul(args) ?? tfjs[name]!(args));
}
