// The editable mapping table: one row per column of the file, what inference measured about it, and its role
// (with side for features, threshold for labels). Every edit goes through schemaEdit.ts.
import type { ColumnProfile, ColumnRole, DatasetSchema, FunnelLink } from '../../engine/data';
import type { FeatureSide } from '../../engine/data/types';
import { formatCount } from './format';
import { ROLE_LABELS, ROLE_OPTIONS, moveTask, setRole, setSide, setThreshold } from './schemaEdit';

interface Props {
  schema: DatasetSchema;
  profiles: ColumnProfile[];
  examples: Record<string, string[]>;
  onChange: (schema: DatasetSchema, decidedColumn?: string) => void;
  disabled?: boolean;
}

function kindOf(p: ColumnProfile): string {
  if (p.list) return 'list';
  if (p.binary) return '0/1';
  if (p.numeric) return p.integer ? 'integer' : 'number';
  return 'text';
}

export function SchemaTable({ schema, profiles, examples, onChange, disabled }: Props) {
  return (
    <table className="schema-table" data-testid="schema-table">
      <thead>
        <tr>
          <th>Column</th>
          <th>Values</th>
          <th>Distinct</th>
          <th>Missing</th>
          <th>Examples</th>
          <th>Why this role</th>
          <th>Role</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {schema.columns.map((c) => {
          const p = profiles.find((x) => x.name === c.name);
          const isFeature = c.role === 'categorical' || c.role === 'multi' || c.role === 'numeric';
          return (
            <tr key={c.name} data-column={c.name} data-role={c.role}>
              <td className="col-name">{c.name}</td>
              <td>{p ? kindOf(p) : ''}</td>
              <td>{p ? (p.distinct > 50_000 ? '> 50,000' : formatCount(p.distinct)) : ''}</td>
              <td>{p ? formatCount(p.missing) : ''}</td>
              <td className="examples-cell">{(examples[c.name] ?? []).join(', ')}</td>
              <td className="evidence-cell" data-testid="evidence" title={p?.evidence}>
                {p?.evidence}
              </td>
              <td>
                <select
                  data-testid="role-select"
                  aria-label={`role of ${c.name}`}
                  value={c.role}
                  disabled={disabled}
                  onChange={(e) => onChange(setRole(schema, c.name, e.target.value as ColumnRole), c.name)}
                >
                  {ROLE_OPTIONS.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {isFeature && (
                  <select
                    data-testid="side-select"
                    aria-label={`side of ${c.name}`}
                    value={c.side ?? 'context'}
                    disabled={disabled}
                    title="context: the same for every candidate of a request (user, device); candidate: varies per candidate (price)"
                    onChange={(e) => onChange(setSide(schema, c.name, e.target.value as FeatureSide), c.name)}
                  >
                    <option value="context">context</option>
                    <option value="candidate">candidate</option>
                  </select>
                )}
                {c.role === 'label' && (
                  <label className="threshold" title="leave empty when the values are already 0/1">
                    positive if &gt;{' '}
                    <input
                      data-testid="threshold-input"
                      type="number"
                      step="any"
                      placeholder="0/1"
                      disabled={disabled}
                      value={c.threshold ?? ''}
                      onChange={(e) => {
                        const v = e.target.value.trim();
                        const t = v === '' ? undefined : Number(v);
                        if (t === undefined || Number.isFinite(t)) onChange(setThreshold(schema, c.name, t), c.name);
                      }}
                    />
                  </label>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The task order: the cascade mask lets each task see the ones before it. */
export function TaskOrder({ schema, funnel = [], onChange, disabled }: { schema: DatasetSchema; funnel?: readonly FunnelLink[]; onChange: (s: DatasetSchema) => void; disabled?: boolean }) {
  if (schema.taskOrder.length === 0) return <p className="note">No label column yet: set a column's role to "label".</p>;
  const links = funnel.filter((l) => schema.taskOrder.includes(l.inner) && schema.taskOrder.includes(l.outer));
  return (
    <>
      {links.length > 0 && (
        <p className="note" data-testid="funnel-note">
          A funnel: {links.map((l) => `every ${l.inner} is a ${l.outer}`).join('; ')} (read from the 1s, whatever the names), so the broadest stage goes first.
        </p>
      )}
      <ol className="task-order" data-testid="task-order">
        {schema.taskOrder.map((t, i) => (
          <li key={t} data-task={t}>
            <span className="task-name">{t}</span>
            <button data-testid={`task-up-${t}`} aria-label={`move ${t} earlier`} disabled={disabled || i === 0} onClick={() => onChange(moveTask(schema, t, -1))}>
              ↑
            </button>
            <button
              data-testid={`task-down-${t}`}
              aria-label={`move ${t} later`}
              disabled={disabled || i === schema.taskOrder.length - 1}
              onClick={() => onChange(moveTask(schema, t, 1))}
            >
              ↓
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}
