// Masked multi-head self-attention (ONERANK.md section 2), as ONE GPU program forward and ONE backward per layer
// on webgpu, for all requests and heads at once:
//   y[b, i, head h] = sum_j softmax_j( q_i . k_j / sqrt(dh) + bias[b, i, j] ) v_j        qkv [B, T, 3d] -> y [B, T, d]
//   bias[b, i, j] = 0 where (mask[i, j] and keyReal[b, j]) or i = j, else -1e9
// The kernels read q, k, v straight out of the qkv projection's [B, T, 3d] output and write y as [B, T, d], so
// the head split, the transposes, the scale and the head merge cost no program of their own; the backward writes
// d(qkv) in the same [B, T, 3d] layout, i.e. the gradient the qkv matMul wants. What they replace (per layer):
// reshape/transpose/unstack, scale, matMul, add bias, softmax, matMul, transpose (merge) forward, and about twice
// as many programs backward. They read the mask factored ([T, T] and [B, T]), so the dense bias is never built.
// One workgroup per (request, head); one thread per query row (T <= 256 tokens), keys and values streamed through
// workgroup memory in tiles; the softmax is computed online (running max and sum), so no [T, T] matrix is stored.
// The backward recomputes the probabilities from the same logits (one pass for the row's log-sum-exp and
// delta_i = sum_j p_ij dp_ij, one for dq; then each thread takes a KEY j and sums dk_j, dv_j over the query rows).
// The plain TF.js path (plainAttention) is the reference, the path for cpu/wasm, and the one that returns the
// probabilities when the attention maps are captured.
import * as tf from '@tensorflow/tfjs';
import { MASKED, maskBias, mergeHeads } from '../model/layers';
import { fusedAvailable, program, registerWebGPUKernel, runKernel, runProgram, type WebGPUProgram } from './webgpu';

/** Who may attend to whom, kept factored: the kernels read the factors, the plain path the dense bias. */
export interface AttentionMask {
  mask: tf.Tensor2D; // [T, T] the layout's mask (mask.ts), 1 = may attend
  eye: tf.Tensor2D; // [T, T] a query always keeps itself (mask.ts applyKeyPadding): no softmax row is empty
  keyReal: tf.Tensor2D; // [B, T] 0 = a padded key (short history, missing candidate)
}

/** The additive bias [B, 1, T, T] of the plain path: 0 where allowed, -1e9 where not. */
export function denseBias({ mask, eye, keyReal }: AttentionMask): tf.Tensor {
  const allowed = tf.maximum(tf.mul(mask, keyReal.expandDims(1)), eye); // [B, T, T]
  return maskBias(allowed).expandDims(1);
}

/** The plain path: q, k, v split into heads [B, h, T, dh]; also returns the probabilities [B, h, T, T]. */
export function plainAttention(qkv: tf.Tensor3D, bias: tf.Tensor, heads: number): { out: tf.Tensor3D; probs: tf.Tensor4D } {
  const [B, T, d3] = qkv.shape;
  const dh = d3 / 3 / heads;
  const [q, k, v] = tf.unstack(qkv.reshape([B, T, 3, heads, dh]).transpose([2, 0, 3, 1, 4])) as tf.Tensor4D[]; // [B, h, T, dh]
  // Scale q ([B, h, T, dh]) rather than the scores ([B, h, T, T]): fewer elements.
  const scores = tf.add(tf.matMul(tf.mul(q, 1 / Math.sqrt(dh)), k, false, true), bias); // [B, h, T, T]
  const probs = tf.softmax(scores) as tf.Tensor4D;
  return { out: mergeHeads(tf.matMul(probs, v)), probs };
}

const FORWARD = 'OneRankAttention';
const BACKWARD = 'OneRankAttentionGrad';
/** One thread per query row, so a workgroup holds every row: 256 invocations is WebGPU's guaranteed minimum. */
const MAX_T = 256;
/** Floats per tile of keys (or values) in workgroup memory: two tiles = 8 KiB, half of WebGPU's guaranteed 16 KiB. */
const TILE_FLOATS = 1024;

