// The architecture view's logic, pure: which token sequence a config builds and, for each row of the attention
// mask, what that token may read, in words. Drawn from the config (and the dataset's task and context names),
// so changing K, N, H or an ablation switch redraws it without a trained model.
import type { Config } from '../../engine/config';
import type { DatasetSchema } from '../../engine/data/schema';
import { shopSchema } from '../../engine/data/synthetic';
import type { DatasetMeta } from '../../engine/data/types';
import { attentionMask, tokenLayout, type TokenLayout } from '../../engine/model/mask';
import { resolveSwitches } from '../../engine/model/switches';

export interface SketchSpec {
  tasks: string[];
  /** Context features in the model's order (the user id first when the data has one). */
  contextFeatures: string[];
  /** Candidate features (the item id first when the data has one); shown in words, one token per candidate. */
  candidateFeatures?: string[];
  /** Whether the data has a history (a sequence column and item ids to embed it with); default yes. */
  hasHistory?: boolean;
}

/**
 * What a dataset's schema makes of its columns, in the encoder's order (data/encode.ts): the user id is a
 * context feature, then categorical, numeric and multi-valued features per side.
 */
export function specOfSchema(schema: DatasetSchema, tasks: string[] = schema.taskOrder): SketchSpec {
  const col = (role: string) => schema.columns.find((c) => c.role === role)?.name;
  const side = (s: 'context' | 'candidate') =>
    (['categorical', 'numeric', 'multi'] as const).flatMap((role) => schema.columns.filter((c) => c.role === role && (c.side ?? 'context') === s).map((c) => c.name));
  const user = col('user');
  const item = col('item');
  return {
    tasks,
    contextFeatures: [...(user ? [user] : []), ...side('context')],
    candidateFeatures: [...(item ? [item] : []), ...side('candidate')],
    hasHistory: col('sequence') !== undefined,
  };
}

/** The shop world's tasks and features: what the sketch shows when no run is selected. */
export const SHOP_SPEC: SketchSpec = specOfSchema(shopSchema());
export const SHOP_TASKS = SHOP_SPEC.tasks;
export const SHOP_CONTEXT = SHOP_SPEC.contextFeatures;

/**
 * The DatasetMeta a dataset with these tasks and context features would have under this config (H and N from
 * the config). Only the fields tokenLayout reads matter; building it lets the sketch reuse the model's own
 * layout code instead of a second copy of it.
 */
export function sketchMeta(cfg: Config, spec: SketchSpec): DatasetMeta {
  return {
    name: 'sketch',
    tasks: spec.tasks,
    features: {
      ctxCat: spec.contextFeatures.map((name) => ({ name, kind: 'categorical', side: 'context', vocabSize: 2 })),
      ctxNum: [],
      ctxMulti: [],
      candCat: [],
      candNum: [],
      candMulti: [],
    },
    itemVocabSize: cfg.historyLen > 0 && spec.hasHistory !== false ? 2 : 0,
    historyLen: cfg.historyLen,
    maxCandidates: cfg.maxCandidates,
    multiLen: cfg.multiLen,
    positiveRate: spec.tasks.map(() => 0.5),
  };
}

export interface Architecture {
  layout: TokenLayout;
  /** [T][T] 0/1, row = query. */
  mask: number[][];
  maskKind: 'structured' | 'bidirectional';
}

export function architectureOf(cfg: Config, spec: SketchSpec): Architecture {
  const meta = sketchMeta(cfg, spec);
  const layout = tokenLayout(meta, cfg);
  // The baselines always use the structured mask (their groups are just c_i); V6 only changes OneRank.
  const maskKind = cfg.model === 'onerank' ? resolveSwitches(cfg, meta).attentionMask : 'structured';
  return { layout, mask: attentionMask(layout, maskKind), maskKind };
}

/** Where a token sits, for sentences: 'cand 3', 'task: order of cand 3', 'hist 5', 'the context summary'. */
export function tokenName(layout: TokenLayout, q: number): string {
  const t = layout.tokens[q];
  if (t.kind === 'task') return `${t.label} (group of cand ${t.group + 1})`;
  if (t.kind === 'ctx') return `the situation token (${t.label.replace(/^ctx: /, '')})`;
  return t.label;
}

