import type { Scalar } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Ablation, Config, ModelKind } from '../../src/engine/config';
import { batchToTensors, buildModel, disposeBatch, stableName } from '../../src/engine/model';
import { useBackend as selectBackend } from './helpers/backend';
import { randomBatch, tinyConfig, tinyMeta, type TinyMetaOptions } from './helpers/tinyMeta';

const tf = await selectBackend('cpu');

const METAS: [string, TinyMetaOptions][] = [
  ['full', {}],
  ['no history', { historyLen: 0 }],
  ['no item ids', { itemVocabSize: 0, historyLen: 0 }],
  ['N = 1', { maxCandidates: 1 }],
  ['no features at all', { ctxCat: 0, ctxNum: 0, ctxMulti: 0, candCat: 0, candNum: 0, candMulti: 0 }],
  ['one task', { tasks: 1 }],
];
const KINDS: ModelKind[] = ['onerank', 'sharedbottom', 'mmoe', 'ple'];
const ABLATIONS: Ablation[] = ['none', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

async function logitsOf(cfg: Config, metaOpts: TinyMetaOptions, B = 3, capture = false) {
  const meta = tinyMeta(metaOpts);
  const model = buildModel(cfg.model === 'onerank' ? { ...tinyConfig(meta), ...cfg } : cfg, meta);
  const bt = batchToTensors(randomBatch(meta, B, { minCandidates: 1 }), meta);
  const out = model.forward(bt, { training: false, capture });
  const values = await out.logits.array();
  const shape = out.logits.shape;
  out.logits.dispose();
  disposeBatch(bt);
  return { model, meta, values, shape, out };
}

describe('every model kind and ablation builds and gives finite [B, N, K] logits', () => {
  for (const [name, metaOpts] of METAS) {
    for (const kind of KINDS) {
      const ablations = kind === 'onerank' ? ABLATIONS : (['none'] as Ablation[]);
      for (const ablation of ablations) {
        it(`${kind} ${ablation} on ${name}`, async () => {
          const meta = tinyMeta(metaOpts);
          const cfg = tinyConfig(meta, { model: kind, ablation, scorer: ablation === 'V4' ? 'bilinear' : 'dot' });
          const { model, values, shape } = await logitsOf(cfg, metaOpts);
          expect(shape).toEqual([3, meta.maxCandidates, meta.tasks.length]);
          expect(values.flat(2).every(Number.isFinite)).toBe(true);
          model.dispose();
        });
      }
    }
  }
});

describe('capture', () => {
  it('returns trunk maps [B, T, T] per layer and head, candidate and cross-task maps, labels and masks', async () => {
    const meta = tinyMeta();
    const cfg = tinyConfig(meta, { layers: 2 });
    const model = buildModel(cfg, meta);
    const bt = batchToTensors(randomBatch(meta, 2, { minCandidates: 1 }), meta);
    const before = tf.memory().numTensors;
    const { logits, attention } = model.forward(bt, { training: false, capture: true });
    const T = 1 + meta.historyLen + meta.maxCandidates * (1 + meta.tasks.length);
    expect(attention!.tokens).toHaveLength(T);
    expect(attention!.tokens[0]).toBe('ctx: user0, user1, age0, tags0');
    expect(attention!.tokens.slice(1 + meta.historyLen, 1 + meta.historyLen + 4)).toEqual(['cand 1', 'task: click', 'task: cart', 'task: order']);
    expect(attention!.mask).toHaveLength(T);
    expect(attention!.trunk).toHaveLength(2);
    expect(attention!.trunk[0]).toHaveLength(cfg.heads);
    expect(attention!.trunk[1][1].shape).toEqual([2, T, T]);
    // Rows are distributions and masked keys get exactly zero weight.
    const map = (await attention!.trunk[0][0].array())[0];
    for (let q = 0; q < T; q++) {
      expect(map[q].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (let k = 0; k < T; k++) if (!attention!.mask[q][k]) expect(map[q][k]).toBe(0);
    }
    expect(attention!.candidate).toHaveLength(meta.tasks.length);
    expect(attention!.candidate![0].shape).toEqual([2, cfg.heads, meta.maxCandidates]);
    expect(attention!.crossTask!.shape).toEqual([2, cfg.heads, 3, 3]);
    expect(attention!.taskMask).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    // Everything returned is owned by the caller: disposing it brings the tensor count back.
    const owned = [logits, ...attention!.trunk.flat(), ...attention!.candidate!, attention!.crossTask!];
    expect(tf.memory().numTensors - before).toBe(owned.length);
    owned.forEach((t) => t.dispose());
    disposeBatch(bt);
    model.dispose();
  });
});

describe('seeded initialization', () => {
  it('two builds with one seed have identical weights, another seed differs', async () => {
    const meta = tinyMeta();
    for (const kind of KINDS) {
      const a = buildModel(tinyConfig(meta, { model: kind, seed: 7 }), meta);
      const b = buildModel(tinyConfig(meta, { model: kind, seed: 7 }), meta);
      const c = buildModel(tinyConfig(meta, { model: kind, seed: 8 }), meta);
      expect(a.variables.map(stableName)).toEqual(b.variables.map(stableName));
      expect(new Set(a.variables.map(stableName)).size).toBe(a.variables.length);
      let differs = false;
      for (let i = 0; i < a.variables.length; i++) {
        const va = await a.variables[i].data();
        expect(Array.from(await b.variables[i].data())).toEqual(Array.from(va));
        if (Array.from(await c.variables[i].data()).some((x, j) => x !== va[j])) differs = true;
      }
      expect(differs).toBe(true);
      // trunkVariables are the tokenizer and trunk, a strict subset in the same order.
      const names = a.trunkVariables.map(stableName);
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((n) => n.startsWith('tokenizer/') || n.startsWith('trunk/'))).toBe(true);
      expect(a.variables.filter((v) => a.trunkVariables.includes(v))).toEqual(a.trunkVariables);
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it('leaks no tensors across forward passes and frees everything on dispose', async () => {
    const meta = tinyMeta();
    const start = tf.memory().numTensors;
    const model = buildModel(tinyConfig(meta, { dropout: 0.1 }), meta);
    const bt = batchToTensors(randomBatch(meta, 2), meta);
    const afterBuild = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const g = tf.variableGrads(() => tf.sum(model.forward(bt, { training: true }).logits) as Scalar);
      tf.dispose([g.value, ...Object.values(g.grads)]);
      expect(tf.memory().numTensors).toBe(afterBuild);
    }
    disposeBatch(bt);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('webgpu (Dawn in Node)', () => {
  it('a tiny OneRank forward matches cpu', async () => {
    const meta = tinyMeta();
    const batch = randomBatch(meta, 2, { minCandidates: 1 });
    const run = async (backend: 'cpu' | 'webgpu') => {
      const t = await selectBackend(backend);
      const model = buildModel(tinyConfig(meta, { ablation: 'none' }), meta);
      const bt = batchToTensors(batch, meta);
      const logits = model.forward(bt, { training: false }).logits;
      const values = Array.from(await logits.data());
      logits.dispose();
      disposeBatch(bt);
      model.dispose();
      expect(t.getBackend()).toBe(backend);
      return values;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    await selectBackend('cpu');
    expect(gpu).toHaveLength(cpu.length);
    const maxDiff = Math.max(...cpu.map((v, i) => Math.abs(v - gpu[i])));
    expect(maxDiff).toBeLessThan(1e-3);
  });
});
