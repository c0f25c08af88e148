// What each column of a file means (its role), inferred from names and values, editable by the user, and
// JSON-serializable so the CLI (--schema schema.json) and the app's editable table share one format.
import { z } from 'zod';
import { DataError } from './errors';
import { groupRows, numGroups, type RowGroups } from './requests';
import { cellKeys, cellNumber, distinctCount, type ParsedColumn, type ParsedTable } from './table';
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

// ---------- inference ----------

/** Words that make a 0/1 column a label. */
const LABEL_WORDS = new Set([
  'click', 'clicked', 'clicks', 'like', 'liked', 'likes', 'purchase', 'purchased', 'conversion', 'converted', 'convert',
  'order', 'ordered', 'orders', 'cart', 'carted', 'addtocart', 'atc', 'buy', 'bought', 'rated', 'income', 'label', 'target',
  'follow', 'share', 'finish', 'finished', 'watch', 'watched', 'comment', 'favorite', 'fav', 'download', 'install', 'y',
]);
const REQUEST_NAMES = /^(request|req|session|query|search|impression|imp|pv|page_?view)(_?id)?$|^(pvid|sid|qid|rid)$/;
const USER_NAMES = /^(user|uid|customer|member|visitor)(_?id)?$/;
const ITEM_NAMES = /^(item|iid|product|goods|sku|ad|doc|video|movie)(_?id)?$/;
const TIME_NAMES = /^(time|timestamp|ts|date|datetime|event_?time|time_?stamp|event_?date)$/;

