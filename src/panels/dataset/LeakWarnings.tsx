// The leakage guard's findings above the schema table: each column that gives a label away, both names and the
// figure, and one click to make it a task or to keep it as a feature anyway.
import { warningsFor, type ColumnProfile, type DatasetSchema, type LeakWarning } from '../../engine/data';
import { setRole, setSide } from './schemaEdit';

interface Props {
  warnings: readonly LeakWarning[];
  schema: DatasetSchema;
  profiles: readonly ColumnProfile[];
  onChange: (schema: DatasetSchema, decidedColumn?: string) => void;
  disabled?: boolean;
}

/** The schema with `column` back as a feature of the kind its values suggest, on the side inference measured. */
export function keepAsFeature(schema: DatasetSchema, column: string, profile: ColumnProfile | undefined): DatasetSchema {
  const role = profile?.numeric && !profile.integer ? 'numeric' : 'categorical';
  return setSide(setRole(schema, column, role), column, profile?.constantInRequest === false ? 'candidate' : 'context');
}

export function LeakWarnings({ warnings, schema, profiles, onChange, disabled }: Props) {
  if (warnings.length === 0) return null;
  const current = warningsFor(warnings, schema);
  return (
    <div className="leak-warnings" data-testid="leak-warnings" role="alert">
      <p>
        <b>Label leakage held back.</b> These columns give a label away on the training rows, so they are not features by default (a model
        trained on them looks perfect and is useless).
      </p>
      <ul>
        {current.map((w) => {
          const role = schema.columns.find((c) => c.name === w.column)?.role;
          const state = role === 'label' ? 'now a task' : w.action === 'kept' ? 'kept as a feature' : 'not a feature';
          return (
            <li key={`${w.column}\u0000${w.label}`} data-testid="leak-warning" data-column={w.column} data-label={w.label} data-state={state}>
              <span className="leak-text">{w.message.replace(/: (not used|kept) .*$/, '')}</span> <b className="leak-state">({state})</b>{' '}
              {role !== 'label' && (
                <button data-testid="leak-make-task" disabled={disabled} onClick={() => onChange(setRole(schema, w.column, 'label'), w.column)}>
                  Make {w.column} a task
                </button>
              )}{' '}
              {w.action !== 'kept' && (
                <button
                  data-testid="leak-keep-feature"
                  disabled={disabled}
                  onClick={() => onChange(keepAsFeature(schema, w.column, profiles.find((p) => p.name === w.column)), w.column)}
                >
                  Keep it as a feature
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
