// Schema inference, whole: roles from the data's structure (roles.ts), then the leakage guard (leakage.ts) on
// the training rows, which turns any feature that gives a label away into 'ignore' and says so.
import type { EncodeOptions } from './encode';
import { guardSchema, type LeakWarning } from './leakage';
import { inferRoles, type ColumnProfile, type FunnelLink } from './roles';
import type { DatasetSchema } from './schema';
import type { ParsedTable } from './table';

export interface SchemaInference {
  schema: DatasetSchema;
  /** Per column, in file order: what was measured, and the evidence for its role. */
  profiles: ColumnProfile[];
  /** Nested labels (a funnel), which set the default task order (broadest first). */
  funnel: FunnelLink[];
  /** Features flagged by the leakage guard (not features by default). */
  warnings: LeakWarning[];
}

/**
 * Infers each column's role and the task order, then runs the leakage guard on the training rows of the split
 * `options` describe (the defaults when not given: the split training will use unless the user changes it).
 */
export function inferSchema(table: ParsedTable, options: Partial<EncodeOptions> = {}): SchemaInference {
  const roles = inferRoles(table);
  const { schema, warnings } = guardSchema(table, roles.schema, options);
  const profiles = roles.profiles.map((p) => {
    const w = warnings.find((x) => x.column === p.name);
    if (!w) return p;
    const why = w.kind === 'ranks' ? `alone ranks ${w.label} with AUC ${w.figure.toFixed(3)}` : `its 1s sit inside ${w.label}'s 1s (a later funnel stage)`;
    return { ...p, evidence: `${why}: not a feature by default (was: ${p.evidence})` };
  });
  return { schema, profiles, funnel: roles.funnel, warnings };
}

/**
 * 0/1 columns that inference did not make labels but the user may (the "second task" offer, e.g. Census
 * 'marital status', or a funnel stage the leakage guard held back). Any numeric column can also be a label,
 * with a threshold.
 */
export function labelCandidates(inf: Pick<SchemaInference, 'schema' | 'profiles'>): string[] {
  return inf.profiles.filter((p, i) => p.binary && inf.schema.columns[i].role !== 'label').map((p) => p.name);
}
