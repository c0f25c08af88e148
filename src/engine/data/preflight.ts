// Checks an upload's schema before anything is encoded, so the schema table can show what is wrong (and
// offer a fix) while the user edits it. It reuses encode()'s own label reader and errors, so what the
// preflight accepts is exactly what encode() accepts.
//
// It also catches one thing encode() cannot see: a column NAMED like a label (click, purchase...) that
// inference left out of the labels because it holds values other than 0/1 (a count, a rating, a typo'd 2).
// Silently turning such a column into a feature would hand the model its own answer, so it is reported as
// a label problem (with the threshold offer) until the user decides what the column is.
import { noLabelError, readLabel } from './encode';
import { DataError, isDataError } from './errors';
import { isLabelNamed } from './names';
import { profileColumn } from './roles';
import { validateSchema, type DatasetSchema } from './schema';
import { columnByName, type ParsedColumn, type ParsedTable } from './table';

/** Label-named columns with at most this many small integer values are treated as would-be labels. */
const SUSPECT_MAX_DISTINCT = 10;

export interface PreflightOptions {
  /** Columns whose role the user has chosen by hand: never second-guessed as would-be labels. */
  decided?: readonly string[];
}

/** The first problem that would stop encode() (or leak a label into the features), or null. */
export function preflight(table: ParsedTable, schema: DatasetSchema, opts: PreflightOptions = {}): DataError | null {
  try {
    validateSchema(schema, table);
    if (table.numRows === 0) {
      return new DataError({ code: 'no_rows', file: table.name, problem: 'the file has a header but no data rows', hint: 'Add rows below the header line.' });
    }
    if (schema.taskOrder.length === 0) return noLabelError(table, schema);
    for (const name of schema.taskOrder) {
      const spec = schema.columns.find((c) => c.name === name);
      readLabel(table, columnByName(table, name) as ParsedColumn, spec?.threshold);
    }
    for (const col of suspectLabels(table, schema, opts.decided ?? [])) {
      try {
        readLabel(table, col, undefined);
      } catch (e) {
        // Only "values other than 0/1" makes a would-be label a problem; a constant column is just useless.
        if (isDataError(e) && e.code === 'label_not_binary') return e;
      }
    }
    return null;
  } catch (e) {
    if (isDataError(e)) return e;
    throw e;
  }
}

function suspectLabels(table: ParsedTable, schema: DatasetSchema, decided: readonly string[]): ParsedColumn[] {
  return schema.columns
    .filter((c) => c.role !== 'label' && c.role !== 'ignore' && !decided.includes(c.name) && isLabelNamed(c.name))
    .map((c) => columnByName(table, c.name) as ParsedColumn)
    .filter((col) => {
      const p = profileColumn(col);
      return p.numeric && p.integer && !p.binary && p.distinct <= SUSPECT_MAX_DISTINCT;
    });
}

/** The first few distinct values of a column as text, for the schema table. */
export function columnExamples(col: ParsedColumn, n = 3, listSeparator = '|'): string[] {
  if (col.mode === 'dict') return col.dict.slice(0, n);
  const out: string[] = [];
  if (col.mode === 'numeric') {
    for (let r = 0; r < col.nums.length && out.length < n; r++) if (!Number.isNaN(col.nums[r])) out.push(String(col.nums[r]));
    return out;
  }
  for (let r = 0; r + 1 < col.offsets.length && out.length < n; r++) {
    const cell = Array.from(col.tokens.subarray(col.offsets[r], col.offsets[r + 1]), (t) => col.dict[t]).join(listSeparator);
    if (cell !== '') out.push(cell);
  }
  return out;
}
