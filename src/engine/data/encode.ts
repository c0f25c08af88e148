// ParsedTable + DatasetSchema -> EncodedDataset: requests, splits, vocabularies, standardization, and the
// flat request-major arrays the model reads (see types.ts for shapes and id conventions).
import { DEFAULT_CONFIG, type Config } from '../config';
import { DataError } from './errors';
import { mulberry32, shuffleInPlace } from './rng';
import { chunkGroups, numGroups, type RowGroups } from './requests';
import { groupsFor, validateSchema, type DatasetSchema, type SchemaColumn } from './schema';
import { cellKeys, cellNumber, type ParsedColumn, type ParsedTable } from './table';
import type { DatasetMeta, EncodedDataset, FeatureGroups, FeatureKind, FeatureSide, FeatureSpec } from './types';
import { idsForDict, makeVocabulary, OOV_ID, TokenCounter, vocabularyOf, type Vocabulary } from './vocab';

export type EncodeOptions = Pick<Config, 'historyLen' | 'maxCandidates' | 'multiLen' | 'valFraction' | 'split' | 'seed'> & {
  /** Tokens seen fewer times than this in the training split map to OOV. */
  minCount: number;
  /** Dataset name (defaults to the table's name). */
  name?: string;
};

export const DEFAULT_ENCODE_OPTIONS: Readonly<EncodeOptions> = Object.freeze({
  historyLen: DEFAULT_CONFIG.historyLen,
  maxCandidates: DEFAULT_CONFIG.maxCandidates,
  multiLen: DEFAULT_CONFIG.multiLen,
  valFraction: DEFAULT_CONFIG.valFraction,
  split: DEFAULT_CONFIG.split,
  seed: DEFAULT_CONFIG.seed,
  minCount: 1,
});

/** The encoding knobs of a Config (the rest of the config does not touch the data). */
export function encodeOptionsFrom(cfg: Partial<Config> & { minCount?: number; name?: string } = {}): EncodeOptions {
  const o: EncodeOptions = { ...DEFAULT_ENCODE_OPTIONS };
  for (const k of ['historyLen', 'maxCandidates', 'multiLen', 'valFraction', 'split', 'seed', 'minCount', 'name'] as const) {
    if (cfg[k] !== undefined) (o as Record<string, unknown>)[k] = cfg[k];
  }
  return o;
}

/** One feature column on its way into the arrays. */
interface FeatureColumn {
  spec: FeatureSpec;
  col: ParsedColumn;
  /** categorical/multi: file token id -> vocabulary id. */
  toId?: Int32Array;
  /** categorical: per-row file token id. */
  keys?: Int32Array;
}

export function encode(table: ParsedTable, schemaIn: DatasetSchema, options: Partial<EncodeOptions> = {}): EncodedDataset {
  return encodeTable(table, schemaIn, { ...DEFAULT_ENCODE_OPTIONS, ...options }, null);
}

/**
 * Encodes a second file (a held-out test file) exactly as the training file's rows were encoded: the training
 * dataset's vocabularies (unseen values -> OOV), its numeric mean/std (missing -> 0), and its shapes H, N, M.
 * The result's meta (tasks, features, item vocabulary, positive rates) is the training one's, so a model built
 * for the training data reads it as is. Its own train/val split follows `options` like encode() and is usually
 * ignored (see withHeldOut). Encoding the training table itself this way gives the training arrays.
 */
export function encodeWithVocabulary(table: ParsedTable, schemaIn: DatasetSchema, training: DatasetMeta, options: Partial<EncodeOptions> = {}): EncodedDataset {
  return encodeTable(table, schemaIn, { ...DEFAULT_ENCODE_OPTIONS, ...options }, training);
}

