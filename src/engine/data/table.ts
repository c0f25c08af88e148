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

class GrowInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

class GrowFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

function numberOf(token: string): number {
  const n = Number(token);
  // Number(' ') is 0; a token made of spaces is not a number.
  return Number.isFinite(n) && token.trim() !== '' ? n : NaN;
}

/** Accumulates one column, cell by cell. */
class ColumnBuilder {
  mode: ColumnMode = 'dict';
  private index = new Map<string, number>();
  private dict: string[] = [];
  private dictNum = new GrowFloat64();
  private ids = new GrowInt32();
  private offsets = new GrowInt32();
  private tokens = new GrowInt32();
  private nums = new GrowFloat64();
  missing = 0;
  nonNumericTokens = 0;
  nonIntegerTokens = 0;
  listCells = 0;

  constructor(
    readonly name: string,
    private readonly listSep: string,
  ) {}

  private intern(token: string): number {
    let id = this.index.get(token);
    if (id === undefined) {
      id = this.dict.length;
      this.index.set(token, id);
      this.dict.push(token);
      const n = numberOf(token);
      this.dictNum.push(n);
      if (Number.isNaN(n)) this.nonNumericTokens++;
      else if (!Number.isInteger(n)) this.nonIntegerTokens++;
    }
    return id;
  }

  push(cell: string): void {
    if (MISSING_TOKENS.has(cell)) {
      this.missing++;
      if (this.mode === 'dict') this.ids.push(-1);
      else if (this.mode === 'list') this.offsets.push(this.tokens.length);
      else this.nums.push(NaN);
      return;
    }
    const isList = cell.includes(this.listSep);
    if (this.mode === 'numeric') {
      const n = numberOf(cell);
      if (!isList && !Number.isNaN(n)) {
        if (!Number.isInteger(n)) this.nonIntegerTokens = Math.max(this.nonIntegerTokens, 1);
        this.nums.push(n);
        return;
      }
      this.numericToDict();
    }
    if (isList && this.mode === 'dict') this.dictToList();
    if (this.mode === 'list') {
      if (isList) {
        this.listCells++;
        for (const t of cell.split(this.listSep)) {
          const tok = t.trim();
          if (tok !== '') this.tokens.push(this.intern(tok));
        }
      } else {
        this.tokens.push(this.intern(cell));
      }
      this.offsets.push(this.tokens.length);
      return;
    }
    this.ids.push(this.intern(cell));
    if (this.dict.length > NUMERIC_DICT_CAP && this.nonNumericTokens === 0) this.dictToNumeric();
  }

  /** A high-cardinality column of numbers: one Float64 per row is cheaper than a dictionary. */
  private dictToNumeric(): void {
    const ids = this.ids.view();
    const dn = this.dictNum.view();
    for (let i = 0; i < ids.length; i++) this.nums.push(ids[i] < 0 ? NaN : dn[ids[i]]);
    this.ids = new GrowInt32();
    this.index = new Map();
    this.dict = [];
    this.dictNum = new GrowFloat64();
    this.mode = 'numeric';
  }

  /** A non-number after numeric mode: rebuild the dictionary from the numbers seen so far. */
  private numericToDict(): void {
    const nums = this.nums.view();
    this.mode = 'dict';
    this.nonIntegerTokens = 0;
    for (let i = 0; i < nums.length; i++) this.ids.push(Number.isNaN(nums[i]) ? -1 : this.intern(String(nums[i])));
    this.nums = new GrowFloat64();
  }

  /** The first list cell: every earlier cell becomes a list of 0 or 1 tokens. */
  private dictToList(): void {
    const ids = this.ids.view();
    this.offsets.push(0);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] >= 0) this.tokens.push(ids[i]);
      this.offsets.push(this.tokens.length);
    }
    this.ids = new GrowInt32();
    this.mode = 'list';
  }

  finish(numRows: number): ParsedColumn {
    if (this.mode === 'list' && this.offsets.length === 0) this.offsets.push(0);
    const col: ParsedColumn = {
      name: this.name,
      mode: this.mode,
      dict: this.dict,
      dictNum: this.dictNum.view().slice(),
      ids: this.ids.view().slice(),
      offsets: this.offsets.view().slice(),
      tokens: this.tokens.view().slice(),
      nums: this.nums.view().slice(),
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

  constructor(
    readonly name: string,
    readonly header: string[],
    readonly listSeparator = '|',
  ) {
    this.cols = header.map((h) => new ColumnBuilder(h, listSeparator));
  }

  /** Appends one row; the caller guarantees cells.length === header.length. */
  pushRow(cells: readonly string[]): void {
    for (let c = 0; c < this.cols.length; c++) this.cols[c].push(cells[c]);
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
