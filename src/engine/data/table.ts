// A parsed file, held column by column. Rows are never kept as JS objects of strings (a 1M-row file would
// not fit): every cell is interned to a small integer as it arrives, so a column is one Int32Array plus a
// dictionary of its distinct values. Two special shapes keep memory bounded:
//  - list mode: a column whose cells hold delimited lists ("i3|i17|i5") stores all tokens flat, with offsets;
//  - numeric mode: a column of (only) numbers with very many distinct values (prices, dense features)
//    drops its dictionary and keeps one Float64 per row instead.
// Both the CSV parser and the synthetic world build tables with TableBuilder, so both go through the
// same encode() and give identical tensors for identical rows.

/** Cell values read as "missing" (pandas and R exports write these). */
const MISSING_TOKENS = new Set(['', 'NaN', 'nan', 'NA', 'N/A', 'null', 'NULL', 'None']);
/** A column drops its dictionary once it has this many distinct values and all are numbers. */
export const NUMERIC_DICT_CAP = 50_000;

export type ColumnMode = 'dict' | 'list' | 'numeric';

export interface ParsedColumn {
  name: string;
  mode: ColumnMode;
  /** Distinct tokens in first-appearance order (dict and list modes; empty in numeric mode). */
  dict: string[];
  /** Number value of each dict token, NaN when it is not a number. */
  dictNum: Float64Array;
  /** dict mode: token id per row, -1 = missing. */
  ids: Int32Array;
  /** list mode: the tokens of row r are tokens[offsets[r] .. offsets[r + 1]). */
  offsets: Int32Array;
  tokens: Int32Array;
  /** numeric mode: value per row, NaN = missing. */
  nums: Float64Array;
  /** Cells that were empty / NA. */
  missing: number;
  /** Distinct non-missing tokens that are not finite numbers (0 = a numeric column). */
  nonNumericTokens: number;
  /** Distinct numeric tokens that are not whole numbers. */
  nonIntegerTokens: number;
  /** Cells holding a delimited list with 2+ tokens. */
  listCells: number;
}

export interface ParsedTable {
  /** File name (or synthetic world name), used in every error message. */
  name: string;
  numRows: number;
  columns: ParsedColumn[];
  /** The separator of list cells ('|' unless the file itself is '|'-delimited, then ';'). */
  listSeparator: string;
}

// Two classes, not one generic: each push site then sees one array type (a monomorphic store), which is
// measurably faster on the 14 million pushes of the benchmark file.

/** An Int32Array that grows as values arrive (by half again), starting at a capacity guessed from the file. */
class GrowInt32 {
  data: Int32Array;
  length = 0;
  /** `project`: the final length as guessed so far (list tokens: per row so far x the expected rows), or 0. */
  constructor(
    capacity = 1024,
    private readonly project: () => number = () => 0,
  ) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(Math.max(1024, Math.ceil(this.data.length * 1.5), this.project()));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
  /** The values, without a copy when the buffer is (nearly) full, as it is when the row estimate was right. */
  take(): Int32Array {
    return this.length >= 0.9 * this.data.length ? this.view() : this.data.slice(0, this.length);
  }
}

/** GrowInt32 for Float64 values. */
class GrowFloat64 {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(Math.max(1024, Math.ceil(this.data.length * 1.5)));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
  take(): Float64Array {
    return this.length >= 0.9 * this.data.length ? this.view() : this.data.slice(0, this.length);
  }
}

function numberOf(token: string): number {
  const n = Number(token);
  // Number(' ') is 0; a token made of spaces is not a number.
  return Number.isFinite(n) && token.trim() !== '' ? n : NaN;
}

/** FNV-1a over the UTF-16 code units of text[a, b). */
function hashRange(text: string, a: number, b: number): number {
  let h = FNV_OFFSET;
  for (let i = a; i < b; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The cells of one row as ranges of a text: cell c is text[start[c], end[c]). */
export class CellRanges {
  readonly start: Int32Array;
  readonly end: Int32Array;
  constructor(readonly width: number) {
    this.start = new Int32Array(width);
    this.end = new Int32Array(width);
  }
  set(c: number, start: number, end: number): void {
    this.start[c] = start;
    this.end[c] = end;
  }
}

/**
 * A column's distinct tokens with an open-addressing index over them. A token is looked up by its range in the
 * chunk of text it arrives in, so a value seen before is recognized without being cut out as a string first:
 * most cells of a large file allocate nothing (the string hashing and garbage of a Map<string> were most of
 * the parse time).
 */
class TokenIndex {
  readonly dict: string[] = [];
  private hashes = new GrowInt32();
  private slots = new Int32Array(1024).fill(-1);

  /** The id of text[a, b) with hash h, or -1. */
  find(text: string, a: number, b: number, h: number): number {
    const mask = this.slots.length - 1;
    const len = b - a;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i];
      if (id < 0) return -1;
      if (this.hashes.data[id] === h) {
        const s = this.dict[id];
        if (s.length === len) {
          // Tokens are short: a plain loop beats a call into startsWith here.
          let k = 0;
          while (k < len && s.charCodeAt(k) === text.charCodeAt(a + k)) k++;
          if (k === len) return id;
        }
      }
    }
  }

  /** Adds a token known to be new; returns its id. */
  add(token: string, h: number): number {
    const id = this.dict.length;
    this.dict.push(token);
    this.hashes.push(h);
    if (this.dict.length * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(id, h);
    return id;
  }

  private place(id: number, h: number): void {
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] >= 0) i = (i + 1) & mask;
    this.slots[i] = id;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    for (let id = 0; id < this.dict.length; id++) this.place(id, this.hashes.data[id]);
  }
}