/** encode() and encodeWithVocabulary(): `fitted` null = learn vocabularies and stats from the training rows. */
function encodeTable(table: ParsedTable, schemaIn: DatasetSchema, opts: EncodeOptions, fitted: DatasetMeta | null): EncodedDataset {
  const schema = validateSchema(schemaIn, table);
  const file = table.name;
  if (table.numRows === 0) {
    throw new DataError({ code: 'no_rows', file, problem: 'the file has a header but no data rows', hint: 'Add rows below the header line.' });
  }
  const colOf = (c: SchemaColumn) => table.columns.find((t) => t.name === c.name) as ParsedColumn;
  const byRole = (role: SchemaColumn['role']) => schema.columns.find((c) => c.role === role);

  // ---- labels ----
  if (schema.taskOrder.length === 0) throw noLabelError(table, schema);
  const labelCols = schema.taskOrder.map((name) => schema.columns.find((c) => c.name === name) as SchemaColumn);
  const labelValues = labelCols.map((c) => readLabel(table, colOf(c), c.threshold));
  if (fitted && fitted.tasks.join('\u0000') !== schema.taskOrder.join('\u0000')) {
    throw mismatchError(table, `its tasks [${schema.taskOrder.join(', ')}] are not the training file's [${fitted.tasks.join(', ')}]`);
  }

  // ---- requests and split ----
  const groups = groupsFor(table, schema);
  let maxGroup = 0;
  for (let g = 0; g < numGroups(groups); g++) maxGroup = Math.max(maxGroup, groups.starts[g + 1] - groups.starts[g]);
  const N = fitted ? fitted.maxCandidates : Math.max(1, Math.min(opts.maxCandidates, maxGroup));
  const chunks = chunkGroups(groups, N);
  const R = chunks.groupOfChunk.length;
  const { rowTime, isValGroup, trainRow } = splitRows(table, schema, groups, opts);

  // ---- vocabularies (fit on the training rows) ----
  const itemCol = byRole('item') ? colOf(byRole('item') as SchemaColumn) : undefined;
  const seqCol = byRole('sequence') ? colOf(byRole('sequence') as SchemaColumn) : undefined;
  const itemVocab = !(itemCol || seqCol) ? undefined : fitted ? fittedItemVocabulary(table, fitted) : fitVocabulary([itemCol, seqCol], trainRow, opts.minCount);
  if (fitted && !itemVocab && fitted.itemVocabSize > 0) throw mismatchError(table, 'it has no item id or history column, the training file has');
  const itemKeys = itemCol ? cellKeys(itemCol) : undefined;
  const itemToId = itemCol && itemVocab ? idsForDict(itemVocab, itemCol.dict) : undefined;
  const seqToId = seqCol && itemVocab ? idsForDict(itemVocab, seqCol.dict) : undefined;
  const seqKeys = seqCol ? cellKeys(seqCol) : undefined;
  const H = fitted ? fitted.historyLen : seqCol ? opts.historyLen : 0;
  const M = fitted ? fitted.multiLen : opts.multiLen;
  if (fitted && H > 0 && !seqCol) throw mismatchError(table, 'it has no history column, the training file has');
  const feature = (col: ParsedColumn, kind: FeatureKind, side: FeatureSide) =>
    fitted ? fittedFeature(table, col, kind, side, fitted) : makeFeature(col, kind, side, trainRow, opts.minCount);

  const userSchema = byRole('user');
  const userCol = userSchema ? colOf(userSchema) : undefined;
  const features: FeatureColumn[] = [];
  // The user id is both the GAUC key and a context feature (its embedding is the user's profile).
  if (userSchema && userCol) features.push(feature(userCol, 'categorical', 'context'));
  for (const c of schema.columns) {
    if (c.role !== 'categorical' && c.role !== 'multi' && c.role !== 'numeric') continue;
    features.push(feature(colOf(c), c.role, c.side ?? 'context'));
  }
  const group = (kind: FeatureKind, side: FeatureSide) => features.filter((f) => f.spec.kind === kind && f.spec.side === side);
  const fg = {
    ctxCat: group('categorical', 'context'),
    ctxNum: group('numeric', 'context'),
    ctxMulti: group('multi', 'context'),
    candCat: group('categorical', 'candidate'),
    candNum: group('numeric', 'candidate'),
    candMulti: group('multi', 'candidate'),
  };
  const K = labelCols.length;
  if (fitted) {
    for (const g of GROUP_NAMES) {
      const names = fg[g].map((f) => f.spec.name).join(', ');
      const want = fitted.features[g].map((f) => f.name).join(', ');
      if (names !== want) throw mismatchError(table, `its ${g} features [${names}] are not the training file's [${want}]`);
    }
  }

  // ---- arrays ----
  const ctxCat = new Int32Array(R * fg.ctxCat.length);
  const ctxNum = new Float32Array(R * fg.ctxNum.length);
  const ctxMulti = new Int32Array(R * fg.ctxMulti.length * M);
  const history = new Int32Array(R * H);
  const candItem = new Int32Array(R * N);
  const candCat = new Int32Array(R * N * fg.candCat.length);
  const candNum = new Float32Array(R * N * fg.candNum.length);
  const candMulti = new Int32Array(R * N * fg.candMulti.length * M);
  const candMask = new Float32Array(R * N);
  const labels = new Float32Array(R * N * K);
  const user = new Int32Array(R).fill(-1);
  const time = new Float64Array(R);
  const userKeys = userCol ? cellKeys(userCol) : undefined;

  for (let q = 0; q < R; q++) {
    const a = chunks.starts[q];
    const b = chunks.starts[q + 1];
    const r0 = groups.order[a];
    fg.ctxCat.forEach((f, j) => (ctxCat[q * fg.ctxCat.length + j] = categoricalId(f, r0)));
    fg.ctxNum.forEach((f, j) => (ctxNum[q * fg.ctxNum.length + j] = standardized(f, r0)));
    fg.ctxMulti.forEach((f, j) => writeMulti(f, r0, ctxMulti, (q * fg.ctxMulti.length + j) * M, M));
    if (seqCol && seqToId && seqKeys) writeHistory(seqCol, seqKeys, seqToId, r0, history, q * H, H);
    if (userKeys) user[q] = userKeys[r0];
    time[q] = rowTime(r0);
    for (let i = 0; i < b - a; i++) {
      const r = groups.order[a + i];
      const slot = q * N + i;
      candMask[slot] = 1;
      candItem[slot] = itemKeys && itemToId ? (itemKeys[r] < 0 ? OOV_ID : itemToId[itemKeys[r]]) : OOV_ID;
      fg.candCat.forEach((f, j) => (candCat[slot * fg.candCat.length + j] = categoricalId(f, r)));
      fg.candNum.forEach((f, j) => (candNum[slot * fg.candNum.length + j] = standardized(f, r)));
      fg.candMulti.forEach((f, j) => writeMulti(f, r, candMulti, (slot * fg.candMulti.length + j) * M, M));
      for (let k = 0; k < K; k++) labels[slot * K + k] = labelValues[k][r];
    }
  }

  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (let q = 0; q < R; q++) (isValGroup[chunks.groupOfChunk[q]] ? valIdx : trainIdx).push(q);
  const positiveRate = new Array<number>(K).fill(0);
  let trainCands = 0;
  for (const q of trainIdx) {
    for (let i = 0; i < N; i++) {
      if (!candMask[q * N + i]) continue;
      trainCands++;
      for (let k = 0; k < K; k++) positiveRate[k] += labels[(q * N + i) * K + k];
    }
  }
  for (let k = 0; k < K; k++) positiveRate[k] = trainCands ? positiveRate[k] / trainCands : 0;

  const specs = (list: FeatureColumn[]) => list.map((f) => f.spec);
  const featureGroups: FeatureGroups = {
    ctxCat: specs(fg.ctxCat),
    ctxNum: specs(fg.ctxNum),
    ctxMulti: specs(fg.ctxMulti),
    candCat: specs(fg.candCat),
    candNum: specs(fg.candNum),
    candMulti: specs(fg.candMulti),
  };
  const meta = fitted
    ? { tasks: [...fitted.tasks], features: fitted.features, itemVocabSize: fitted.itemVocabSize, itemVocab: fitted.itemVocab, positiveRate: [...fitted.positiveRate] }
    : { tasks: [...schema.taskOrder], features: featureGroups, itemVocabSize: itemVocab?.values.length ?? 0, itemVocab: itemVocab?.values, positiveRate };
  return {
    name: opts.name ?? table.name,
    ...meta,
    historyLen: H,
    maxCandidates: N,
    multiLen: M,
    numRequests: R,
    ctxCat,
    ctxNum,
    ctxMulti,
    history,
    candItem,
    candCat,
    candNum,
    candMulti,
    candMask,
    labels,
    user,
    time,
    trainIdx: Int32Array.from(trainIdx),
    valIdx: Int32Array.from(valIdx),
  };
}