/** The fused kernels run on webgpu (kernels/webgpu.ts fusedAvailable) when a workgroup holds one thread per token. */
export function fusedAttentionApplies(qkvShape: readonly number[], heads: number): boolean {
  const [, T, d3] = qkvShape;
  return fusedAvailable() && T <= MAX_T && d3 % (3 * heads) === 0;
}

/** The fused kernels (when fusedAttentionApplies): qkv [B, T, 3d] (q | k | v, each heads x dh) -> [B, T, d] */
export function fusedAttention(qkv: tf.Tensor3D, m: AttentionMask, heads: number): tf.Tensor3D {
  const [B, T] = qkv.shape;
  const shapes = `${m.mask.shape} ${m.keyReal.shape}`;
  if (shapes !== `${[T, T]} ${[B, T]}`) throw new Error(`attention: mask must be [${T}, ${T}] and keyReal [${B}, ${T}], got ${shapes}`);
  installAttentionKernels();
  return runKernel<tf.Tensor3D>(FORWARD, { qkv, mask: m.mask, keyReal: m.keyReal }, { heads });
}

/** Attention on whichever path applies (Trunk.run makes the same choice once for all its layers). */
export function attention(qkv: tf.Tensor3D, m: AttentionMask, heads: number): tf.Tensor3D {
  return fusedAttentionApplies(qkv.shape, heads) ? fusedAttention(qkv, m, heads) : plainAttention(qkv, denseBias(m), heads).out;
}

// ---- WebGPU programs --------------------------------------------------------------------------------------------
// kernels/webgpu.ts says how the backend assembles a shader around main(index). The sizes are baked into the
// code as constants, so they are part of shaderKey.

interface Dims {
  B: number;
  T: number;
  H: number;
  DH: number;
}

function dimsOf(qkvShape: readonly number[], heads: number): Dims {
  const [B, T, d3] = qkvShape;
  return { B, T, H: heads, DH: d3 / 3 / heads };
}

/** WGSL constants and helpers shared by both programs. */
function prelude({ T, H, DH }: Dims, tile: number): string {
  const D = H * DH;
  return `
  const T = ${T};
  const H = ${H};
  const DH = ${DH};
  const D = ${D};
  const D3 = ${3 * D};
  const TILE = ${tile};
  const SCALE = f32(${1 / Math.sqrt(DH)});
  const MASKED = f32(${MASKED});
  var<workgroup> tileA : array<f32, ${tile * DH}>;
  var<workgroup> tileB : array<f32, ${tile * DH}>;

  // The (request, head) pair of this workgroup: x = request, y = head, z = 1 when the pair exists (a dispatch
  // over 65,535 workgroups is reshaped, and the surplus workgroups compute a clamped copy and write nothing).
  fn pairOf(index : i32) -> vec3<i32> {
    let pair = index / WG;
    let pairs = uniforms.qkvShape.x * H;
    let bh = min(pair, pairs - 1);
    return vec3<i32>(bh / H, bh % H, select(0, 1, pair < pairs));
  }
  // Flat index of element c of part (0 = q, 1 = k, 2 = v) of head h at token t of request b in qkv [B, T, 3d].
  fn qkvAt(b : i32, t : i32, part : i32, h : i32, c : i32) -> i32 {
    return (b * T + t) * D3 + part * D + h * DH + c;
  }
  // The additive bias of query i and key j in request b (denseBias, read from its factors).
  fn biasAt(b : i32, i : i32, j : i32) -> f32 {
    return select(MASKED, 0.0, i == j || mask[i * T + j] * keyReal[b * T + j] != 0.0);
  }
  // ... and in a [B, T, d] tensor (y, dy).
  fn rowAt(b : i32, t : i32, h : i32, c : i32) -> i32 {
    return (b * T + t) * D + h * DH + c;
  }
  // Keys t0 .. t0 + TILE - 1 of head h into tileA, their values into tileB (the whole workgroup loads together).
  fn loadKeysValues(b : i32, h : i32, t0 : i32) {
    workgroupBarrier();
    for (var e = i32(localIndex); e < TILE * DH; e += WG) {
      let t = min(t0 + e / DH, T - 1);
      tileA[e] = qkv[qkvAt(b, t, 1, h, e % DH)];
      tileB[e] = qkv[qkvAt(b, t, 2, h, e % DH)];
    }
    workgroupBarrier();
  }
  fn dotA(x : ptr<function, array<f32, DH>>, j : i32) -> f32 {
    var s = 0.0;
    for (var c = 0; c < DH; c++) { s += (*x)[c] * tileA[j * DH + c]; }
    return s;
  }
  fn dotB(x : ptr<function, array<f32, DH>>, j : i32) -> f32 {
    var s = 0.0;
    for (var c = 0; c < DH; c++) { s += (*x)[c] * tileB[j * DH + c]; }
    return s;
  }
`;
}

