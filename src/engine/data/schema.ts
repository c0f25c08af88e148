// What each column of a file means (its role): inferred in roles.ts and infer.ts, editable by the user, and
// JSON-serializable so the CLI (--schema schema.json) and the app's editable table share one format.
import { z } from 'zod';
import { DataError } from './errors';
import { groupRows, type RowGroups } from './requests';
import type { ParsedTable } from './table';
import type { FeatureSide } from './types';

export const COLUMN_ROLES = [
  'label',
  'request',
  'user',
  'item',
  'time',
  'categorical',
  'multi',
  'numeric',
  'sequence',
  'ignore',
] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];
/** Roles that become model features (and so have a side). */
export const FEATURE_ROLES: readonly ColumnRole[] = ['categorical', 'multi', 'numeric'];

export interface SchemaColumn {
  name: string;
  role: ColumnRole;
  /** Feature columns only: context (constant within a request) or candidate (varies). */
  side?: FeatureSide;
  /** Label columns only: a value > threshold is a positive (for labels that are not 0/1, e.g. ratings). */
  threshold?: number;
}

export interface DatasetSchema {
  columns: SchemaColumn[];
  /** Label column names in task order (the cascade follows this order). */
  taskOrder: string[];
}

const schemaZod = z
  .object({
    columns: z
      .array(
        z.object({
          name: z.string().min(1, 'a column name is empty'),
          role: z.enum(COLUMN_ROLES),
          side: z.enum(['context', 'candidate']).optional(),
          threshold: z.number().finite().optional(),
        }),
      )
      .min(1, 'the schema lists no columns'),
    taskOrder: z.array(z.string()),
  })
  .strict();

/**
 * Checks a user-provided schema (parsed JSON) against its shape and, when given, against the table it is
 * meant for. Throws a DataError whose message lists every problem found.
 */
export function validateSchema(raw: unknown, table?: ParsedTable, file = table?.name ?? 'schema'): DatasetSchema {
  const parsed = schemaZod.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new DataError({
      code: 'bad_schema',
      file,
      problem: `the schema is not valid (${problems.length} problem${problems.length > 1 ? 's' : ''})`,
      hint: `Expected {"columns": [{"name", "role" (one of ${COLUMN_ROLES.join(', ')}), "side"?, "threshold"?}], "taskOrder": [label names]}. Run inspect-data to get a starting schema.`,
      examples: problems.slice(0, 10),
    });
  }
  const schema: DatasetSchema = parsed.data;
  const problems: string[] = [];
  const names = new Set<string>();
  for (const c of schema.columns) {
    if (names.has(c.name)) problems.push(`column '${c.name}' is listed twice`);
    names.add(c.name);
    if (c.side && !FEATURE_ROLES.includes(c.role)) problems.push(`column '${c.name}': a side only applies to features, not to role '${c.role}'`);
    if (c.threshold !== undefined && c.role !== 'label') problems.push(`column '${c.name}': a threshold only applies to labels`);
  }
  for (const role of ['request', 'user', 'item', 'time'] as const) {
    const n = schema.columns.filter((c) => c.role === role);
    if (n.length > 1) problems.push(`${n.length} columns have role '${role}' (${n.map((c) => c.name).join(', ')}); at most one may`);
  }
  const labels = schema.columns.filter((c) => c.role === 'label').map((c) => c.name);
  for (const t of schema.taskOrder) if (!labels.includes(t)) problems.push(`taskOrder names '${t}', which is not a label column`);
  for (const l of labels) if (!schema.taskOrder.includes(l)) problems.push(`label column '${l}' is missing from taskOrder`);
  if (new Set(schema.taskOrder).size !== schema.taskOrder.length) problems.push('taskOrder lists a task twice');
  if (table) {
    const inFile = new Set(table.columns.map((c) => c.name));
    for (const c of schema.columns) if (!inFile.has(c.name)) problems.push(`column '${c.name}' is not in the file`);
    for (const c of table.columns) if (!names.has(c.name)) problems.push(`the file's column '${c.name}' is not in the schema (give it role 'ignore' to skip it)`);
    for (const c of schema.columns) {
      const col = table.columns.find((t) => t.name === c.name);
      if (col && col.listCells > 0 && ['categorical', 'numeric', 'label', 'time'].includes(c.role)) {
        problems.push(`column '${c.name}' holds lists ('${table.listSeparator}'-separated); role '${c.role}' needs one value per cell (use multi or sequence)`);
      }
    }
  }
  if (problems.length) {
    throw new DataError({
      code: 'bad_schema',
      file,
      problem: `the schema does not fit (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${problems[0]}`,
      hint: 'Fix the listed columns in the schema (or start again from the inferred one).',
      examples: problems.slice(0, 10),
    });
  }
  return schema;
}

/** Makes `name` a label (appended to the task order), or turns a label back into a feature. */
export function withRole(schema: DatasetSchema, name: string, role: ColumnRole, side?: FeatureSide): DatasetSchema {
  const columns = schema.columns.map((c) => (c.name === name ? { name, role, ...(FEATURE_ROLES.includes(role) ? { side: side ?? c.side ?? 'context' } : {}) } : c));
  let taskOrder = schema.taskOrder.filter((t) => t !== name);
  if (role === 'label') taskOrder = [...taskOrder, name];
  return { columns, taskOrder };
}

/** Roles of the columns, by name (convenience for tests and the CLI). */
export function rolesOf(schema: DatasetSchema): Record<string, ColumnRole> {
  return Object.fromEntries(schema.columns.map((c) => [c.name, c.role]));
}

/** Request grouping as the schema defines it (exported for the summary). */
export function groupsFor(table: ParsedTable, schema: DatasetSchema): RowGroups {
  const req = schema.columns.find((c) => c.role === 'request');
  return groupRows(table.numRows, req ? table.columns.find((c) => c.name === req.name) : undefined);
}