/**
 * The training split as encode() makes it: 1 per training row. The leakage guard reads only these rows, so what
 * it decides never depends on the validation rows.
 */
export function trainingRows(table: ParsedTable, schema: DatasetSchema, options: Partial<EncodeOptions> = {}, groups = groupsFor(table, schema)): Uint8Array {
  return splitRows(table, schema, groups, { ...DEFAULT_ENCODE_OPTIONS, ...options }).trainRow;
}

function splitRows(table: ParsedTable, schema: DatasetSchema, groups: RowGroups, opts: EncodeOptions) {
  const timeSpec = schema.columns.find((c) => c.role === 'time');
  const timeCol = timeSpec ? table.columns.find((t) => t.name === timeSpec.name) : undefined;
  const rowTime = (r: number) => (timeCol ? timeValue(timeCol, r) : r);
  const isValGroup = splitGroups(groups, opts, (g) => rowTime(groups.order[groups.starts[g]]), !!timeCol);
  const trainRow = new Uint8Array(table.numRows);
  for (let g = 0; g < numGroups(groups); g++) {
    if (isValGroup[g]) continue;
    for (let i = groups.starts[g]; i < groups.starts[g + 1]; i++) trainRow[groups.order[i]] = 1;
  }
  return { rowTime, isValGroup, trainRow };
}