function layout(dims: Dims) {
  const workgroup = Math.min(MAX_T, Math.max(32, Math.ceil(dims.T / 32) * 32));
  const tile = Math.max(1, Math.min(dims.T, Math.floor(TILE_FLOATS / dims.DH)));
  return { workgroup, tile };
}

function attentionProgram(kind: 'onerankAttention' | 'onerankAttentionGrad', dims: Dims): WebGPUProgram {
  const { B, T, H, DH } = dims;
  const { workgroup, tile } = layout(dims);
  const grad = kind === 'onerankAttentionGrad';
  return program(
    `${kind}_${T}_${H}_${DH}_${workgroup}_${tile}`,
    grad ? ['qkv', 'mask', 'keyReal', 'dy'] : ['qkv', 'mask', 'keyReal'],
    [B, T, (grad ? 3 : 1) * H * DH],
    B * H,
    workgroup,
    prelude(dims, tile) + (grad ? BACKWARD_MAIN : FORWARD_MAIN),
  );
}

const FORWARD_MAIN = `
  fn main(index : i32) {
    let bh = pairOf(index);
    let b = bh.x;
    let h = bh.y;
    let i = i32(localIndex);
    let row = min(i, T - 1); // threads past the last row follow the last one and write nothing
    var q : array<f32, DH>;
    for (var c = 0; c < DH; c++) { q[c] = qkv[qkvAt(b, row, 0, h, c)] * SCALE; }
    var acc : array<f32, DH>;
    var m = -3.0e38;
    var l = 0.0;
    for (var t0 = 0; t0 < T; t0 += TILE) {
      loadKeysValues(b, h, t0);
      for (var j = 0; j < min(TILE, T - t0); j++) {
        let s = dotA(&q, j) + biasAt(b, row, t0 + j);
        // Online softmax: rescale what was summed under the old running max.
        let mNew = max(m, s);
        let corr = exp(m - mNew);
        let p = exp(s - mNew);
        l = l * corr + p;
        for (var c = 0; c < DH; c++) { acc[c] = acc[c] * corr + p * tileB[j * DH + c]; }
        m = mNew;
      }
    }
    if (bh.z == 1 && i < T) {
      for (var c = 0; c < DH; c++) { result[rowAt(b, i, h, c)] = acc[c] / l; }
    }
  }
`;

