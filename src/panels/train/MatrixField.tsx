// A K x K 0/1 matrix (per-edge detachment, custom task mask) as a grid of checkboxes: row k = the task that
// reads, column j = the task it reads. The diagonal is fixed (a task always reads itself, never detached from itself).
import { formatMatrix, parseMatrix } from '../../engine/config';

interface Props {
  testId: string;
  tasks: string[];
  /** The matrix string ('' = use `fallback`). */
  value: string;
  /** The matrix shown while value is '' (e.g. all off-diagonal edges = the global detach switch). */
  fallback: number[][];
  diagonal: 0 | 1;
  onChange: (v: string) => void;
  onClear?: () => void;
  clearLabel?: string;
}

export function MatrixField({ testId, tasks, value, fallback, diagonal, onChange, onClear, clearLabel }: Props) {
  const K = tasks.length;
  let m: number[][];
  try {
    m = parseMatrix(value, K, testId) ?? fallback;
  } catch {
    m = fallback; // a matrix for another number of tasks: show the fallback, the next click writes a fitting one
  }
  const toggle = (k: number, j: number) => onChange(formatMatrix(m.map((row, r) => row.map((v, c) => (r === k && c === j ? 1 - v : r === c ? diagonal : v)))));
  return (
    <div className="matrix-field" data-testid={testId}>
      <table>
        <thead>
          <tr>
            <th>reads →</th>
            {tasks.map((t) => (
              <th key={t}>{t}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tasks.map((t, k) => (
            <tr key={t}>
              <th>{t}</th>
              {tasks.map((u, j) => (
                <td key={u}>
                  <input type="checkbox" data-testid={`${testId}-${k}-${j}`} checked={m[k]?.[j] === 1} disabled={k === j} onChange={() => toggle(k, j)} aria-label={`${t} reads ${u}`} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {onClear && value !== '' && (
        <button type="button" onClick={onClear}>
          {clearLabel ?? 'clear'}
        </button>
      )}
    </div>
  );
}
