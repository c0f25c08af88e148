// The upload flow as one state machine: file -> parsing (progress, cancel) -> review (schema table, knobs,
// problems) -> saving -> stored. Nothing here touches state.dataset until a dataset is safely stored, so a
// rejected or cancelled upload leaves the active dataset (and every run trained on it) as it was.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DatasetSchema, EncodeOptions, LeakWarning } from '../../engine/data';
import type { StoredDatasetInfo } from '../../storage/db';
import type { DataErrorInfo, ParsedUpload } from '../../workers/parseProtocol';
import { datasetNameFromFile } from './format';
import type { ParseWorker } from './parseClient';

export interface Progress {
  bytesRead: number;
  totalBytes?: number;
  rows: number;
}

export interface Review {
  file: File;
  upload: ParsedUpload;
  schema: DatasetSchema;
  /** Columns whose role the user set by hand (never second-guessed by the preflight). */
  decided: string[];
  problem: DataErrorInfo | null;
  /** The leakage guard's warnings for the schema as edited. */
  warnings: LeakWarning[];
  options: EncodeOptions;
  name: string;
  saving: boolean;
}

export type UploadPhase =
  | { kind: 'idle' }
  | { kind: 'parsing'; token: number; file: File; progress: Progress }
  | { kind: 'failed'; file: File; error: DataErrorInfo }
  | { kind: 'cancelled'; fileName: string }
  | { kind: 'review'; review: Review };

export interface UploadControls {
  phase: UploadPhase;
  choose(file: File, opts?: { skipRaggedRows?: boolean }): void;
  cancel(): void;
  /** Changes the schema; `decided` names the column the user just set by hand. */
  editSchema(schema: DatasetSchema, decided?: string): void;
  editReview(patch: Partial<Pick<Review, 'options' | 'name'>>): void;
  save(): Promise<StoredDatasetInfo | null>;
  discard(): void;
}

/** Why a call to the worker failed outside the data itself (the worker died, say), as a DataErrorInfo. */
function workerFailure(file: string, e: unknown): DataErrorInfo {
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'bad_schema', file, problem: message, message: `${file}: ${message}`, hint: 'Try again; if it repeats, reload the page (your stored datasets are kept).' };
}

export function useUpload(worker: ParseWorker | null, defaults: EncodeOptions): UploadControls {
  const [phase, setPhase] = useState<UploadPhase>({ kind: 'idle' });
  const nextToken = useRef(1);
  // The check that answers last must be the one for the latest edit.
  const checkSeq = useRef(0);
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  useEffect(() => {
    if (!worker) return;
    return worker.onEvent((e) => {
      if (e.type !== 'progress') return;
      setPhase((p) => (p.kind === 'parsing' && p.token === e.token ? { ...p, progress: { bytesRead: e.bytesRead, totalBytes: e.totalBytes, rows: e.rows } } : p));
    });
  }, [worker]);

  const choose = useCallback(
    (file: File, opts: { skipRaggedRows?: boolean } = {}) => {
      if (!worker) return;
      const prev = phaseRef.current;
      if (prev.kind === 'parsing') void worker.client.call('cancel', { token: prev.token });
      const token = nextToken.current++;
      setPhase({ kind: 'parsing', token, file, progress: { bytesRead: 0, totalBytes: file.size, rows: 0 } });
      worker.client.call('parse', { token, file, skipRaggedRows: opts.skipRaggedRows }).then(
        (res) => {
          setPhase((p) => {
            if (p.kind !== 'parsing' || p.token !== token) return p; // superseded by a newer file
            if (!res.ok) return res.error.code === 'cancelled' ? { kind: 'cancelled', fileName: file.name } : { kind: 'failed', file, error: res.error };
            const u = res.value;
            return {
              kind: 'review',
              review: { file, upload: u, schema: u.schema, decided: [], problem: u.problem, warnings: u.warnings, options: { ...defaults }, name: datasetNameFromFile(u.fileName), saving: false },
            };
          });
        },
        (e: unknown) => setPhase((p) => (p.kind === 'parsing' && p.token === token ? { kind: 'failed', file, error: workerFailure(file.name, e) } : p)),
      );
    },
    [worker, defaults],
  );

  const cancel = useCallback(() => {
    const p = phaseRef.current;
    if (p.kind === 'parsing' && worker) void worker.client.call('cancel', { token: p.token });
  }, [worker]);

  const editSchema = useCallback(
    (schema: DatasetSchema, decidedColumn?: string) => {
      const p = phaseRef.current;
      if (p.kind !== 'review' || !worker) return;
      const decided = decidedColumn && !p.review.decided.includes(decidedColumn) ? [...p.review.decided, decidedColumn] : p.review.decided;
      const token = p.review.upload.token;
      setPhase({ kind: 'review', review: { ...p.review, schema, decided } });
      const seq = ++checkSeq.current;
      // A label turned back into a feature may give another label away: the guard looks again.
      worker.client.call('leaks', { token, schema }).then(
        (warnings) => {
          if (seq !== checkSeq.current) return;
          setPhase((q) => (q.kind === 'review' && q.review.upload.token === token ? { kind: 'review', review: { ...q.review, warnings } } : q));
        },
        () => undefined, // the check below reports a dead worker
      );
      worker.client.call('check', { token, schema, decided }).then(
        (problem) => {
          if (seq !== checkSeq.current) return;
          setPhase((q) => (q.kind === 'review' && q.review.upload.token === token ? { kind: 'review', review: { ...q.review, problem } } : q));
        },
        (e: unknown) => {
          if (seq !== checkSeq.current) return;
          setPhase((q) => (q.kind === 'review' ? { kind: 'review', review: { ...q.review, problem: workerFailure(q.review.file.name, e) } } : q));
        },
      );
    },
    [worker],
  );

  const editReview = useCallback((patch: Partial<Pick<Review, 'options' | 'name'>>) => {
    setPhase((p) => (p.kind === 'review' ? { kind: 'review', review: { ...p.review, ...patch } } : p));
  }, []);

  const save = useCallback(async (): Promise<StoredDatasetInfo | null> => {
    const p = phaseRef.current;
    if (p.kind !== 'review' || !worker || p.review.saving) return null;
    const r = p.review;
    setPhase({ kind: 'review', review: { ...r, saving: true } });
    try {
      const res = await worker.client.call('save', { token: r.upload.token, schema: r.schema, options: r.options, name: r.name.trim() || datasetNameFromFile(r.upload.fileName) });
      if (res.ok) {
        setPhase({ kind: 'idle' });
        return res.value;
      }
      setPhase({ kind: 'review', review: { ...r, saving: false, problem: res.error } });
    } catch (e) {
      setPhase({ kind: 'review', review: { ...r, saving: false, problem: workerFailure(r.file.name, e) } });
    }
    return null;
  }, [worker]);

  const discard = useCallback(() => {
    const p = phaseRef.current;
    if (p.kind === 'review' && worker) void worker.client.call('discard', { token: p.review.upload.token });
    if (p.kind === 'parsing' && worker) void worker.client.call('cancel', { token: p.token });
    setPhase({ kind: 'idle' });
  }, [worker]);

  return { phase, choose, cancel, editSchema, editReview, save, discard };
}
