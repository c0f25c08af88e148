// The leakage guard. A feature that ranks a label almost perfectly on its own (a copy of the label, its score,
// its text "yes"/"no"), or whose 1s all sit on a label's 1s (a later stage of the same funnel: an order column
// beside click), hands the model its own answer: training looks brilliant and the model is useless. Before
// training, every feature is checked against every label on the TRAINING rows only (the split encode() makes),
// and a flagged column is not a feature by default: inference sets it to 'ignore' and says why, with the figure.
// The user may still make it a task, or keep it as a feature (then the warning says it was kept).
import { trainingRows, type EncodeOptions } from './encode';
import type { RowGroups } from './requests';
import { nestedShare, NESTED_SHARE, onesOf } from './roles';
import { FEATURE_ROLES, groupsFor, withRole, type DatasetSchema } from './schema';
import { cellNumber, type ParsedColumn, type ParsedTable } from './table';

/** A feature that alone ranks a label with at least this AUC (either direction) is flagged. */
export const LEAK_AUC = 0.95;
/** Rows read at most (a stride over the training rows): AUCs this close are settled long before. */
const MAX_ROWS = 200_000;
/** Too few positives or negatives to judge: no AUC verdict. */
const MIN_CLASS = 5;
/** A 0/1 feature needs this many 1s before its nesting in a label means anything. */
const MIN_NESTED_ONES = 3;
/** Prior strength of the cross-fitted category rates (in rows). */
const SMOOTHING = 2;

export interface LeakWarning {
  /** The feature column. */
  column: string;
  /** The label it gives away. */
  label: string;
  /** 'ranks': its AUC alone; 'nested': its 1s sit inside the label's 1s (a funnel stage). */
  kind: 'ranks' | 'nested';
  /** The AUC (>= 0.5: the better direction) for 'ranks'; the share of its 1s that are label 1s for 'nested'. */
  figure: number;
  /** 'excluded': not a feature by default (role 'ignore'); 'kept': the schema uses it as a feature anyway. */
  action: 'excluded' | 'kept';
  /** The warning in words, naming both columns and the figure. */
  message: string;
}

/** Checks every feature of `schema` against every label on the training rows (options: the split). */
export function findLeaks(table: ParsedTable, schema: DatasetSchema, options: Partial<EncodeOptions> = {}): LeakWarning[] {
  const labels = schema.taskOrder.map((name) => {
    const spec = schema.columns.find((c) => c.name === name);
    return { name, ones: labelOnes(columnOf(table, name), spec?.threshold) };
  });
  const features = schema.columns.filter((c) => FEATURE_ROLES.includes(c.role)).map((c) => columnOf(table, c.name));
  if (labels.length === 0 || features.length === 0 || table.numRows === 0) return [];
  const groups = groupsFor(table, schema);
  const rows = sampleRows(trainingRows(table, schema, options, groups));
  const fold = foldOfRow(table.numRows, groups);
  const inSample = new Uint8Array(table.numRows);
  for (const r of rows) inSample[r] = 1;
  const warnings: LeakWarning[] = [];
  for (const col of features) {
    if (col.mode === 'list') continue;
    const valueRank = rankValues(col, rows);
    const ones = isZeroOne(col) ? onesOf(col) : null;
    for (const label of labels) {
      const y = label.ones;
      let pos = 0;
      for (const r of rows) pos += y[r];
      const enough = pos >= MIN_CLASS && rows.length - pos >= MIN_CLASS;
      let figure = 0;
      if (enough && valueRank) figure = Math.max(figure, oneWay(rankedAuc(valueRank.rank, valueRank.runs, y, rows)));
      if (enough && col.mode === 'dict') figure = Math.max(figure, oneWay(crossFittedAuc(col, y, rows, fold)));
      if (figure >= LEAK_AUC) {
        warnings.push(warning(col.name, label.name, 'ranks', figure));
        continue;
      }
      if (ones) {
        const { share, ones: n } = nestedShare(ones, y, inSample);
        if (n >= MIN_NESTED_ONES && share >= NESTED_SHARE) warnings.push(warning(col.name, label.name, 'nested', share));
      }
    }
  }
  return warnings;
}

