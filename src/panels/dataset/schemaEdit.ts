// Edits of the schema table as pure functions (schema in, schema out), so the table component only wires
// inputs to them and the rules are unit-tested without a browser.
import { COLUMN_ROLES, withRole, type ColumnRole, type DatasetSchema } from '../../engine/data';
import type { FeatureSide } from '../../engine/data/types';

/** What each role means, in the words the table shows. */
export const ROLE_LABELS: Record<ColumnRole, string> = {
  label: 'label (a task)',
  request: 'request id',
  user: 'user id',
  item: 'candidate item id',
  time: 'time (for the time split)',
  categorical: 'categorical',
  multi: 'multi-valued categorical',
  numeric: 'numeric',
  sequence: 'sequence (history)',
  ignore: 'ignore',
};

export const ROLE_OPTIONS: readonly ColumnRole[] = COLUMN_ROLES;

/** Roles at most one column may have; giving one to a second column moves it (the first becomes ignored). */
const UNIQUE_ROLES: readonly ColumnRole[] = ['request', 'user', 'item', 'time', 'sequence'];

export function setRole(schema: DatasetSchema, name: string, role: ColumnRole): DatasetSchema {
  let s = schema;
  if (UNIQUE_ROLES.includes(role)) {
    for (const c of schema.columns) if (c.role === role && c.name !== name) s = withRole(s, c.name, 'ignore');
  }
  const current = s.columns.find((c) => c.name === name);
  if (current?.role === role) return s;
  return withRole(s, name, role);
}

export function setSide(schema: DatasetSchema, name: string, side: FeatureSide): DatasetSchema {
  return { ...schema, columns: schema.columns.map((c) => (c.name === name ? { ...c, side } : c)) };
}

/** Makes `name` a label whose values above `threshold` count as positive (undefined: values must be 0/1). */
export function setThreshold(schema: DatasetSchema, name: string, threshold: number | undefined): DatasetSchema {
  const s = setRole(schema, name, 'label');
  return {
    ...s,
    columns: s.columns.map((c) => {
      if (c.name !== name) return c;
      const { threshold: _old, ...rest } = c;
      return threshold === undefined ? rest : { ...rest, threshold };
    }),
  };
}

/** Moves a task one place earlier (-1) or later (+1) in the task order (the cascade follows it). */
export function moveTask(schema: DatasetSchema, name: string, by: -1 | 1): DatasetSchema {
  const order = [...schema.taskOrder];
  const i = order.indexOf(name);
  const j = i + by;
  if (i < 0 || j < 0 || j >= order.length) return schema;
  [order[i], order[j]] = [order[j], order[i]];
  return { ...schema, taskOrder: order };
}
