// One error type for everything that can be wrong with a user's file or schema. It always names the file and,
// where it can, the row and column, and it always says what to do next (hint): the UI shows it as-is and the
// CLI prints it, so nobody has to read a stack trace to fix their CSV.

export type DataErrorCode =
  | 'empty_file'
  | 'no_header'
  | 'duplicate_column'
  | 'unknown_delimiter'
  | 'ragged_rows'
  | 'file_too_large'
  | 'not_utf8'
  | 'no_label'
  | 'label_not_binary'
  | 'single_class'
  | 'no_rows'
  | 'bad_schema'
  | 'cancelled';

export interface DataErrorInit {
  code: DataErrorCode;
  file: string;
  /** 1-based data row (the header is row 0). */
  row?: number;
  column?: string;
  /** What is wrong, without the location (it is prefixed automatically). */
  problem: string;
  /** What the user can do about it. */
  hint: string;
  /** A few offending values or rows, for display. */
  examples?: string[];
}

export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly file: string;
  readonly row?: number;
  readonly column?: string;
  readonly hint: string;
  readonly examples?: string[];

  constructor(init: DataErrorInit) {
    super(`${locationOf(init)}: ${init.problem}`);
    this.name = 'DataError';
    this.code = init.code;
    this.file = init.file;
    this.row = init.row;
    this.column = init.column;
    this.hint = init.hint;
    this.examples = init.examples;
  }

  /** Message, hint and examples as one block of text (CLI output, logs). */
  describe(): string {
    const ex = this.examples?.length ? `\n  e.g. ${this.examples.join('\n       ')}` : '';
    return `${this.message}\n  hint: ${this.hint}${ex}`;
  }

  /** A plain object, for posting across a worker boundary (Error subclasses do not survive structured clone). */
  toJSON(): DataErrorInit & { message: string } {
    return {
      code: this.code,
      file: this.file,
      row: this.row,
      column: this.column,
      problem: this.message,
      message: this.message,
      hint: this.hint,
      examples: this.examples,
    };
  }
}

function locationOf(init: DataErrorInit): string {
  let where = init.file;
  if (init.row !== undefined) where += `, row ${init.row}`;
  if (init.column !== undefined) where += `, column '${init.column}'`;
  return where;
}

export function isDataError(e: unknown): e is DataError {
  return e instanceof DataError;
}