/** The schema with every flagged feature set to 'ignore', and the warnings (action 'excluded'). */
export function guardSchema(table: ParsedTable, schema: DatasetSchema, options: Partial<EncodeOptions> = {}): { schema: DatasetSchema; warnings: LeakWarning[] } {
  const warnings = findLeaks(table, schema, options);
  let guarded = schema;
  for (const w of warnings) if (guarded.columns.find((c) => c.name === w.column)?.role !== 'ignore') guarded = withRole(guarded, w.column, 'ignore');
  return { schema: guarded, warnings };
}

/** Warnings of the guard, re-read against a schema: a flagged column that is a feature there was kept. */
export function warningsFor(warnings: readonly LeakWarning[], schema: DatasetSchema): LeakWarning[] {
  return warnings.map((w) => {
    const role = schema.columns.find((c) => c.name === w.column)?.role;
    const action = role && FEATURE_ROLES.includes(role) ? 'kept' : 'excluded';
    return action === w.action ? w : { ...w, action, message: messageOf(w.column, w.label, w.kind, w.figure, action) };
  });
}

/**
 * The guard's warnings for a schema the user chose (a schema file, or the table after edits): the inferred
 * warnings re-read against it, plus any feature it adds that gives a label away (a label turned back into a
 * feature, say). A flagged column the schema keeps as a feature is reported as kept.
 */
export function leakWarnings(table: ParsedTable, schema: DatasetSchema, inferred: readonly LeakWarning[], options: Partial<EncodeOptions> = {}): LeakWarning[] {
  const all = [...inferred, ...findLeaks(table, schema, options)];
  const seen = new Set<string>();
  const unique = all.filter((w) => {
    const key = `${w.column}\u0000${w.label}`;
    return !seen.has(key) && !!seen.add(key);
  });
  return warningsFor(unique, schema);
}

function warning(column: string, label: string, kind: LeakWarning['kind'], figure: number): LeakWarning {
  return { column, label, kind, figure: Number(figure.toFixed(4)), action: 'excluded', message: messageOf(column, label, kind, figure, 'excluded') };
}

function messageOf(column: string, label: string, kind: LeakWarning['kind'], figure: number, action: LeakWarning['action']): string {
  const what =
    kind === 'ranks'
      ? `'${column}' alone ranks the label '${label}' with AUC ${figure.toFixed(3)} on the training rows`
      : `${(figure * 100).toFixed(figure === 1 ? 0 : 1)}% of the 1s of '${column}' are 1s of the label '${label}' (a later funnel stage)`;
  return `${what}: ${action === 'excluded' ? 'not used as a feature (make it a task, or keep it as a feature if you must)' : 'kept as a feature, as the schema says'}`;
}

// ---------- pieces ----------

function columnOf(table: ParsedTable, name: string): ParsedColumn {
  const col = table.columns.find((c) => c.name === name);
  if (!col) throw new Error(`internal: no column '${name}'`);
  return col;
}

function isZeroOne(col: ParsedColumn): boolean {
  return col.mode === 'dict' && col.dict.length === 2 && col.dictNum.every((v) => v === 0 || v === 1);
}

/** A label as 1/0 per row: value 1 (or above the threshold) is a 1; anything else, missing included, a 0. */
function labelOnes(col: ParsedColumn, threshold: number | undefined): Uint8Array {
  if (threshold === undefined) return onesOf(col);
  const out = new Uint8Array(col.mode === 'dict' ? col.ids.length : col.mode === 'numeric' ? col.nums.length : col.offsets.length - 1);
  for (let r = 0; r < out.length; r++) out[r] = cellNumber(col, r) > threshold ? 1 : 0;
  return out;
}

/** Training rows, strided down to MAX_ROWS. */
function sampleRows(train: Uint8Array): Int32Array {
  let n = 0;
  for (let r = 0; r < train.length; r++) n += train[r];
  const stride = Math.max(1, Math.ceil(n / MAX_ROWS));
  const out = new Int32Array(Math.ceil(n / stride));
  let seen = 0;
  let k = 0;
  for (let r = 0; r < train.length; r++) {
    if (!train[r]) continue;
    if (seen++ % stride === 0) out[k++] = r;
  }
  return out.subarray(0, k);
}

/** Two folds by request (rows of one request share a fold), for cross-fitted category rates. */
function foldOfRow(numRows: number, groups: RowGroups): Uint8Array {
  const fold = new Uint8Array(numRows);
  for (let g = 0; g + 1 < groups.starts.length; g++) for (let i = groups.starts[g]; i < groups.starts[g + 1]; i++) fold[groups.order[i]] = g & 1;
  return fold;
}

