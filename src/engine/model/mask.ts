// Who reads whom: the token layout and the attention masks of ONERANK.md sections 2 and 4, as PURE functions
// over number[][] (row = query, column = key, 1 = may attend). No TF here: the model turns these into tensors
// once, and the UI draws them.
import { parseMatrix, type Config, type CrossTaskMaskPreset } from '../config';
import type { DatasetMeta } from '../data/types';
import { resolveSwitches } from './switches';

export type TokenKind = 'ctx' | 'hist' | 'cand' | 'task';

export interface TokenInfo {
  kind: TokenKind;
  /** Axis label: 'ctx: <features>', 'hist 3', 'cand 2', 'task: <name>'. */
  label: string;
  /** Candidate group i (0-based) for 'cand' and 'task' tokens; -1 for context tokens. */
  group: number;
  /** Task slot (0-based) for 'task' tokens; -1 otherwise. */
  task: number;
}

/**
 * X = [ SD tokens | history | G_1 .. G_N ], G_i = [c_i, t_1 .. t_Kt] (ONERANK.md section 1).
 * Kt = K task tokens, 1 when they are shared (V2/V3), 0 for the baselines (each group is just c_i).
 */
export interface TokenLayout {
  tokens: TokenInfo[];
  numSD: number;
  historyLen: number;
  /** Context tokens = numSD + historyLen; they come first. */
  numCtx: number;
  numGroups: number;
  taskSlots: number;
  /** 1 + taskSlots. */
  groupSize: number;
  /** Sequence length. */
  T: number;
}

export interface LayoutSpec {
  sdLabels: string[];
  historyLen: number;
  numGroups: number;
  /** One name per task slot (empty for the baselines). */
  taskNames: string[];
}

export function makeLayout(spec: LayoutSpec): TokenLayout {
  const tokens: TokenInfo[] = [];
  for (const label of spec.sdLabels) tokens.push({ kind: 'ctx', label, group: -1, task: -1 });
  for (let p = 0; p < spec.historyLen; p++) tokens.push({ kind: 'hist', label: `hist ${p + 1}`, group: -1, task: -1 });
  for (let i = 0; i < spec.numGroups; i++) {
    tokens.push({ kind: 'cand', label: `cand ${i + 1}`, group: i, task: -1 });
    spec.taskNames.forEach((name, k) => tokens.push({ kind: 'task', label: `task: ${name}`, group: i, task: k }));
  }
  const numCtx = spec.sdLabels.length + spec.historyLen;
  return {
    tokens,
    numSD: spec.sdLabels.length,
    historyLen: spec.historyLen,
    numCtx,
    numGroups: spec.numGroups,
    taskSlots: spec.taskNames.length,
    groupSize: 1 + spec.taskNames.length,
    T: tokens.length,
  };
}

/** History tokens exist only when the data has both a history and item ids to embed it with. */
export function effectiveHistoryLen(meta: DatasetMeta): number {
  return meta.itemVocabSize > 0 ? meta.historyLen : 0;
}

/** The sequence a model of this config builds for this dataset (one SD token summarizing every context feature). */
export function tokenLayout(meta: DatasetMeta, cfg: Config): TokenLayout {
  const f = meta.features;
  const ctxNames = [...f.ctxCat, ...f.ctxNum, ...f.ctxMulti].map((s) => s.name);
  let taskNames: string[] = [];
  if (cfg.model === 'onerank') {
    taskNames = resolveSwitches(cfg).taskTokens === 'shared' ? ['shared'] : meta.tasks;
  }
  return makeLayout({
    sdLabels: [`ctx: ${ctxNames.length ? ctxNames.join(', ') : 'SD'}`],
    historyLen: effectiveHistoryLen(meta),
    numGroups: meta.maxCandidates,
    taskNames,
  });
}

/**
 * Section 2's table. Context: causal. c_i: all context + itself (NOT its own task tokens, or from layer 2 on task
 * k would read task j through c_i). t_k of group i: all context + c_i + itself (task tokens are mutually invisible).
 * Groups never see each other; context never reads a group.
 */
export function structuredMask(layout: TokenLayout): number[][] {
  const { tokens, numCtx } = layout;
  return tokens.map((q, qi) =>
    tokens.map((k, ki) => {
      if (ki === qi) return 1;
      if (q.kind === 'ctx' || q.kind === 'hist') return ki < numCtx && ki <= qi ? 1 : 0;
      if (ki < numCtx) return 1;
      return q.kind === 'task' && k.kind === 'cand' && k.group === q.group ? 1 : 0;
    }),
  );
}

/** V6: every token reads every token (padding is still removed per batch row by applyKeyPadding). */
export function bidirectionalMask(layout: TokenLayout): number[][] {
  return layout.tokens.map(() => layout.tokens.map(() => 1));
}

export function attentionMask(layout: TokenLayout, kind: 'structured' | 'bidirectional'): number[][] {
  return kind === 'structured' ? structuredMask(layout) : bidirectionalMask(layout);
}

/**
 * Which keys are real in one batch row: SD tokens always; history slot p when its item id is non-zero; every
 * token of group i when candidate i is real. `history` is that row's [H] ids, `candMask` its [N] 0/1.
 */
export function keyRealOf(layout: TokenLayout, history: ArrayLike<number>, candMask: ArrayLike<number>): number[] {
  return layout.tokens.map((t, ti) => {
    if (t.kind === 'ctx') return 1;
    if (t.kind === 'hist') return history[ti - layout.numSD] !== 0 ? 1 : 0;
    return candMask[t.group] !== 0 ? 1 : 0;
  });
}

/** Removes padded keys from a mask; a query always keeps itself, so no softmax row is ever fully masked. */
export function applyKeyPadding(mask: number[][], keyReal: number[]): number[][] {
  return mask.map((row, q) => row.map((m, k) => (k === q ? 1 : m * keyReal[k])));
}

/** Section 4's K x K cross-task mask A (row = reading task k, column = read task j); diagonal always on. */
export function taskMask(preset: CrossTaskMaskPreset, K: number, custom = ''): number[][] {
  const custom01 = preset === 'custom' ? parseMatrix(custom, K, 'customTaskMask') : null;
  return square(K, (k, j) => {
    if (k === j) return 1;
    switch (preset) {
      case 'parallel':
        return 0;
      case 'full':
        return 1;
      case 'cascade':
        return j <= k ? 1 : 0;
      case 'custom':
        // An empty custom matrix means "no edges yet" (the UI may pick the preset before typing it).
        return custom01 ? (custom01[k][j] ? 1 : 0) : 0;
    }
  });
}

/**
 * Section 5's per-edge detachment D (1 = when task k reads task j, h_j enters the key/value projections as a
 * stop-gradient copy). detachEdges overrides `detach` edge by edge; the diagonal is never detached.
 */
export function detachMatrix(detach: boolean, detachEdges: string, K: number): number[][] {
  const edges = parseMatrix(detachEdges, K, 'detachEdges');
  return square(K, (k, j) => (k === j ? 0 : edges ? (edges[k][j] ? 1 : 0) : detach ? 1 : 0));
}

function square(K: number, f: (k: number, j: number) => number): number[][] {
  return Array.from({ length: K }, (_, k) => Array.from({ length: K }, (_, j) => f(k, j)));
}