export interface RowReading {
  /** Phrases for what the row may read, 'itself' last. */
  reads: string[];
  /** Phrases for what it may not read (empty = it reads everything). */
  blocked: string[];
  sentence: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What row q of `mask` lets that token read, summarized by region (context, its own candidate, its own group's
 * task tokens, other groups), so the structured mask and V6 read differently in plain words.
 */
export function describeRow(layout: TokenLayout, mask: number[][], q: number): RowReading {
  const me = layout.tokens[q];
  const row = mask[q];
  const reads: string[] = [];
  const blocked: string[] = [];

  // Context: all, a causal prefix, or none.
  const ctxCols = Array.from({ length: layout.numCtx }, (_, k) => k).filter((k) => k !== q);
  const ctxRead = ctxCols.filter((k) => row[k] === 1);
  if (ctxCols.length > 0) {
    const missing = ctxCols.length - ctxRead.length;
    const causal = ctxCols.every((k) => (row[k] === 1) === k < q);
    if (missing === 0) reads.push(me.group < 0 ? `every other context token (${ctxCols.length})` : `all ${plural(layout.numCtx, 'context token')}`);
    else if (causal) {
      if (ctxRead.length > 0) reads.push(`the ${plural(ctxRead.length, 'context token')} before it (causal)`);
      blocked.push(`the ${plural(missing, 'later context token')}`);
    } else if (ctxRead.length === 0) blocked.push('the context');
    else {
      reads.push(`${ctxRead.length} of ${ctxCols.length} context tokens`);
      blocked.push(`${plural(missing, 'other context token')}`);
    }
  }

  // Its own group (for candidate and task rows): its candidate token and its group's task tokens.
  if (me.group >= 0) {
    const own = layout.tokens.map((t, k) => ({ t, k })).filter(({ t, k }) => t.group === me.group && k !== q);
    const ownCand = own.filter(({ t }) => t.kind === 'cand');
    const ownTasks = own.filter(({ t }) => t.kind === 'task');
    for (const { k } of ownCand) (row[k] ? reads : blocked).push(`its candidate (cand ${me.group + 1})`);
    if (ownTasks.length > 0) {
      const n = ownTasks.filter(({ k }) => row[k] === 1).length;
      const what = me.kind === 'cand' ? 'its own task tokens' : 'the other task tokens of its group';
      if (n === ownTasks.length) reads.push(what);
      else if (n === 0) blocked.push(me.kind === 'cand' ? `${what} (else task k would read task j through it from layer 2 on)` : `${what} (mutual invisibility)`);
      else reads.push(`${n} of ${what}`);
    }
  }

  // Other groups (for context rows: every group).
  const others = layout.tokens.map((t, k) => ({ t, k })).filter(({ t, k }) => t.group >= 0 && t.group !== me.group && k !== q);
  if (others.length > 0) {
    const n = others.filter(({ k }) => row[k] === 1).length;
    const what = me.group < 0 ? 'candidates and task tokens' : 'other candidates\u2019 groups';
    if (n === others.length) reads.push(me.group < 0 ? `every candidate and task token` : `every other candidate group`);
    else if (n === 0) blocked.push(what);
    else reads.push(`${n} of ${others.length} tokens in ${what}`);
  }
  reads.push('itself');

  const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
  const sentence =
    `${capitalize(tokenName(layout, q))} may read ${list(reads)}.` + (blocked.length ? ` It may not read ${list(blocked)}.` : ' Nothing is hidden from it.');
  return { reads, blocked, sentence };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Token counts by region, for the layout strip's legend. */
export function layoutSummary(layout: TokenLayout): string {
  const parts = [`${plural(layout.numSD, 'situation token')}`];
  if (layout.historyLen > 0) parts.push(`${plural(layout.historyLen, 'history token')}`);
  const group = layout.taskSlots > 0 ? `1 candidate + ${plural(layout.taskSlots, 'task token')}` : '1 candidate token';
  parts.push(`${plural(layout.numGroups, 'group')} of [${group}]`);
  return `T = ${layout.T}: ${parts.join(', ')}`;
}
