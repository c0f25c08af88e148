// What the page may ask the parsing worker. The worker holds the parsed table between calls (it can be
// hundreds of MB), so the page only ever sees its description: schema, profiles, examples, problems.
// Failures the user can act on come back as values ({ ok: false, error }) with every field of the
// DataError, because a thrown Error loses them crossing postMessage.
import type { ColumnProfile, DatasetSchema, DataErrorInit, DatasetSummary, EncodeOptions, FunnelLink, LeakWarning } from '../engine/data';
import type { StoredDatasetInfo } from '../storage/db';

/** A DataError as plain data (DataError.toJSON()). */
export type DataErrorInfo = DataErrorInit & { message: string };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DataErrorInfo };

export interface ParsedUpload {
  /** The page's handle for this upload (it chose it, so it can cancel before the parse returns). */
  token: number;
  fileName: string;
  fileBytes: number;
  delimiter: string;
  gzip: boolean;
  textBytes: number;
  numRows: number;
  skippedRows: number;
  raggedExamples: string[];
  /** The inferred schema: the starting point of the editable table. */
  schema: DatasetSchema;
  profiles: ColumnProfile[];
  /** A few values of each column, by name. */
  examples: Record<string, string[]>;
  /** Nested labels (the funnel) behind the default task order. */
  funnel: FunnelLink[];
  /** The leakage guard's warnings: columns that give a label away, not features by default. */
  warnings: LeakWarning[];
  /** 0/1 columns inference did not make labels (offered as extra tasks). */
  labelCandidates: string[];
  /** The inferred schema's first problem (see preflight), or null. */
  problem: DataErrorInfo | null;
  parseMs: number;
}

export interface ParseMethods {
  parse(p: { token: number; file: File; skipRaggedRows?: boolean; maxBytes?: number }): Promise<Outcome<ParsedUpload>>;
  /** Stops the parse of `token` (it then resolves with the 'cancelled' error). */
  cancel(p: { token: number }): void;
  /** The leakage guard's warnings for an edited schema (the inferred ones, plus features the edits added that leak). */
  leaks(p: { token: number; schema: DatasetSchema }): LeakWarning[];
  /** Re-checks an edited schema against the held table. */
  check(p: { token: number; schema: DatasetSchema; decided: string[] }): DataErrorInfo | null;
  /** Encodes the held table, stores it in IndexedDB and frees it. */
  save(p: { token: number; schema: DatasetSchema; options: EncodeOptions; name: string }): Promise<Outcome<StoredDatasetInfo>>;
  /** Frees the held table (the user left the review). */
  discard(p: { token: number }): void;
  /** The summary of the built-in shop world as training builds it from this dataset key (runProtocol's datasetKey). */
  shopSummary(p: { datasetKey: string }): Outcome<DatasetSummary>;
}

export type ParseWorkerMethods = ParseMethods & { [method: string]: (params: never) => unknown };

export type ParseEvent = { type: 'progress'; token: number; bytesRead: number; totalBytes?: number; rows: number };
