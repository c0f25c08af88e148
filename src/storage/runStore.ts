// Runs and their last good weights in IndexedDB, so a reload or a worker crash loses nothing.
// The page writes run records (config, seed, dataset, history); the worker writes weights (it has them, and
// posting a model to the page just to store it would block both sides for nothing).
import type { Config } from '../engine/config';
import type { EvalRecord, FaultKind, ProbeRecord, StepRecord, WeightsFile } from '../workers/runProtocol';
import { db } from './db';

export type RunStatus = 'idle' | 'training' | 'fault' | 'interrupted';

/** A run as stored (RunView without the things that only exist while the page is open). */
export interface StoredRun {
  id: string;
  name: string;
  config: Config;
  /** AppState.dataset and AppState.shop the run was made from (to restore the controls). */
  dataset: string;
  shop: Record<string, string>;
  datasetKey: string;
  seed: number;
  step: number;
  status: RunStatus;
  error?: string;
  /** What stopped a run in status 'fault' (a lost GPU device needs a fresh worker to resume). */
  faultKind?: FaultKind;
  color: string;
  /** The run this one was copied from with one change, and that change ("detach=false"). */
  baseOf?: { runId: string; change: string };
  createdAt: number;
  history: { steps: StepRecord[]; evals: EvalRecord[]; probes: ProbeRecord[] };
}

export async function saveRun(run: StoredRun): Promise<void> {
  const d = await db();
  await d.put('runs', run as unknown as { id: string } & Record<string, unknown>);
}

export async function loadRuns(): Promise<StoredRun[]> {
  const d = await db();
  const all = (await d.getAll('runs')) as unknown as StoredRun[];
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

/** Removes the run and its weights. */
export async function deleteStoredRun(id: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(['runs', 'weights'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('weights').delete(id), tx.done]);
}

export async function saveWeights(runId: string, file: WeightsFile): Promise<void> {
  const d = await db();
  await d.put('weights', { id: runId, file });
}

export async function loadWeights(runId: string): Promise<WeightsFile | null> {
  const d = await db();
  const row = await d.get('weights', runId);
  return row ? (row.file as WeightsFile) : null;
}

export async function deleteWeights(runId: string): Promise<void> {
  const d = await db();
  await d.delete('weights', runId);
}
