// The fused attention kernels (src/engine/kernels/attention.ts) against the plain TF.js path on the same webgpu
// backend (Dawn + SwiftShader in Node) and the same inputs: the output and the gradients w.r.t. q, k and v, under
// the real OneRank structured mask with key padding (padded candidates, short and empty histories).
// Each case picks sizes that exercise the kernel's edges: T not a multiple of the workgroup (69 in 96 threads,
// 22 in 32, 14 in 32), keys in several tiles (69 keys in tiles of 64, 22 in tiles of 16 at dh 64, 256 in tiles of
// 128), 1-4 heads, and the longest sequence the kernel takes (256 tokens) next to one it must leave to TF.js.
// Shown to fail on broken kernels (each run once on the first three cases, then restored; errors as printed):
// - forward ignoring the mask (`0.0 * biasAt(...)` in the forward): y error 0.63-1.1;
// - forward with q not scaled by 1/sqrt(dh): y error 0.63-1.05;
// - dq written without its SCALE factor: dq error 3-7 (dk, dv still pass);
// - dk/dv pass reading the bias transposed (biasAt(b, kj, t0 + r)): dk error 2.1-71, dv 1.2-69;
// - delta = 0 (the softmax's own gradient term dropped): dq error 0.97-3.1, dk 1.2-3.9;
// - key padding ignored (keyReal read as max(keyReal, 1)): every error 0.54-1.2;
// - structured mask ignored (max(mask, 1)): every error 0.67-1.2 on the two structured cases;
// - the diagonal not forced on (`i == j ||` dropped: padded queries then see no key): every error 0.27-1.5.
// - MAX_T = 255: the T 256 case no longer runs the kernel; MAX_T = 257: the T 257 case takes it (past the 256
//   threads a workgroup is guaranteed).
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/engine/kernels/attention';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { attentionMask, keyRealOf, makeLayout, type LayoutSpec } from '../../src/engine/model/mask';
import { attentionBias } from '../../src/engine/model/trunk';
import { useBackend } from './helpers/backend';

const WEBGPU_TIMEOUT_MS = 300_000;
const tf = await useBackend('webgpu');

interface Case {
  name: string;
  spec: LayoutSpec;
  mask: 'structured' | 'bidirectional';
  heads: number;
  dh: number;
  /** Per request: how many history slots hold an item (the rest are id 0 = padding) and how many candidates are real. */
  requests: { history: number; candidates: number }[];
  /** Past the kernel's 256 tokens (one thread per token): attention() must take the plain path even on webgpu. */
  plainOnly?: boolean;
}

const TASKS = ['click', 'order', 'like'];
const CASES: Case[] = [
  {
    name: 'benchmark layout (T 69: 1 + 20 history + 12 x (1 + 3)), 2 heads of 16',
    spec: { sdLabels: ['ctx'], historyLen: 20, numGroups: 12, taskNames: TASKS },
    mask: 'structured',
    heads: 2,
    dh: 16,
    requests: [
      { history: 20, candidates: 12 },
      { history: 7, candidates: 5 },
      { history: 0, candidates: 1 },
    ],
  },
  {
    name: 'T 22, 4 heads of 64 (keys in tiles of 16)',
    spec: { sdLabels: ['ctx'], historyLen: 5, numGroups: 4, taskNames: TASKS },
    mask: 'structured',
    heads: 4,
    dh: 64,
    requests: [
      { history: 2, candidates: 4 },
      { history: 5, candidates: 2 },
    ],
  },
  {
    name: 'T 14, shared task token, bidirectional mask (V6), 3 heads of 32',
    spec: { sdLabels: ['ctx'], historyLen: 3, numGroups: 5, taskNames: ['shared'] },
    mask: 'bidirectional',
    heads: 3,
    dh: 32,
    requests: [
      { history: 3, candidates: 5 },
      { history: 1, candidates: 3 },
      { history: 0, candidates: 2 },
      { history: 2, candidates: 4 },
    ],
  },
  {
    name: 'T 256, the most one workgroup holds (1 + 15 history + 60 x 4), 1 head of 8',
    spec: { sdLabels: ['ctx'], historyLen: 15, numGroups: 60, taskNames: TASKS },
    mask: 'structured',
    heads: 1,
    dh: 8,
    requests: [{ history: 9, candidates: 41 }],
  },
  {
    name: 'T 257 falls back to the plain path',
    spec: { sdLabels: ['ctx'], historyLen: 16, numGroups: 60, taskNames: TASKS },
    mask: 'structured',
    heads: 1,
    dh: 8,
    requests: [{ history: 16, candidates: 60 }],
    plainOnly: true,
  },
];

