/// <reference lib="webworker" />
// The parsing worker: reads an uploaded file (streaming, so a 100 MB file never sits in memory as one
// string), infers its schema, checks the user's edits, and encodes + stores the result. The page thread
// only draws progress and tables, so it never freezes on a large file.
import { DataError, encode, generateShop, inferSchema, isDataError, labelCandidates, leakWarnings, parseCsv, summarize, type LeakWarning, type ParsedFile } from '../engine/data';
import { columnExamples, preflight } from '../engine/data/preflight';
import { shopOptionsFromKnobs } from '../engine/data/shopKnobs';
import { saveDataset } from '../storage/datasetStore';
import { serve } from './rpc';
import { parseDatasetKey } from './runProtocol';
import type { DataErrorInfo, Outcome, ParseEvent, ParseMethods, ParseWorkerMethods } from './parseProtocol';

/** The one upload under review (a new parse replaces it: only one table is ever held). */
let held: { token: number; parsed: ParsedFile; fileBytes: number; warnings: LeakWarning[] } | null = null;
const running = new Map<number, AbortController>();
/** Progress is posted at most this often (a 100 MB file would otherwise post thousands of events). */
const PROGRESS_MS = 80;

function asInfo(e: unknown): DataErrorInfo {
  if (isDataError(e)) return e.toJSON();
  throw e;
}

function failure<T>(e: unknown): Outcome<T> {
  return { ok: false, error: asInfo(e) };
}

function heldTable(token: number): ParsedFile {
  if (!held || held.token !== token) throw new Error('This upload is no longer held by the parsing worker; choose the file again.');
  return held.parsed;
}

const methods: ParseMethods = {
  async parse({ token, file, skipRaggedRows, maxBytes }) {
    held = null; // free the previous table before reading the next one
    const abort = new AbortController();
    running.set(token, abort);
    const t0 = performance.now();
    let lastPost = 0;
    try {
      const parsed = await parseCsv(file, {
        fileName: file.name,
        skipRaggedRows,
        maxBytes,
        signal: abort.signal,
        onProgress: (p) => {
          const now = performance.now();
          if (now - lastPost < PROGRESS_MS) return;
          lastPost = now;
          emit({ type: 'progress', token, bytesRead: p.bytesRead, totalBytes: p.totalBytes, rows: p.rows });
        },
      });
      if (abort.signal.aborted) throw new DataError({ code: 'cancelled', file: file.name, problem: 'loading was cancelled', hint: 'Load the file again when you are ready.' });
      emit({ type: 'progress', token, bytesRead: file.size, totalBytes: file.size, rows: parsed.numRows });
      // Roles, then the leakage guard on the training rows of the default split.
      const inference = inferSchema(parsed);
      held = { token, parsed, fileBytes: file.size, warnings: inference.warnings };
      const examples: Record<string, string[]> = {};
      for (const c of parsed.columns) examples[c.name] = columnExamples(c, 3, parsed.listSeparator);
      const problem = preflight(parsed, inference.schema);
      return {
        ok: true,
        value: {
          token,
          fileName: file.name,
          fileBytes: file.size,
          delimiter: parsed.delimiter,
          gzip: parsed.gzip,
          textBytes: parsed.textBytes,
          numRows: parsed.numRows,
          skippedRows: parsed.skippedRows,
          raggedExamples: parsed.raggedExamples,
          schema: inference.schema,
          profiles: inference.profiles,
          funnel: inference.funnel,
          warnings: inference.warnings,
          examples,
          labelCandidates: labelCandidates(inference),
          problem: problem ? problem.toJSON() : null,
          parseMs: Math.round(performance.now() - t0),
        },
      };
    } catch (e) {
      return failure(e);
    } finally {
      running.delete(token);
    }
  },

  cancel({ token }) {
    running.get(token)?.abort();
  },

  leaks({ token, schema }) {
    return leakWarnings(heldTable(token), schema, held?.warnings ?? []);
  },

  check({ token, schema, decided }) {
    const problem = preflight(heldTable(token), schema, { decided });
    return problem ? problem.toJSON() : null;
  },

  async save({ token, schema, options, name }) {
    const parsed = heldTable(token);
    try {
      const dataset = encode(parsed, schema, { ...options, name });
      const summary = summarize(dataset);
      const info = await saveDataset(
        {
          name,
          fileName: parsed.name,
          recipe: { schema, options, fileBytes: held?.fileBytes ?? 0, delimiter: parsed.delimiter, gzip: parsed.gzip, skippedRows: parsed.skippedRows },
          summary,
        },
        dataset,
      );
      held = null;
      return { ok: true, value: info };
    } catch (e) {
      return failure(e);
    }
  },

  discard({ token }) {
    if (held?.token === token) held = null;
  },

  shopSummary({ datasetKey }) {
    try {
      // The same steps as the training worker's buildDataset (runs.ts), so the summary is of what trains.
      const { shop, encoding } = parseDatasetKey(datasetKey);
      const { options, problems } = shopOptionsFromKnobs(shop);
      if (problems.length > 0) throw new Error(`The shop world's settings are not usable: ${problems.join('; ')}`);
      return { ok: true, value: summarize(generateShop(options, encoding)) };
    } catch (e) {
      if (isDataError(e)) return failure(e);
      // The world refuses impossible knobs with a plain Error; show it like a data problem.
      return failure(new DataError({ code: 'bad_schema', file: 'shop', problem: e instanceof Error ? e.message : String(e), hint: 'Change the shop knobs.' }));
    }
  },
};

const emit = serve<ParseWorkerMethods, ParseEvent>(self as unknown as DedicatedWorkerGlobalScope, methods as ParseWorkerMethods);