// ---------- pieces ----------

function noLabelError(table: ParsedTable, schema: DatasetSchema): DataError {
  const numericCols = schema.columns.filter((c) => {
    const col = table.columns.find((t) => t.name === c.name);
    return col && col.listCells === 0 && col.nonNumericTokens === 0 && c.role !== 'request' && c.role !== 'user' && c.role !== 'item';
  });
  return new DataError({
    code: 'no_label',
    file: table.name,
    problem: 'no column is marked as a label (task)',
    hint:
      'Mark at least one 0/1 column (e.g. click, purchase) as a label, or a numeric column as a label with a threshold. ' +
      (numericCols.length ? `Numeric columns that could be labels: ${numericCols.slice(0, 8).map((c) => c.name).join(', ')}.` : ''),
  });
}

/** A label column as 0/1 per row; values other than 0/1 need a threshold (value > threshold = positive). */
function readLabel(table: ParsedTable, col: ParsedColumn, threshold: number | undefined): Float32Array {
  const out = new Float32Array(table.numRows);
  const odd = new Map<string, number>();
  let firstOddRow = -1;
  let positives = 0;
  for (let r = 0; r < table.numRows; r++) {
    const v = cellNumber(col, r);
    if (Number.isNaN(v)) {
      const raw = col.mode === 'dict' && col.ids[r] >= 0 ? col.dict[col.ids[r]] : '';
      throw new DataError({
        code: 'label_not_binary',
        file: table.name,
        row: r + 1,
        column: col.name,
        problem: raw === '' ? 'the label is missing' : `the label '${raw}' is not a number`,
        hint: 'Every row needs a label of 0 or 1 (or a number, with a threshold). Fill or drop the row, or choose another label column.',
      });
    }
    if (threshold !== undefined) out[r] = v > threshold ? 1 : 0;
    else if (v === 0 || v === 1) out[r] = v;
    else {
      if (firstOddRow < 0) firstOddRow = r;
      if (odd.size < 5) odd.set(String(v), r);
    }
    positives += out[r];
  }
  if (firstOddRow >= 0) {
    throw new DataError({
      code: 'label_not_binary',
      file: table.name,
      row: firstOddRow + 1,
      column: col.name,
      problem: `the label has values other than 0 and 1 (first: ${cellNumber(col, firstOddRow)})`,
      hint: `Set a threshold for '${col.name}' (a value above it counts as positive, e.g. 3 for ratings 1-5), or choose another label column.`,
      examples: [...odd.entries()].map(([v, r]) => `row ${r + 1}: ${v}`),
    });
  }
  if (positives === 0 || positives === table.numRows) {
    throw new DataError({
      code: 'single_class',
      file: table.name,
      column: col.name,
      problem: `the task has only one class (every row is ${positives === 0 ? 0 : 1})`,
      hint: 'A task needs both positives and negatives to learn from: choose another label column' + (threshold !== undefined ? ' or another threshold.' : '.'),
    });
  }
  return out;
}