/** Accumulates one column, cell by cell. */
class ColumnBuilder {
  mode: ColumnMode = 'dict';
  private index = new TokenIndex();
  private dictNum = new GrowFloat64();
  private ids: GrowInt32;
  private offsets = new GrowInt32(0);
  /** List tokens: sized, once a few rows are in, for the whole file at the rate seen so far. */
  private tokens: GrowInt32 = new GrowInt32(0, (): number => {
    const rows = this.offsets.length - 1;
    return rows < 100 ? 0 : Math.ceil((this.tokens.length / rows) * this.expectedRows * 1.05);
  });
  private nums = new GrowFloat64(0);
  /** The previous row's cell while it was not missing and the mode has not changed since (null: none). */
  private last: string | null = null;
  missing = 0;
  nonNumericTokens = 0;
  nonIntegerTokens = 0;
  listCells = 0;

  /** `expectedRows`: the guessed row count; a column's per-row array is sized for it up front (filled in place). */
  constructor(
    readonly name: string,
    private readonly listSep: string,
    private readonly expectedRows: number,
  ) {
    this.ids = new GrowInt32(expectedRows);
  }

  private intern(token: string): number {
    const h = hashRange(token, 0, token.length);
    const id = this.index.find(token, 0, token.length, h);
    return id >= 0 ? id : this.add(token, h);
  }

  private add(token: string, h: number): number {
    const id = this.index.add(token, h);
    const n = numberOf(token);
    this.dictNum.push(n);
    if (Number.isNaN(n)) this.nonNumericTokens++;
    else if (!Number.isInteger(n)) this.nonIntegerTokens++;
    return id;
  }

  /** The token text[a, b) of a cell, interned (the range is cut out as a string only when it is new). */
  private internRange(text: string, a: number, b: number): number {
    const h = hashRange(text, a, b);
    const id = this.index.find(text, a, b, h);
    return id >= 0 ? id : this.add(text.substring(a, b), h);
  }

  /**
   * push(text.substring(a, b)) without making that string in the common cases: a cell of a dict-mode column
   * seen before, a repeat of the previous row's cell, or a list of known tokens. Anything else (a possible
   * missing token, numeric mode, a column about to change mode) takes push() on the cut-out string.
   */
  pushRange(text: string, a: number, b: number): void {
    const len = b - a;
    const first = len > 0 ? text.charCodeAt(a) : 0;
    // Missing tokens ('', NA, NaN, N/A, nan, null, NULL, None) start with N or n and have at most 4 characters.
    if (len === 0 || (len <= 4 && (first === 78 || first === 110)) || this.mode === 'numeric') {
      this.push(text.substring(a, b));
      return;
    }
    const last = this.last;
    if (last !== null && last.length === len && text.startsWith(last, a)) {
      this.repeatLast();
      return;
    }
    // One loop hashes the cell and looks for the list separator (only for cells that are not repeats).
    const sepCode = this.listSep.charCodeAt(0);
    let h = FNV_OFFSET;
    let isList = false;
    for (let i = a; i < b; i++) {
      const ch = text.charCodeAt(i);
      if (ch === sepCode) {
        isList = true;
        break;
      }
      h = Math.imul(h ^ ch, FNV_PRIME);
    }
    if (isList !== (this.mode === 'list')) {
      this.push(text.substring(a, b));
      return;
    }
    if (!isList) {
      const id = this.index.find(text, a, b, h);
      if (id < 0) {
        this.push(text.substring(a, b));
        return;
      }
      this.ids.push(id);
      this.last = this.index.dict[id];
      return;
    }
    this.pushListTokens(text, a, b);
    this.offsets.push(this.tokens.length);
    this.last = text.substring(a, b);
  }

