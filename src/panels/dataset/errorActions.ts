// What the user can do about each data problem, as data: the error box renders one button (or input) per
// action. The messages themselves come from the engine's DataError (file, row, column, problem, hint).
import type { DataErrorInfo } from '../../workers/parseProtocol';

export type ErrorAction =
  /** Parse again, dropping the rows whose field count differs from the header's. */
  | { kind: 'skip-ragged'; count: number | null }
  /** Use the column as a label with a threshold (value > threshold = positive). */
  | { kind: 'threshold'; column: string; suggested: number }
  /** The column is not a label after all (it is then ignored, so it cannot leak the answer into the features). */
  | { kind: 'not-label'; column: string }
  /** Choose a (different) label column. */
  | { kind: 'pick-label' };

export function actionsFor(error: DataErrorInfo): ErrorAction[] {
  switch (error.code) {
    case 'ragged_rows':
      return [{ kind: 'skip-ragged', count: raggedCount(error.message) }];
    case 'label_not_binary':
      if (!error.column) return [{ kind: 'pick-label' }];
      // A non-number label (missing, text) cannot take a threshold; only values outside 0/1 can.
      return /not a number|is missing/.test(error.message)
        ? [{ kind: 'not-label', column: error.column }, { kind: 'pick-label' }]
        : [{ kind: 'threshold', column: error.column, suggested: 0 }, { kind: 'not-label', column: error.column }];
    case 'single_class':
      return error.column ? [{ kind: 'not-label', column: error.column }, { kind: 'pick-label' }] : [{ kind: 'pick-label' }];
    case 'no_label':
      return [{ kind: 'pick-label' }];
    default:
      return [];
  }
}

/** "data.csv, row 3: 2 rows have a different number of fields" -> 2. */
export function raggedCount(message: string): number | null {
  const m = /: (\d+) rows? (?:have|has) a different number/.exec(message);
  return m ? Number(m[1]) : null;
}

/** Columns the user may pick as a label: 0/1 columns first, then other numeric ones (with a threshold). */
export function labelChoices(profiles: readonly { name: string; binary: boolean; numeric: boolean; list: boolean }[], current: readonly string[]): string[] {
  const free = profiles.filter((p) => !current.includes(p.name) && !p.list);
  return [...free.filter((p) => p.binary), ...free.filter((p) => !p.binary && p.numeric)].map((p) => p.name);
}
