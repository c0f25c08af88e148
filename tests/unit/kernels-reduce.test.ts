// The column reductions on webgpu (kernels/reduce.ts) against TF.js's own webgpu kernels (the fused switch off),
// on webgpu in Node (Dawn + SwiftShader): TF.js's Sum over leading, middle, trailing and all axes (one row, one
// column, C = 130 over a 16-column tile, 70,000 rows in many chunks and a second pass), the bias gradient of a
// broadcast add (a Sum in the backward pass), and LayerNorm's gain and bias gradients (OneRankLayerNormGradG and
// OneRankColumnSum) with per-task parameter rows; relative error <= 1e-5. Also which programs run: the fast path
// must actually be taken (a parity test alone passes when it never is).
// Shown to fail: pass 2 summing `first.P - 1` partial rows (a chunk dropped: the five multi-chunk cases, rel. err
// 2e-3 to 0.57; the 2,049-row case too), the tree's partner `t + h * LS` as `t + h` (every column-major case, 0.2-5.7), and Sum's fast
// path never taken (`!fusedAvailable()` as `fusedAvailable()`: the programs test sees transposeShared, reduce_sum);
// the cast test failed (WGSL error, i32 returned for f32) before the term read `f32(x[i])`, and the 65,535 test
// (rel. err 0.65, the last element) before the write's `p * chunk < R` guard.
import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { asColumns, installWebGPUSum } from '../../src/engine/kernels/reduce';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { layerNorm } from '../../src/engine/model/layers';
import { useBackend } from './helpers/backend';
import { relErr } from './helpers/relErr';

const tf = await useBackend('webgpu');
installWebGPUSum();

/** The shader keys of the GPU programs f dispatches. */
function programsOf(f: () => Tensor | Tensor[]): string[] {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (p: { shaderKey: string }, ...rest: unknown[]) => unknown };
  const orig = backend.runWebGPUProgram;
  const keys: string[] = [];
  backend.runWebGPUProgram = (p, ...rest) => {
    keys.push(p.shaderKey);
    return orig.call(backend, p, ...rest);
  };
  try {
    tf.dispose(tf.tidy(f));
  } finally {
    backend.runWebGPUProgram = orig;
  }
  return keys;
}

/** f's outputs with the fused switch on and off (TF.js's kernels), as arrays; no tensor left behind. */
async function both(f: () => Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const before = tf.memory().numTensors;
  const run = async () => {
    const outs = tf.tidy(f);
    const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(outs);
    return values;
  };
  const fused = await run();
  setFusedKernels(false);
  let plain: Float32Array[];
  try {
    plain = await run();
  } finally {
    setFusedKernels(true);
  }
  expect(tf.memory().numTensors).toBe(before);
  return [fused, plain];
}

function expectClose(fused: Float32Array[], plain: Float32Array[]): void {
  const errors = fused.map((a, i) => relErr(a, plain[i]));
  for (const a of fused) expect(Array.from(a).some((v) => v !== 0)).toBe(true);
  expect(Math.max(...errors), `relative errors: ${errors.map((e) => e.toExponential(1)).join(', ')}`).toBeLessThanOrEqual(1e-5);
}

const x = (shape: number[], seed: number) => tf.add(tf.randomNormal(shape, 0, 1, 'float32', seed), 0.3);

const sums: [number[], number | number[] | null, boolean][] = [
  // x shape, axis, keepDims
  [[1, 5], 0, false], // one row
  [[37, 1], 0, false], // one column
  [[45, 130], 0, true], // C = 130: a partial column tile
  [[70000, 8], 0, false], // many chunks, then the partial sums' pass
  [[2048, 64], 0, false], // the longest column summed in one pass (64 lanes of 32 rows, tiles of 4 columns)
  [[2049, 64], 0, false], // one row more: two passes
  [[8192, 1], 0, false], // one column, one pass of 256 lanes
  [[2, 69, 3], [0, 1], false], // C = 3 (tiles wider than C)
  [[4, 100, 130], 1, false], // a middle axis (TF.js transposes)
  [[64, 2, 3, 3, 16], [2], true],
  [[300, 33], -1, false], // trailing axis: C = 1, lanes on consecutive rows
  [[7, 3000], [1], true], // trailing axis of long rows
  [[59751], null, false], // everything, to a scalar
  [[6, 5, 4], [0, 2], false], // scattered axes: TF.js's kernel
];