/** A numeric column's rank per row (equal values share a rank; missing ranks lowest), or null for text. */
function rankValues(col: ParsedColumn, rows: Int32Array): { rank: Int32Array; runs: number } | null {
  const n = col.mode === 'dict' ? col.ids.length : col.nums.length;
  const rank = new Int32Array(n);
  if (col.mode === 'dict') {
    if (col.nonNumericTokens > 0) return null;
    const order = Int32Array.from(col.dict.keys()).sort((a, b) => col.dictNum[a] - col.dictNum[b]);
    const rankOfId = new Int32Array(col.dict.length);
    let runs = 1; // rank 0: missing
    for (let i = 0; i < order.length; i++) {
      if (i > 0 && col.dictNum[order[i]] !== col.dictNum[order[i - 1]]) runs++;
      rankOfId[order[i]] = runs;
    }
    for (const r of rows) rank[r] = col.ids[r] < 0 ? 0 : rankOfId[col.ids[r]];
    return { rank, runs: runs + 1 };
  }
  // numeric mode: sort the sampled rows once; missing values rank lowest.
  const key = (r: number) => (Number.isNaN(col.nums[r]) ? -Number.MAX_VALUE : col.nums[r]);
  const order = Int32Array.from(rows).sort((a, b) => key(a) - key(b));
  let runs = 0;
  for (let i = 0; i < order.length; i++) {
    if (i === 0 || key(order[i]) !== key(order[i - 1])) runs++;
    rank[order[i]] = runs - 1;
  }
  return { rank, runs: Math.max(runs, 1) };
}

/** AUC of a score given as a rank per row (ties share a rank), over `rows`. */
function rankedAuc(rank: Int32Array, runs: number, y: Uint8Array, rows: Int32Array): number {
  const pos = new Float64Array(runs);
  const neg = new Float64Array(runs);
  for (const r of rows) (y[r] ? pos : neg)[rank[r]]++;
  return aucOfRuns(pos, neg);
}

/** AUC from counts per score level, levels in increasing score order (ties within a level count one half). */
function aucOfRuns(pos: Float64Array, neg: Float64Array): number {
  let below = 0;
  let u = 0;
  let P = 0;
  for (let k = 0; k < pos.length; k++) {
    u += pos[k] * (below + neg[k] / 2);
    below += neg[k];
    P += pos[k];
  }
  return P === 0 || below === 0 ? NaN : u / (P * below);
}

/**
 * A text or code column's AUC through its category rates, cross-fitted: each row is scored by its category's
 * positive rate in the OTHER fold (smoothed toward the overall rate), so a column with a value per row (an id)
 * scores no better than chance, while a column that spells out the label scores ~1.
 */
function crossFittedAuc(col: ParsedColumn, y: Uint8Array, rows: Int32Array, fold: Uint8Array): number {
  const D = col.dict.length + 1; // + missing
  const n = new Float64Array(2 * D);
  const p = new Float64Array(2 * D);
  let total = 0;
  for (const r of rows) {
    const cell = (col.ids[r] + 1) * 2 + fold[r];
    n[cell]++;
    p[cell] += y[r];
    total += y[r];
  }
  const prior = total / rows.length;
  // Score of a (category, fold) cell: the category's rate in the other fold.
  const score = new Float64Array(2 * D);
  for (let c = 0; c < 2 * D; c++) {
    const other = c ^ 1;
    score[c] = (p[other] + SMOOTHING * prior) / (n[other] + SMOOTHING);
  }
  const neg = new Float64Array(2 * D);
  for (let c = 0; c < 2 * D; c++) neg[c] = n[c] - p[c];
  const order = Int32Array.from({ length: 2 * D }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  // Merge cells with equal scores into one level, so ties count one half.
  const lp: number[] = [];
  const ln: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const c = order[i];
    if (i > 0 && score[c] === score[order[i - 1]]) {
      lp[lp.length - 1] += p[c];
      ln[ln.length - 1] += neg[c];
    } else {
      lp.push(p[c]);
      ln.push(neg[c]);
    }
  }
  return aucOfRuns(Float64Array.from(lp), Float64Array.from(ln));
}

/** Either direction: a feature that ranks the label backwards gives it away just as well. */
function oneWay(a: number): number {
  return Number.isNaN(a) ? 0 : Math.max(a, 1 - a);
}
