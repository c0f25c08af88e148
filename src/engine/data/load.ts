// The one-call loader: bytes -> parse -> schema (given or inferred) -> encode -> summary. Used by the
// parsing worker, the CLI train command and inspect-data, so all three see the same dataset.
import type { Config } from '../config';
import { encode, encodeOptionsFrom, encodeWithVocabulary } from './encode';
import { parseCsv, type ByteSource, type ParsedFile, type ParseProgress } from './parse';
import { inferSchema, labelCandidates, type SchemaInference } from './infer';
import { leakWarnings, type LeakWarning } from './leakage';
import { validateSchema, type DatasetSchema } from './schema';
import { summarize, type DatasetSummary } from './summary';
import type { DatasetMeta, EncodedDataset } from './types';

export interface LoadOptions {
  /** A schema to use instead of the inferred one (validated against the file). */
  schema?: DatasetSchema;
  /** Encoding knobs: historyLen, maxCandidates, multiLen, valFraction, split, seed. */
  config?: Partial<Config>;
  /**
   * Encode with this (training) dataset's vocabularies, numeric stats and shapes instead of fitting new ones:
   * a held-out file then lands in the same id space as the training file (see encodeWithVocabulary).
   */
  training?: DatasetMeta;
  /** Tokens rarer than this in training map to OOV (default 1). */
  minCount?: number;
  skipRaggedRows?: boolean;
  maxBytes?: number;
  onProgress?: (p: ParseProgress) => void;
  signal?: AbortSignal;
}

export interface LoadedDataset {
  dataset: EncodedDataset;
  schema: DatasetSchema;
  summary: DatasetSummary;
  /** The inferred schema (even when a schema was given), with per-column measurements for the schema table. */
  inferred: SchemaInference & { labelCandidates: string[] };
  /**
   * The leakage guard's warnings for the schema in use: 'excluded' where the column is not a feature (the
   * inferred schema never uses one), 'kept' where a given schema uses it as a feature anyway.
   */
  warnings: LeakWarning[];
  file: Pick<ParsedFile, 'name' | 'delimiter' | 'gzip' | 'textBytes' | 'skippedRows' | 'raggedExamples' | 'numRows'>;
}

export async function loadDataset(source: ByteSource, fileName: string, opts: LoadOptions = {}): Promise<LoadedDataset> {
  const parsed = await parseCsv(source, { fileName, skipRaggedRows: opts.skipRaggedRows, maxBytes: opts.maxBytes, onProgress: opts.onProgress, signal: opts.signal });
  const encodeOptions = encodeOptionsFrom({ ...opts.config, minCount: opts.minCount, name: fileName });
  // The guard reads the training rows of the split this load will make.
  const inference = inferSchema(parsed, encodeOptions);
  const schema = opts.schema ? validateSchema(opts.schema, parsed) : inference.schema;
  const dataset = opts.training ? encodeWithVocabulary(parsed, schema, opts.training, encodeOptions) : encode(parsed, schema, encodeOptions);
  const { name, delimiter, gzip, textBytes, skippedRows, raggedExamples, numRows } = parsed;
  return {
    dataset,
    schema,
    summary: summarize(dataset),
    inferred: { ...inference, labelCandidates: labelCandidates(inference) },
    warnings: opts.schema ? leakWarnings(parsed, schema, inference.warnings, encodeOptions) : inference.warnings,
    file: { name, delimiter, gzip, textBytes, skippedRows, raggedExamples, numRows },
  };
}

/** Alias under the name the brief used. */
export const loadCsvFile = loadDataset;
