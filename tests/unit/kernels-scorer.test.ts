// The fused matching scorer (kernels/scorer.ts) against the model's plain TF.js ops (MatchingScorer.score with the
// `fused` switch off), both on webgpu in Node (Dawn + SwiftShader): the logits and the gradients of z, r, scale and
// bias (and W for the bilinear scorer) agree to a relative error <= 1e-4 each, on odd sizes: K = 1 and 3, d under
// and over the 64-thread workgroup and not a multiple of it, B * N rows not a multiple of anything, scales of both
// signs, and padded candidates (zero r, as a request with fewer candidates gives) scored as before (logit = bias).
// Shown to fail, one break at a time in kernels/scorer.ts (relative errors; cases failed of 5): the forward without
// `+ bias[k]` (logits, 5), its dot over c < d - 1 (0.18-0.49, 5), d r with zt at c + 1 (1.3-1.6, 5), d zt summing
// n < N - 1 (0.38, 1: the one case whose last candidate is real), d scale without `* invSqrtD` (1.2-7.4, 5), d bias
// from task 0's column only (0.27-1.1, the 4 with K = 3); d scale's first pass with every chunk starting at row 0
// (4.0), writing every chunk to partial 0 (1.3), or its partials not summed (0.28): 1, the 4-chunk case.
import type { Tensor3D, Tensor4D, Variable } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ScorerKind } from '../../src/engine/config';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { Params } from '../../src/engine/model/params';
import { MatchingScorer } from '../../src/engine/model/scorer';
import { useBackend } from './helpers/backend';
import { relErr } from './helpers/relErr';

const tf = await useBackend('webgpu');

const normal = (shape: number[], seed: number, std = 1) => tf.randomNormal(shape, 0, std, 'float32', seed);

interface Case {
  B: number;
  N: number;
  K: number;
  d: number;
  kind: ScorerKind;
  /** Candidates n >= real of each request are padding: r = 0 there. */
  real: number;
}

/** Logits and the gradients of sum(logits * w) for the given variables, with the `fused` switch as given. */
async function run(scorer: MatchingScorer, z: Variable, r: Variable, fused: boolean): Promise<Map<string, Float32Array>> {
  const vars = [z, r, scorer.scale, scorer.bias, ...(scorer.bilinear ? [scorer.bilinear] : [])];
  const names = ['z', 'r', 'scale', 'bias', 'W'];
  setFusedKernels(fused);
  const before = tf.memory().numTensors;
  try {
    const score = () => scorer.score(z as unknown as Tensor3D, r as unknown as Tensor4D);
    const out = tf.tidy(() => {
      const logits = score();
      const w = normal(logits.shape, 99);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(score(), w)), vars);
      return [logits, ...vars.map((v) => grads[v.name])];
    });
    const result = new Map<string, Float32Array>();
    for (const [i, t] of out.entries()) result.set(i === 0 ? 'logits' : names[i - 1], (await t.data()) as Float32Array);
    tf.dispose(out);
    expect(tf.memory().numTensors).toBe(before);
    return result;
  } finally {
    setFusedKernels(true);
  }
}

describe('fused matching scorer = plain TF.js ops on webgpu (logits and every gradient)', () => {
  const cases: Case[] = [
    { B: 3, N: 7, K: 1, d: 5, kind: 'dot', real: 7 },
    { B: 5, N: 3, K: 3, d: 70, kind: 'dot', real: 2 },
    { B: 7, N: 5, K: 3, d: 13, kind: 'dot', real: 4 },
    { B: 3, N: 5, K: 3, d: 9, kind: 'bilinear', real: 3 },
    // d scale's first pass in 4 chunks of 103 rows (4,096 / d), the last one short.
    { B: 37, N: 11, K: 3, d: 40, kind: 'dot', real: 9 },
  ];
  for (const c of cases) {
    it(`${c.kind}: B ${c.B}, N ${c.N} (${c.real} real), K ${c.K}, d ${c.d}`, async () => {
      const p = new Params('scorerTest', 5);
      const rates = Array.from({ length: c.K }, (_, k) => 0.05 + 0.2 * k);
      const scorer = new MatchingScorer(p, c.kind, rates, c.d);
      // Learned-looking parameters: scales of both signs, W off the identity.
      scorer.scale.assign(normal([c.K], 3, 1.5));
      if (scorer.bilinear) scorer.bilinear.assign(tf.tidy(() => tf.add(scorer.bilinear!, normal(scorer.bilinear!.shape, 4, 0.3))));
      const z = tf.variable(normal([c.B, c.K, c.d], 1), true);
      const pad = tf.tidy(() => tf.less(tf.range(0, c.N).reshape([1, c.N, 1, 1]), c.real).cast('float32'));
      const r = tf.variable(tf.tidy(() => tf.mul(normal([c.B, c.N, c.K, c.d], 2), pad)), true);
      try {
        const fused = await run(scorer, z, r, true);
        const plain = await run(scorer, z, r, false);
        for (const [name, want] of plain) {
          const got = fused.get(name)!;
          expect(Array.from(got).every(Number.isFinite), `${name} finite`).toBe(true);
          expect(relErr(got, want), `relative error of ${name}`).toBeLessThanOrEqual(1e-4);
        }
        // Padded candidates are scored as before: r = 0 there, so the logit is the task's bias.
        const bias = await scorer.bias.data();
        const logits = fused.get('logits')!;
        for (let b = 0; b < c.B; b++)
          for (let n = c.real; n < c.N; n++) for (let k = 0; k < c.K; k++) expect(logits[(b * c.N + n) * c.K + k]).toBeCloseTo(bias[k], 6);
      } finally {
        tf.dispose([z, r, pad]);
        p.dispose();
      }
    });
  }
});
