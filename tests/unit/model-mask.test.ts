import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG } from '../../src/engine/config';
import {
  applyKeyPadding,
  bidirectionalMask,
  detachMatrix,
  keyRealOf,
  makeLayout,
  resolveSwitches,
  structuredMask,
  taskMask,
  tokenLayout,
} from '../../src/engine/model';
import { tinyConfig, tinyMeta } from './helpers/tinyMeta';

// 3 context tokens (SD + 2 history), N = 2 candidate groups, K = 3 tasks: T = 3 + 2 * 4 = 11.
const layout = makeLayout({ sdLabels: ['ctx: user'], historyLen: 2, numGroups: 2, taskNames: ['click', 'cart', 'order'] });

describe('structured mask (ONERANK.md section 2)', () => {
  it('lays out [SD | history | c_1 t_1..t_3 | c_2 t_1..t_3] with readable labels', () => {
    expect(layout.T).toBe(11);
    expect(layout.numCtx).toBe(3);
    expect(layout.tokens.map((t) => t.label)).toEqual([
      'ctx: user', 'hist 1', 'hist 2',
      'cand 1', 'task: click', 'task: cart', 'task: order',
      'cand 2', 'task: click', 'task: cart', 'task: order',
    ]);
    expect(layout.tokens.map((t) => t.group)).toEqual([-1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("equals the paper's table, written out", () => {
    // columns:  ctx h1 h2 | c1 t1 t2 t3 | c2 t1 t2 t3
    const expected = [
      [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // ctx: causal
      [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], // hist 1
      [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], // hist 2
      [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], // c_1: context + itself, NOT its task tokens
      [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], // t_click of group 1: context, c_1, itself
      [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0], // t_cart
      [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0], // t_order
      [1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0], // c_2: cannot see group 1
      [1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0],
      [1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0],
      [1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1],
    ];
    expect(structuredMask(layout)).toEqual(expected);
  });

  it('c_i never sees its own task tokens; context never reads a group', () => {
    const m = structuredMask(layout);
    for (const [ci, tks] of [[3, [4, 5, 6]], [7, [8, 9, 10]]] as const) for (const t of tks) expect(m[ci][t]).toBe(0);
    for (let q = 0; q < 3; q++) for (let k = 3; k < 11; k++) expect(m[q][k]).toBe(0);
  });

  it('padding: padded history and padded groups become masked keys, but every query keeps itself', () => {
    // history [pad, item 5]; candidate 2 is padding.
    const real = keyRealOf(layout, [0, 5], [1, 0]);
    expect(real).toEqual([1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const padded = applyKeyPadding(structuredMask(layout), real);
    expect(padded[2]).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]); // hist 2 no longer reads the padded hist 1
    expect(padded[1]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // a padded query still sees itself
    expect(padded[8]).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0]); // padded group: c_2 masked, itself kept
    for (const row of padded) expect(row.some((x) => x === 1)).toBe(true);
  });

  it('V6: full bidirectional over all tokens, padding still removed', () => {
    const full = bidirectionalMask(layout);
    expect(full.flat().every((x) => x === 1)).toBe(true);
    const padded = applyKeyPadding(full, keyRealOf(layout, [0, 5], [1, 0]));
    expect(padded[4]).toEqual([1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(padded[7]).toEqual([1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('tokenLayout follows the config: shared task token for V2/V3, none for the baselines, no history without item ids', () => {
    const meta = tinyMeta({ historyLen: 2, maxCandidates: 2 });
    const cfg = tinyConfig(meta);
    expect(tokenLayout(meta, cfg).T).toBe(1 + 2 + 2 * 4);
    expect(tokenLayout(meta, cfg).tokens[0].label).toBe('ctx: user0, user1, age0, tags0');
    const v2 = tokenLayout(meta, { ...cfg, ablation: 'V3' });
    expect(v2.taskSlots).toBe(1);
    expect(v2.tokens.map((t) => t.label).slice(3, 5)).toEqual(['cand 1', 'task: shared']);
    expect(tokenLayout(meta, { ...cfg, model: 'mmoe' }).T).toBe(1 + 2 + 2);
    expect(tokenLayout(tinyMeta({ itemVocabSize: 0, historyLen: 2 }), cfg).historyLen).toBe(0);
    expect(tokenLayout(tinyMeta({ ctxCat: 0, ctxNum: 0, ctxMulti: 0 }), cfg).tokens[0].label).toBe('ctx: SD');
  });
});

describe('cross-task mask A (section 4)', () => {
  it('parallel, full, cascade', () => {
    expect(taskMask('parallel', 3)).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(taskMask('full', 3)).toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    // cascade: task k reads j <= k (order reads cart reads click).
    expect(taskMask('cascade', 3)).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
  });

  it('custom, with the diagonal forced on; empty = no edges; wrong shape throws', () => {
    expect(taskMask('custom', 3, '010;001;100')).toEqual([[1, 1, 0], [0, 1, 1], [1, 0, 1]]);
    expect(taskMask('custom', 3, '')).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(() => taskMask('custom', 3, '01;10')).toThrow(ConfigError);
  });
});

describe('detachment matrix D (section 5)', () => {
  it('follows cfg.detach, per-edge overrides win, and the diagonal is never detached', () => {
    expect(detachMatrix(true, '', 3)).toEqual([[0, 1, 1], [1, 0, 1], [1, 1, 0]]);
    expect(detachMatrix(false, '', 3)).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(detachMatrix(false, '000;100;110', 3)).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    expect(detachMatrix(true, '111;111;111', 3)).toEqual([[0, 1, 1], [1, 0, 1], [1, 1, 0]]);
    expect(() => detachMatrix(true, '1;1', 3)).toThrow(ConfigError);
  });
});

describe('resolveSwitches: the ablations in one place', () => {
  const cfg = { ...DEFAULT_CONFIG, detachEdges: '010;001;100' };
  it('maps V1..V6 as ONERANK.md says', () => {
    const full = resolveSwitches(cfg);
    expect(full).toMatchObject({ taskTokens: 'perTask', crossTaskAttention: true, detach: true, candidateContext: true, attentionMask: 'structured' });
    expect(resolveSwitches({ ...cfg, ablation: 'V1' }).taskTokens).toBe('projection');
    expect(resolveSwitches({ ...cfg, ablation: 'V2' })).toMatchObject({ taskTokens: 'shared', crossTaskAttention: true });
    expect(resolveSwitches({ ...cfg, ablation: 'V3' })).toMatchObject({ taskTokens: 'shared', crossTaskAttention: false });
    expect(resolveSwitches({ ...cfg, ablation: 'V4' })).toMatchObject({ detach: false, detachEdges: '' });
    expect(resolveSwitches({ ...cfg, ablation: 'V5' }).candidateContext).toBe(false);
    expect(resolveSwitches({ ...cfg, ablation: 'V6' }).attentionMask).toBe('bidirectional');
  });
  it('N = 1 or the config switch fall back to the mean', () => {
    expect(resolveSwitches(cfg, { maxCandidates: 1 }).candidateContext).toBe(false);
    expect(resolveSwitches(cfg, { maxCandidates: 4 }).candidateContext).toBe(true);
    expect(resolveSwitches({ ...cfg, candidateContext: false }).candidateContext).toBe(false);
  });
});