/** A row's time as a number: the column's number, or a parsed date string; NaN sorts last. */
function timeValue(col: ParsedColumn, r: number): number {
  const v = cellNumber(col, r);
  if (!Number.isNaN(v)) return v;
  if (col.mode !== 'dict' || col.ids[r] < 0) return NaN;
  return Date.parse(col.dict[col.ids[r]]);
}

/** Validation requests per original request group (split chunks of one request stay together). */
function splitGroups(groups: RowGroups, opts: EncodeOptions, groupTime: (g: number) => number, hasTime: boolean): Uint8Array {
  const G = numGroups(groups);
  const isVal = new Uint8Array(G);
  if (G < 2) return isVal;
  const nVal = Math.min(G - 1, Math.max(1, Math.round(opts.valFraction * G)));
  let order = Int32Array.from({ length: G }, (_, g) => g);
  if (opts.split === 'random') shuffleInPlace(order, mulberry32(opts.seed));
  else if (hasTime) {
    // Latest requests validate; unparseable times count as latest.
    const t = Float64Array.from({ length: G }, (_, g) => groupTime(g));
    order = order.sort((a, b) => (Number.isNaN(t[a]) ? Infinity : t[a]) - (Number.isNaN(t[b]) ? Infinity : t[b]) || a - b);
  }
  // random: the first nVal of the shuffle; time / file order: the last nVal.
  const valSlice = opts.split === 'random' ? order.subarray(0, nVal) : order.subarray(G - nVal);
  for (const g of valSlice) isVal[g] = 1;
  return isVal;
}

/** One vocabulary over several columns' tokens (the item ids and the history share one), training rows only. */
function fitVocabulary(cols: (ParsedColumn | undefined)[], trainRow: Uint8Array, minCount: number): Vocabulary {
  const counter = new TokenCounter();
  for (const col of cols) {
    if (!col) continue;
    const keys = cellKeys(col);
    const perToken = new Float64Array(col.dict.length);
    for (let r = 0; r < trainRow.length; r++) {
      if (!trainRow[r]) continue;
      if (col.mode === 'list') for (let t = col.offsets[r]; t < col.offsets[r + 1]; t++) perToken[col.tokens[t]]++;
      else if (keys[r] >= 0) perToken[keys[r]]++;
    }
    // Encounter order = dictionary order = first appearance in the file.
    for (let t = 0; t < col.dict.length; t++) if (perToken[t] > 0) counter.add(col.dict[t], perToken[t]);
  }
  return makeVocabulary(counter.vocabulary(minCount));
}

function makeFeature(col: ParsedColumn, kind: FeatureKind, side: FeatureSide, trainRow: Uint8Array, minCount: number): FeatureColumn {
  if (kind === 'numeric') {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (let r = 0; r < trainRow.length; r++) {
      if (!trainRow[r]) continue;
      const v = cellNumber(col, r);
      if (Number.isNaN(v)) continue;
      n++;
      sum += v;
      sq += v * v;
    }
    const mean = n ? sum / n : 0;
    const variance = n ? Math.max(0, sq / n - mean * mean) : 0;
    // A constant column keeps std 1 so it standardizes to 0 instead of dividing by zero.
    const std = variance > 1e-12 ? Math.sqrt(variance) : 1;
    return { spec: { name: col.name, kind, side, vocabSize: 0, mean, std }, col };
  }
  const vocab = fitVocabulary([col], trainRow, minCount);
  return {
    spec: { name: col.name, kind, side, vocabSize: vocab.values.length, vocab: vocab.values },
    col,
    toId: idsForDict(vocab, col.dict),
    keys: cellKeys(col),
  };
}