function normalize(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function isLabelNamed(name: string): boolean {
  const n = normalize(name);
  return n.split('_').some((w) => LABEL_WORDS.has(w)) || LABEL_WORDS.has(n.replace(/_/g, ''));
}

/** What inference measured about a column; shown in the app's schema table beside the role picker. */
export interface ColumnProfile {
  name: string;
  /** Distinct non-missing values (a lower bound above 50,000 for numeric columns). */
  distinct: number;
  missing: number;
  numeric: boolean;
  integer: boolean;
  /** Only the values 0 and 1 (both present). */
  binary: boolean;
  /** No values other than 0 and 1 (perhaps only one of them). */
  zeroOne: boolean;
  /** Cells hold delimited lists. */
  list: boolean;
  /** May be used as a label (0/1 values, or numeric with a threshold). */
  canBeLabel: boolean;
  /** Same value on every row of each request (true when there is no request column). */
  constantInRequest: boolean;
  /** For list columns: share of distinct tokens that are also candidate item ids. */
  itemOverlap?: number;
}

export function profileColumn(col: ParsedColumn): Omit<ColumnProfile, 'constantInRequest'> {
  const list = col.listCells > 0;
  const numeric = !list && col.nonNumericTokens === 0 && col.missing < rowsOf(col);
  const integer = numeric && col.nonIntegerTokens === 0;
  let binary = false;
  let zeroOne = false;
  if (numeric && col.mode === 'dict') {
    const vals = new Set(Array.from(col.dictNum));
    zeroOne = [...vals].every((v) => v === 0 || v === 1);
    binary = zeroOne && vals.size === 2;
  }
  return {
    name: col.name,
    distinct: distinctCount(col),
    missing: col.missing,
    numeric,
    integer,
    binary,
    list,
    zeroOne,
    canBeLabel: binary || numeric,
  };
}

function rowsOf(col: ParsedColumn): number {
  return col.mode === 'dict' ? col.ids.length : col.mode === 'list' ? col.offsets.length - 1 : col.nums.length;
}

/** True when every request's rows share the column's value. */
function constantWithinGroups(col: ParsedColumn, groups: RowGroups): boolean {
  if (col.mode === 'list') {
    for (let g = 0; g < numGroups(groups); g++) {
      const r0 = groups.order[groups.starts[g]];
      const a0 = col.offsets[r0];
      const n0 = col.offsets[r0 + 1] - a0;
      for (let i = groups.starts[g] + 1; i < groups.starts[g + 1]; i++) {
        const r = groups.order[i];
        const a = col.offsets[r];
        if (col.offsets[r + 1] - a !== n0) return false;
        for (let t = 0; t < n0; t++) if (col.tokens[a + t] !== col.tokens[a0 + t]) return false;
      }
    }
    return true;
  }
  for (let g = 0; g < numGroups(groups); g++) {
    const v0 = col.mode === 'numeric' ? cellNumber(col, groups.order[groups.starts[g]]) : col.ids[groups.order[groups.starts[g]]];
    for (let i = groups.starts[g] + 1; i < groups.starts[g + 1]; i++) {
      const v = col.mode === 'numeric' ? cellNumber(col, groups.order[i]) : col.ids[groups.order[i]];
      if (v !== v0 && !(Number.isNaN(v) && Number.isNaN(v0))) return false;
    }
  }
  return true;
}

/** Share of a list column's distinct tokens that appear among the item column's values. */
function itemOverlap(list: ParsedColumn, item: ParsedColumn | undefined): number {
  if (!item || list.dict.length === 0) return 0;
  if (item.mode === 'numeric') cellKeys(item);
  const items = new Set(item.dict);
  let hit = 0;
  for (const t of list.dict) if (items.has(t)) hit++;
  return hit / list.dict.length;
}

export interface SchemaInference {
  schema: DatasetSchema;
  profiles: ColumnProfile[];
}

/** Infers each column's role (see the rules in the data README) and the task order (column order). */
export function inferSchema(table: ParsedTable): SchemaInference {
  const base = table.columns.map((c) => ({ col: c, prof: profileColumn(c), norm: normalize(c.name) }));
  const pick = (re: RegExp, ok: (p: (typeof base)[number]) => boolean) => base.find((b) => re.test(b.norm) && ok(b));
  // A request id must actually group rows (fewer distinct values than rows).
  const request = pick(REQUEST_NAMES, (b) => !b.prof.list && b.prof.distinct < table.numRows);
  const user = pick(USER_NAMES, (b) => !b.prof.list && b !== request);
  const item = pick(ITEM_NAMES, (b) => !b.prof.list && b !== request && b !== user);
  const time = pick(TIME_NAMES, (b) => !b.prof.list && b !== request && b !== user && b !== item);
  const groups = groupRows(table.numRows, request?.col);
  const multiRowRequests = numGroups(groups) < table.numRows;

  const columns: SchemaColumn[] = [];
  const profiles: ColumnProfile[] = [];
  for (const b of base) {
    const constant = !multiRowRequests || constantWithinGroups(b.col, groups);
    const profile: ColumnProfile = { ...b.prof, constantInRequest: constant };
    const side: FeatureSide = constant ? 'context' : 'candidate';
    let col: SchemaColumn;
    if (b === request) col = { name: b.col.name, role: 'request' };
    else if (b === user) col = { name: b.col.name, role: 'user' };
    else if (b === item) col = { name: b.col.name, role: 'item' };
    else if (b === time) col = { name: b.col.name, role: 'time' };
    // A constant 0/1 label-named column is still a label: encode then says "only one class", which helps more.
    else if (b.prof.zeroOne && isLabelNamed(b.col.name)) col = { name: b.col.name, role: 'label' };
    else if (b.prof.list) {
      profile.itemOverlap = itemOverlap(b.col, item?.col);
      // History: a per-request list drawn from the item id space.
      col = profile.itemOverlap >= 0.5 ? { name: b.col.name, role: 'sequence' } : { name: b.col.name, role: 'multi', side };
    } else if (b.prof.numeric && !b.prof.integer) col = { name: b.col.name, role: 'numeric', side };
    else if (isIdLike(b.prof, table.numRows)) col = { name: b.col.name, role: 'ignore' };
    else col = { name: b.col.name, role: 'categorical', side };
    if (b.prof.missing === table.numRows) col = { name: b.col.name, role: 'ignore' };
    columns.push(col);
    profiles.push(profile);
  }
  const taskOrder = columns.filter((c) => c.role === 'label').map((c) => c.name);
  return { schema: { columns, taskOrder }, profiles };
}

/** A value per row (row numbers, free text): useless as a feature, so ignored by default. */
function isIdLike(p: Omit<ColumnProfile, 'constantInRequest'>, numRows: number): boolean {
  return numRows >= 1000 && p.distinct >= 0.9 * (numRows - p.missing);
}

/** Makes `name` a label (appended to the task order), or turns a label back into a feature. */
export function withRole(schema: DatasetSchema, name: string, role: ColumnRole, side?: FeatureSide): DatasetSchema {
  const columns = schema.columns.map((c) => (c.name === name ? { name, role, ...(FEATURE_ROLES.includes(role) ? { side: side ?? c.side ?? 'context' } : {}) } : c));
  let taskOrder = schema.taskOrder.filter((t) => t !== name);
  if (role === 'label') taskOrder = [...taskOrder, name];
  return { columns, taskOrder };
}

/**
 * 0/1 columns that inference did not make labels but the user may (the "second task" offer, e.g. Census
 * 'marital status'). Any numeric column can also be a label, with a threshold.
 */
export function labelCandidates(inf: SchemaInference): string[] {
  return inf.profiles.filter((p, i) => p.binary && inf.schema.columns[i].role !== 'label').map((p) => p.name);
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

// Exported for the upload preflight (preflight.ts): label-named columns that are not 0/1.
export { isLabelNamed };