interface Result {
  y: Float32Array; // [B, T, d]
  dqkv: Float32Array; // [B, T, 3d]
  kernels: string[];
}

/** Output and d(sum(y * w))/d(qkv) on the fused or the plain path, plus the kernels that ran. */
async function run(c: Case, fused: boolean): Promise<Result> {
  const layout = makeLayout(c.spec);
  const { T } = layout;
  const B = c.requests.length;
  const d = c.heads * c.dh;
  const keyReal = c.requests.map((r) =>
    keyRealOf(
      layout,
      Array.from({ length: c.spec.historyLen }, (_, p) => (p < r.history ? p + 1 : 0)),
      Array.from({ length: c.spec.numGroups }, (_, i) => (i < r.candidates ? 1 : 0)),
    ),
  );
  const mask = tf.tensor2d(attentionMask(layout, c.mask));
  const eye = tf.eye(T) as Tensor2D;
  const real = tf.tensor2d(keyReal);
  const allowed = attentionBias(mask, eye, real);
  const qkv = tf.randomNormal([B, T, 3 * d], 0, 1, 'float32', 7) as Tensor3D;
  const w = tf.randomNormal([B, T, d], 0, 1, 'float32', 11); // a generic upstream gradient
  setFusedKernels(fused);
  try {
    const before = tf.memory().numTensors;
    const held: Tensor[] = [];
    const profile = await tf.profile(() => {
      held.push(...tf.tidy(() => [
        attention(qkv, allowed, c.heads),
        tf.grad((x: Tensor) => tf.sum(tf.mul(attention(x as Tensor3D, allowed, c.heads), w)))(qkv),
      ]));
    });
    const [y, dqkv] = held;
    const out = { y: (await y.data()) as Float32Array, dqkv: (await dqkv.data()) as Float32Array, kernels: profile.kernelNames };
    tf.dispose([y, dqkv]);
    expect(tf.memory().numTensors).toBe(before); // nothing leaked on either path
    return out;
  } finally {
    setFusedKernels(true);
    tf.dispose([mask, eye, real, qkv, w]);
  }
}

/** max |a - b| / max |b| over the elements where pick(i) holds. */
function relErr(a: Float32Array, b: Float32Array, pick: (i: number) => boolean = () => true): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    if (!pick(i)) continue;
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

describe('fused attention = plain TF.js attention (webgpu)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const fused = await run(c, true);
      const plain = await run(c, false);
      // The fused path really ran the two programs (unless the sequence is too long for them), the plain one did not.
      if (c.plainOnly) expect(fused.kernels).not.toContain('OneRankAttention');
      else expect(fused.kernels).toEqual(expect.arrayContaining(['OneRankAttention', 'OneRankAttentionGrad']));
      expect(plain.kernels).not.toContain('OneRankAttention');
      expect(fused.y.every(Number.isFinite) && fused.dqkv.every(Number.isFinite)).toBe(true);
      const d = c.heads * c.dh;
      const part = (p: number) => (i: number) => Math.floor((i % (3 * d)) / d) === p; // q | k | v of [B, T, 3d]
      const errors = {
        y: relErr(fused.y, plain.y),
        dq: relErr(fused.dqkv, plain.dqkv, part(0)),
        dk: relErr(fused.dqkv, plain.dqkv, part(1)),
        dv: relErr(fused.dqkv, plain.dqkv, part(2)),
      };
      console.log(`${c.name}: relative errors ${JSON.stringify(errors)}`);
      for (const e of Object.values(errors)) expect(e).toBeLessThanOrEqual(1e-4);
    }, WEBGPU_TIMEOUT_MS);
  }
});
