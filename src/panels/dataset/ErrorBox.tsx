// A data problem as the user sees it: where (file, row, column), what, what to do, a few examples, and a
// button for each fix the app can apply itself.
import { useState } from 'react';
import type { DataErrorInfo } from '../../workers/parseProtocol';
import { actionsFor, type ErrorAction } from './errorActions';

export interface ErrorFixes {
  skipRagged?: () => void;
  threshold?: (column: string, threshold: number) => void;
  notLabel?: (column: string) => void;
  pickLabel?: (column: string) => void;
  /** Columns offered by "pick a label". */
  labelChoices?: string[];
}

export function ErrorBox({ error, fixes, title }: { error: DataErrorInfo; fixes: ErrorFixes; title?: string }) {
  const actions = actionsFor(error);
  return (
    <div className="error-box dataset-error" data-testid="dataset-error" data-code={error.code} role="alert">
      {title && <strong>{title} </strong>}
      <span data-testid="dataset-error-message">{error.message}</span>
      <div className="hint">What to do: {error.hint}</div>
      {error.examples && error.examples.length > 0 && (
        <ul className="examples">
          {error.examples.map((e, i) => (
            <li key={i}>
              <code>{e}</code>
            </li>
          ))}
        </ul>
      )}
      {actions.length > 0 && (
        <div className="actions">
          {actions.map((a, i) => (
            <Action key={i} action={a} fixes={fixes} />
          ))}
        </div>
      )}
    </div>
  );
}

function Action({ action, fixes }: { action: ErrorAction; fixes: ErrorFixes }) {
  const [threshold, setThreshold] = useState(action.kind === 'threshold' ? String(action.suggested) : '0');
  const [pick, setPick] = useState('');
  switch (action.kind) {
    case 'skip-ragged':
      return fixes.skipRagged ? (
        <button data-testid="fix-skip-ragged" onClick={fixes.skipRagged}>
          Skip {action.count === null ? 'the ragged rows' : `the ${action.count} ragged row${action.count === 1 ? '' : 's'}`} and load the rest
        </button>
      ) : null;
    case 'threshold': {
      const t = Number(threshold);
      const ok = threshold.trim() !== '' && Number.isFinite(t);
      return fixes.threshold ? (
        <span className="fix">
          Use <b>{action.column}</b> as a label: values above{' '}
          <input data-testid="fix-threshold-value" type="number" step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} aria-invalid={!ok} /> count as positive{' '}
          <button data-testid="fix-threshold" disabled={!ok} onClick={() => fixes.threshold?.(action.column, t)}>
            Set threshold
          </button>
        </span>
      ) : null;
    }
    case 'not-label':
      return fixes.notLabel ? (
        <button data-testid="fix-not-label" onClick={() => fixes.notLabel?.(action.column)}>
          {action.column} is not a label (ignore it)
        </button>
      ) : null;
    case 'pick-label':
      return fixes.pickLabel && fixes.labelChoices && fixes.labelChoices.length > 0 ? (
        <span className="fix">
          Pick a label column:{' '}
          <select data-testid="fix-pick-label" value={pick} onChange={(e) => setPick(e.target.value)}>
            <option value="">choose...</option>
            {fixes.labelChoices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>{' '}
          <button data-testid="fix-pick-label-apply" disabled={!pick} onClick={() => fixes.pickLabel?.(pick)}>
            Use as label
          </button>
        </span>
      ) : null;
  }
}