  /** The tokens of a list cell text[a, b): split at the list separator, trimmed, empty ones dropped. */
  private pushListTokens(text: string, a: number, b: number): void {
    this.listCells++;
    for (let t = a; t <= b; ) {
      let e = text.indexOf(this.listSep, t);
      if (e < 0 || e > b) e = b;
      let ta = t;
      let tb = e;
      while (ta < tb && text.charCodeAt(ta) <= 32) ta++;
      while (tb > ta && text.charCodeAt(tb - 1) <= 32) tb--;
      if (tb > ta) this.tokens.push(this.internRange(text, ta, tb));
      t = e + 1;
    }
  }

  push(cell: string): void {
    // Missing tokens are at most 4 characters long: longer cells skip the set lookup.
    if (cell.length <= 4 && MISSING_TOKENS.has(cell)) {
      this.missing++;
      this.last = null;
      if (this.mode === 'dict') this.ids.push(-1);
      else if (this.mode === 'list') this.offsets.push(this.tokens.length);
      else this.nums.push(NaN);
      return;
    }
    // The previous row's cell again (context columns repeat down a request: user, history, device): reuse what
    // it became instead of hashing (and, for lists, splitting) it again.
    if (cell === this.last) {
      this.repeatLast();
      return;
    }
    const isList = cell.includes(this.listSep);
    if (this.mode === 'numeric') {
      const n = numberOf(cell);
      if (!isList && !Number.isNaN(n)) {
        if (!Number.isInteger(n)) this.nonIntegerTokens = Math.max(this.nonIntegerTokens, 1);
        this.nums.push(n);
        this.last = cell;
        return;
      }
      this.numericToDict();
    }
    if (isList && this.mode === 'dict') this.dictToList();
    if (this.mode === 'list') {
      if (isList) this.pushListTokens(cell, 0, cell.length);
      else this.tokens.push(this.intern(cell));
      this.offsets.push(this.tokens.length);
      this.last = cell;
      return;
    }
    this.ids.push(this.intern(cell));
    this.last = cell;
    if (this.index.dict.length > NUMERIC_DICT_CAP && this.nonNumericTokens === 0) this.dictToNumeric();
  }

  /** Appends a copy of the previous row's (non-missing) cell, in whatever mode the column is in. */
  private repeatLast(): void {
    if (this.mode === 'dict') this.ids.push(this.ids.data[this.ids.length - 1]);
    else if (this.mode === 'numeric') this.nums.push(this.nums.data[this.nums.length - 1]);
    else {
      const end = this.tokens.length;
      const start = this.offsets.length >= 2 ? this.offsets.data[this.offsets.length - 2] : 0;
      if (end - start > 1) this.listCells++;
      for (let t = start; t < end; t++) this.tokens.push(this.tokens.data[t]);
      this.offsets.push(this.tokens.length);
    }
  }

  /** A high-cardinality column of numbers: one Float64 per row is cheaper than a dictionary. */
  private dictToNumeric(): void {
    this.last = null;
    const ids = this.ids.view();
    const dn = this.dictNum.view();
    this.nums = new GrowFloat64(this.expectedRows);
    for (let i = 0; i < ids.length; i++) this.nums.push(ids[i] < 0 ? NaN : dn[ids[i]]);
    this.ids = new GrowInt32(0);
    this.index = new TokenIndex();
    this.dictNum = new GrowFloat64();
    this.mode = 'numeric';
  }

  /** A non-number after numeric mode: rebuild the dictionary from the numbers seen so far. */
  private numericToDict(): void {
    this.last = null;
    const nums = this.nums.view();
    this.mode = 'dict';
    this.nonIntegerTokens = 0;
    this.ids = new GrowInt32(this.expectedRows);
    for (let i = 0; i < nums.length; i++) this.ids.push(Number.isNaN(nums[i]) ? -1 : this.intern(String(nums[i])));
    this.nums = new GrowFloat64(0);
  }

  /** The first list cell: every earlier cell becomes a list of 0 or 1 tokens. */
  private dictToList(): void {
    this.last = null;
    const ids = this.ids.view();
    this.offsets = new GrowInt32(this.expectedRows + 1);
    this.offsets.push(0);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] >= 0) this.tokens.push(ids[i]);
      this.offsets.push(this.tokens.length);
    }
    this.ids = new GrowInt32(0);
    this.mode = 'list';
  }

  finish(numRows: number): ParsedColumn {
    if (this.mode === 'list' && this.offsets.length === 0) this.offsets.push(0);
    const col: ParsedColumn = {
      name: this.name,
      mode: this.mode,
      dict: this.index.dict,
      dictNum: this.dictNum.take(),
      ids: this.ids.take(),
      offsets: this.offsets.take(),
      tokens: this.tokens.take(),
      nums: this.nums.take(),
      missing: this.missing,
      nonNumericTokens: this.nonNumericTokens,
      nonIntegerTokens: this.nonIntegerTokens,
      listCells: this.listCells,
    };
    const stored = col.mode === 'dict' ? col.ids.length : col.mode === 'list' ? col.offsets.length - 1 : col.nums.length;
    if (stored !== numRows) throw new Error(`internal: column '${this.name}' has ${stored} cells for ${numRows} rows`);
    return col;
  }
}