describe('webgpu Sum over a block of axes (column reduction) = TF.js Sum', () => {
  for (const [shape, axis, keepDims] of sums) {
    it(`x [${shape}] axis ${JSON.stringify(axis)}${keepDims ? ' keepDims' : ''}`, async () => {
      const [a, b] = await both(() => {
        const out = tf.sum(x(shape, 5), axis ?? undefined, keepDims);
        const want = tf.util.parseAxisParam(axis ?? shape.map((_, i) => i), shape);
        expect(out.shape).toEqual(shape.map((n, i) => (want.includes(i) ? 1 : n)).filter((_, i) => keepDims || !want.includes(i)));
        return [out];
      });
      expectClose(a, b);
    });
  }

  it('a mask cast to float32 (its buffer stays i32 on webgpu)', async () => {
    const [a, b] = await both(() => [tf.sum(tf.cast(tf.greater(x([500, 9], 6), 0), 'float32'), 0), tf.sum(tf.cast(tf.tensor1d([3, -1, 4], 'int32'), 'float32'))]);
    expectClose(a, b);
  });

  it('over 65,535 workgroups (the backend reshapes the dispatch into a square; the extra workgroups write nothing)', async () => {
    // 16,777,300 columns of one row: 65,537 tiles of 256; the sum is the row itself. Without the `p * chunk < R`
    // guard, the extra workgroups' out-of-range writes land clamped on the last element (0 there).
    const row = tf.randomUniform([1, 16_777_300], 1, 2, 'float32', 7);
    const out = tf.sum(row, 0);
    const [a, b] = await Promise.all([out.data(), row.data()]);
    tf.dispose([row, out]);
    expect(relErr(a, b)).toBe(0);
  });

  it('the bias gradient of a broadcast add (a Sum of [R, C] to [C] in the backward pass)', async () => {
    const [a, b] = await both(() => {
      const xs = x([3000, 40], 1);
      const bias = x([40], 2);
      const r = x([3000, 40], 3);
      return tf.grads((xi: Tensor, bi: Tensor) => tf.sum(tf.mul(tf.add(xi, bi), r)))([xs, bias]);
    });
    expectClose(a, b);
  });

  it('takes its own programs: two for a long column sum, one for a short one, none of them a transpose', () => {
    expect(programsOf(() => tf.sum(x([70000, 8], 1), 0)).filter((k) => !k.startsWith('oneRank') && !k.includes('binary') && !k.startsWith('random'))).toEqual([]);
    const long = programsOf(() => tf.sum(tf.ones([70000, 8]), 0)).filter((k) => !k.startsWith('fill'));
    expect(long.map((k) => k.split('_')[0])).toEqual(['oneRankSum', 'oneRankPartialSum']);
    const short = programsOf(() => tf.sum(tf.ones([20, 64, 8]), 1)).filter((k) => !k.startsWith('fill'));
    expect(short.map((k) => k.split('_')[0])).toEqual(['oneRankSum']);
    // A task head's bias gradient at the default bench size ([B * K] = 768 rows) is one program, not two: shown to
    // fail with firstPlan always splitting (['oneRankSum', 'oneRankPartialSum'] for both).
    for (const rows of [768, 2048]) {
      const head = programsOf(() => tf.sum(tf.ones([rows, 64]), 0)).filter((k) => !k.startsWith('fill'));
      expect(head.map((k) => k.split('_')[0]), `${rows} rows`).toEqual(['oneRankSum']);
    }
    expect(programsOf(() => tf.sum(tf.ones([2049, 64]), 0)).filter((k) => !k.startsWith('fill')).length).toBe(2);
  });

  it('sees a block of axes as [A, R, C]', () => {
    expect(asColumns([2, 3, 4, 5], [1, 2])).toEqual([2, 12, 5]);
    expect(asColumns([2, 3, 4, 5], [2, 1])).toEqual([2, 12, 5]);
    expect(asColumns([2, 3, 4], [0, 1, 2])).toEqual([1, 24, 1]);
    expect(asColumns([2, 3, 4], [0, 2])).toBeNull();
  });
});

describe('LayerNorm gain and bias gradients (column reductions) = the plain TF.js LayerNorm', () => {
  const shapes: [number[], number[]][] = [
    [[1, 7], [7]], // one row
    [[3000, 3, 8], [3, 8]], // per-task parameter rows, many chunks (R = 3,000 rows of 24)
    [[50, 130], [130]], // d over a column tile
  ];
  for (const [xShape, gShape] of shapes) {
    it(`x [${xShape}] g [${gShape}]`, async () => {
      const [a, b] = await both(() => {
        const xs = x(xShape, 1);
        const g = x(gShape, 2);
        const bias = x(gShape, 3);
        const r = x(xShape, 4);
        // The model's LayerNorm: the fused kernel with the switch on, tf.moments and element-wise ops off.
        const f = (xi: Tensor, gi: Tensor, bi: Tensor) => layerNorm(xi, { g: gi, b: bi } as unknown as Parameters<typeof layerNorm>[1]);
        const [, dg, db] = tf.grads((xi: Tensor, gi: Tensor, bi: Tensor) => tf.sum(tf.mul(f(xi, gi, bi), r)))([xs, g, bias]);
        return [dg, db];
      });
      expectClose(a, b);
    });
  }
});
