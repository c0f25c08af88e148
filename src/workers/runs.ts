// The worker's run registry: each open run's Trainer, and the encoded datasets they share.
// Other worker method groups (inspect) reach a run's model through getTrainer(); anything that must not
// interleave with a training step (export, import, reset) goes through withRun(), which serializes per run.
import type { EncodedDataset } from '../engine/data';
import { shopFromKnobs } from '../engine/data/shopKnobs';
import { Trainer } from '../engine/train/trainer';
import { loadStoredDataset } from '../storage/datasetStore';
import { noRecentRecords, parseDatasetKey, type RecentRecords, type RunSpec } from './runProtocol';

export interface RunEntry {
  spec: RunSpec;
  trainer: Trainer;
  /** Step of the last weights written to IndexedDB (null: none yet). */
  lastGoodStep: number | null;
  /** The last records posted to the page, saved with the weights (RecentRecords). */
  recent: RecentRecords;
}

const runs = new Map<string, RunEntry>();
/** Tail of each run id's queue of exclusive operations (kept per id, so a re-created run queues behind its old self). */
const queues = new Map<string, Promise<unknown>>();
/** Encoded datasets by datasetKey; runs with the same key share one (same arrays, same split). */
const datasets = new Map<string, Promise<EncodedDataset>>();

/** The dataset a key names: the shop world regenerated from its knobs, or an uploaded one from IndexedDB. */
export function getDataset(key: string): Promise<EncodedDataset> {
  let p = datasets.get(key);
  if (!p) {
    p = buildDataset(key);
    datasets.set(key, p);
    // A failed build must not stick: the next try (e.g. after the upload finished saving) builds again.
    p.catch(() => datasets.delete(key));
  }
  return p;
}

async function buildDataset(key: string): Promise<EncodedDataset> {
  const { dataset, shop, encoding } = parseDatasetKey(key);
  // The config's sizes (H, N, M) and split govern the encoding; the world's own seed fixes the split order.
  if (dataset === 'shop') return shopFromKnobs(shop, encoding);
  return loadStoredDataset(dataset);
}

/** Frees datasets no open run uses (they are rebuilt on demand). */
export function dropUnusedDatasets(): void {
  const used = new Set([...runs.values()].map((r) => r.spec.datasetKey));
  for (const key of datasets.keys()) if (!used.has(key)) datasets.delete(key);
}

export function hasRun(runId: string): boolean {
  return runs.has(runId);
}

export function getRun(runId: string): RunEntry {
  const r = runs.get(runId);
  if (!r) throw new Error(`Run '${runId}' is not loaded in the training worker (open it first: useRuns().ensureLoaded(id))`);
  return r;
}

/** The run's trainer (its model, optimizer and data). Throws a clear error for an unknown or closed run. */
export function getTrainer(runId: string): Trainer {
  return getRun(runId).trainer;
}

export function openRuns(): RunEntry[] {
  return [...runs.values()];
}

/** Runs `fn` when no other exclusive operation of this run id is running. */
export function exclusive<T>(runId: string, fn: () => Promise<T>): Promise<T> {
  const result = (queues.get(runId) ?? Promise.resolve()).then(fn);
  queues.set(
    runId,
    result.catch(() => {}),
  );
  return result;
}

/** Runs `fn` on the open run when nothing else of it is running (training steps, export, import, reset). */
export function withRun<T>(runId: string, fn: (entry: RunEntry) => Promise<T>): Promise<T> {
  getRun(runId); // fail fast for an unknown run
  return exclusive(runId, () => fn(getRun(runId)));
}

/** Builds a fresh trainer for the spec, replacing (and freeing) any open one with the same id. Call inside exclusive(). */
export async function createEntry(spec: RunSpec): Promise<RunEntry> {
  const dataset = await getDataset(spec.datasetKey);
  const trainer = Trainer.create(dataset, spec.config);
  runs.get(spec.id)?.trainer.dispose();
  const entry: RunEntry = { spec, trainer, lastGoodStep: null, recent: noRecentRecords() };
  runs.set(spec.id, entry);
  return entry;
}

export function closeEntry(runId: string): Promise<void> {
  return exclusive(runId, async () => {
    const entry = runs.get(runId);
    if (!entry) return;
    runs.delete(runId);
    queues.delete(runId);
    entry.trainer.dispose();
    dropUnusedDatasets();
  });
}