/** Builds a ParsedTable row by row; the one way tables are made (CSV parser and synthetic world). */
export class TableBuilder {
  private readonly cols: ColumnBuilder[];
  numRows = 0;

  /** `expectedRows`: a guess of the row count (from the file size), so columns are allocated once, not grown. */
  constructor(
    readonly name: string,
    readonly header: string[],
    readonly listSeparator = '|',
    expectedRows = 1024,
  ) {
    this.cols = header.map((h) => new ColumnBuilder(h, listSeparator, Math.max(16, Math.min(expectedRows, 1 << 26))));
  }

  /** Appends one row; the caller guarantees cells.length === header.length. */
  pushRow(cells: readonly string[]): void {
    for (let c = 0; c < this.cols.length; c++) this.cols[c].push(cells[c]);
    this.numRows++;
  }

  /** Appends one row given as cell ranges of `text` (the caller guarantees one range per column). */
  pushRowRanges(text: string, cells: CellRanges): void {
    for (let c = 0; c < this.cols.length; c++) this.cols[c].pushRange(text, cells.start[c], cells.end[c]);
    this.numRows++;
  }

  finish(): ParsedTable {
    return {
      name: this.name,
      numRows: this.numRows,
      columns: this.cols.map((c) => c.finish(this.numRows)),
      listSeparator: this.listSeparator,
    };
  }
}

export function tableFromRows(name: string, header: string[], rows: Iterable<readonly string[]>, listSeparator = '|'): ParsedTable {
  const b = new TableBuilder(name, header, listSeparator);
  for (const r of rows) b.pushRow(r);
  return b.finish();
}

// ---------- reading cells back ----------

export function columnByName(table: ParsedTable, name: string): ParsedColumn | undefined {
  return table.columns.find((c) => c.name === name);
}

/** The number in a cell (NaN when missing or not a number; lists read as NaN). */
export function cellNumber(col: ParsedColumn, row: number): number {
  if (col.mode === 'numeric') return col.nums[row];
  if (col.mode === 'dict') {
    const id = col.ids[row];
    return id < 0 ? NaN : col.dictNum[id];
  }
  const a = col.offsets[row];
  return col.offsets[row + 1] - a === 1 ? col.dictNum[col.tokens[a]] : NaN;
}

/**
 * Per-row token id for a scalar column (-1 = missing). Numeric-mode columns are re-keyed on demand (their
 * dictionary was dropped to save memory); list-mode cells key on their first token.
 */
export function cellKeys(col: ParsedColumn): Int32Array {
  if (col.mode === 'dict') return col.ids;
  if (col.mode === 'list') {
    const out = new Int32Array(col.offsets.length - 1);
    for (let r = 0; r < out.length; r++) out[r] = col.offsets[r + 1] > col.offsets[r] ? col.tokens[col.offsets[r]] : -1;
    return out;
  }
  // numeric mode: intern the numbers once, lazily, and remember the result on the column.
  const index = new Map<number, number>();
  const out = new Int32Array(col.nums.length);
  const dict: string[] = [];
  const dictNum: number[] = [];
  for (let r = 0; r < out.length; r++) {
    const v = col.nums[r];
    if (Number.isNaN(v)) {
      out[r] = -1;
      continue;
    }
    let id = index.get(v);
    if (id === undefined) {
      id = dict.length;
      index.set(v, id);
      dict.push(String(v));
      dictNum.push(v);
    }
    out[r] = id;
  }
  col.dict = dict;
  col.dictNum = Float64Array.from(dictNum);
  col.ids = out;
  col.mode = 'dict';
  return out;
}

/** Tokens of one cell: list columns give their list, scalar columns one token (or none when missing). */
export function cellTokenRange(col: ParsedColumn, row: number, keys: Int32Array): [number, number, Int32Array] {
  if (col.mode === 'list') return [col.offsets[row], col.offsets[row + 1], col.tokens];
  return keys[row] < 0 ? [row, row, keys] : [row, row + 1, keys];
}

/** Distinct non-missing values (a lower bound for numeric-mode columns, whose dictionary was dropped). */
export function distinctCount(col: ParsedColumn): number {
  return col.mode === 'numeric' ? NUMERIC_DICT_CAP + 1 : col.dict.length;
}