const BACKWARD_MAIN = `
  var<workgroup> rowLse : array<f32, T>;
  var<workgroup> rowDelta : array<f32, T>;

  fn main(index : i32) {
    let bh = pairOf(index);
    let b = bh.x;
    let h = bh.y;
    let i = i32(localIndex);
    let writes = bh.z == 1 && i < T;

    // Query role: thread i owns query row i.
    let row = min(i, T - 1);
    var q : array<f32, DH>;
    var g : array<f32, DH>; // dy of this row
    for (var c = 0; c < DH; c++) {
      q[c] = qkv[qkvAt(b, row, 0, h, c)] * SCALE;
      g[c] = dy[rowAt(b, row, h, c)];
    }
    // Pass 1: log-sum-exp of the row and delta = sum_j p_j (dy . v_j), both online.
    var m = -3.0e38;
    var l = 0.0;
    var dsum = 0.0;
    for (var t0 = 0; t0 < T; t0 += TILE) {
      loadKeysValues(b, h, t0);
      for (var j = 0; j < min(TILE, T - t0); j++) {
        let s = dotA(&q, j) + biasAt(b, row, t0 + j);
        let dp = dotB(&g, j);
        let mNew = max(m, s);
        let corr = exp(m - mNew);
        let p = exp(s - mNew);
        l = l * corr + p;
        dsum = dsum * corr + p * dp;
        m = mNew;
      }
    }
    let lse = m + log(l);
    let delta = dsum / l;
    if (i < T) {
      rowLse[i] = lse;
      rowDelta[i] = delta;
    }
    // Pass 2: dq_i = SCALE * sum_j p_ij (dp_ij - delta_i) k_j.
    var dq : array<f32, DH>;
    for (var t0 = 0; t0 < T; t0 += TILE) {
      loadKeysValues(b, h, t0);
      for (var j = 0; j < min(TILE, T - t0); j++) {
        let s = dotA(&q, j) + biasAt(b, row, t0 + j);
        let ds = exp(s - lse) * (dotB(&g, j) - delta);
        for (var c = 0; c < DH; c++) { dq[c] += ds * tileA[j * DH + c]; }
      }
    }
    if (writes) {
      for (var c = 0; c < DH; c++) { result[qkvAt(b, i, 0, h, c)] = dq[c] * SCALE; }
    }

    // Key role: thread j owns key j; dk_j = sum_i ds_ij (SCALE q_i), dv_j = sum_i p_ij dy_i.
    let kj = row;
    var k : array<f32, DH>;
    var v : array<f32, DH>;
    for (var c = 0; c < DH; c++) {
      k[c] = qkv[qkvAt(b, kj, 1, h, c)];
      v[c] = qkv[qkvAt(b, kj, 2, h, c)];
    }
    var dk : array<f32, DH>;
    var dv : array<f32, DH>;
    for (var t0 = 0; t0 < T; t0 += TILE) {
      workgroupBarrier(); // also publishes rowLse / rowDelta before the first tile is read
      for (var e = i; e < TILE * DH; e += WG) {
        let t = min(t0 + e / DH, T - 1);
        tileA[e] = qkv[qkvAt(b, t, 0, h, e % DH)] * SCALE;
        tileB[e] = dy[rowAt(b, t, h, e % DH)];
      }
      workgroupBarrier();
      for (var r = 0; r < min(TILE, T - t0); r++) {
        let p = exp(dotA(&k, r) + biasAt(b, t0 + r, kj) - rowLse[t0 + r]);
        let ds = p * (dotB(&v, r) - rowDelta[t0 + r]);
        for (var c = 0; c < DH; c++) {
          dk[c] += ds * tileA[r * DH + c];
          dv[c] += p * tileB[r * DH + c];
        }
      }
    }
    if (writes) {
      for (var c = 0; c < DH; c++) {
        result[qkvAt(b, i, 1, h, c)] = dk[c];
        result[qkvAt(b, i, 2, h, c)] = dv[c];
      }
    }
  }
`;

// ---- Kernel registration ------------------------------------------------------------------------------------------

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  backend: unknown;
}

function dimsOfArgs(args: KernelArgs): Dims {
  const heads = args.attrs.heads;
  if (typeof heads !== 'number') throw new Error(`${FORWARD}: the 'heads' attribute is missing`);
  return dimsOf(args.inputs.qkv.shape, heads);
}

/** Registers both kernels for webgpu and the forward's gradient (idempotent: the registry is global). */
export function installAttentionKernels(): void {
  registerWebGPUKernel(FORWARD, (args) => {
    const { qkv, mask, keyReal } = args.inputs;
    return runProgram(args.backend, attentionProgram('onerankAttention', dimsOfArgs(args)), [qkv, mask, keyReal]);
  });
  registerWebGPUKernel(BACKWARD, (args) => {
    const { qkv, mask, keyReal, dy } = args.inputs;
    return runProgram(args.backend, attentionProgram('onerankAttentionGrad', dimsOfArgs(args)), [qkv, mask, keyReal, dy]);
  });
  if (tf.getGradient(FORWARD)) return;
  tf.registerGradient({
    kernelName: FORWARD,
    inputsToSave: ['qkv', 'mask', 'keyReal'],
    gradFunc: (dy, saved, attrs) => {
      const [qkv, mask, keyReal] = saved;
      return {
        qkv: () => runKernel(BACKWARD, { qkv, mask, keyReal, dy: dy as tf.Tensor }, attrs as Record<string, unknown>),
        // The masks come from the layout and the batch, never from a weight: their gradients are never asked for.
        mask: () => tf.zerosLike(mask),
        keyReal: () => tf.zerosLike(keyReal),
      };
    },
  });
}