const GROUP_NAMES = ['ctxCat', 'ctxNum', 'ctxMulti', 'candCat', 'candNum', 'candMulti'] as const;
type GroupName = (typeof GROUP_NAMES)[number];

function groupName(kind: FeatureKind, side: FeatureSide): GroupName {
  const k = kind === 'categorical' ? 'Cat' : kind === 'numeric' ? 'Num' : 'Multi';
  return `${side === 'context' ? 'ctx' : 'cand'}${k}`;
}

function mismatchError(table: ParsedTable, problem: string): DataError {
  return new DataError({
    code: 'bad_schema',
    file: table.name,
    problem: `the file does not match the training data: ${problem}`,
    hint: "Give this file the training file's columns and read it with the training file's schema (same roles and sides).",
  });
}

/** The training vocabulary of the item ids (and history), rebuilt from its readable values. */
function fittedItemVocabulary(table: ParsedTable, fitted: DatasetMeta): Vocabulary {
  if (fitted.itemVocabSize === 0) throw mismatchError(table, 'it has an item id or history column, the training file has none');
  if (!fitted.itemVocab) throw mismatchError(table, 'the training dataset kept no item vocabulary to map this file through');
  return vocabularyOf(fitted.itemVocab);
}

/** A column encoded with the training feature of the same name: its vocabulary, or its mean and std. */
function fittedFeature(table: ParsedTable, col: ParsedColumn, kind: FeatureKind, side: FeatureSide, fitted: DatasetMeta): FeatureColumn {
  const g = groupName(kind, side);
  const spec = fitted.features[g].find((f) => f.name === col.name);
  if (!spec) throw mismatchError(table, `the training data has no ${side} ${kind} feature '${col.name}'`);
  if (kind === 'numeric') return { spec, col };
  if (!spec.vocab) throw mismatchError(table, `the training dataset kept no vocabulary for '${col.name}'`);
  return { spec, col, toId: idsForDict(vocabularyOf(spec.vocab), col.dict), keys: cellKeys(col) };
}

function categoricalId(f: FeatureColumn, r: number): number {
  const k = (f.keys as Int32Array)[r];
  // Missing is treated as one more unknown value.
  return k < 0 ? OOV_ID : (f.toId as Int32Array)[k];
}

function standardized(f: FeatureColumn, r: number): number {
  const v = cellNumber(f.col, r);
  return Number.isNaN(v) ? 0 : (v - (f.spec.mean as number)) / (f.spec.std as number);
}

/** The first M tokens of a multi-valued cell, right-padded with 0. */
function writeMulti(f: FeatureColumn, r: number, out: Int32Array, at: number, M: number): void {
  const col = f.col;
  const toId = f.toId as Int32Array;
  if (col.mode === 'list') {
    const a = col.offsets[r];
    const n = Math.min(M, col.offsets[r + 1] - a);
    for (let t = 0; t < n; t++) out[at + t] = toId[col.tokens[a + t]];
  } else {
    const k = (f.keys as Int32Array)[r];
    if (k >= 0) out[at] = toId[k];
  }
}

/** The most recent H history items (cells list oldest first), left-padded with 0. */
function writeHistory(col: ParsedColumn, keys: Int32Array, toId: Int32Array, r: number, out: Int32Array, at: number, H: number): void {
  if (H === 0) return;
  if (col.mode === 'list') {
    const a = col.offsets[r];
    const b = col.offsets[r + 1];
    const n = Math.min(H, b - a);
    for (let t = 0; t < n; t++) out[at + H - n + t] = toId[col.tokens[b - n + t]];
  } else if (keys[r] >= 0) out[at + H - 1] = toId[keys[r]];
}

// Exported for the upload preflight (preflight.ts), which checks labels before the user presses "Use".
export { readLabel, noLabelError };
