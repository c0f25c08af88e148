// Runs and their last good weights in IndexedDB, so a reload or a worker crash loses nothing.
// The page writes run records (config, seed, dataset, history); the worker writes weights (it has them, and
// posting a model to the page just to store it would block both sides for nothing).
import type { Config } from '../engine/config';
import { noRecentRecords, type EvalRecord, type FaultKind, type ProbeRecord, type RecentRecords, type StepRecord, type WeightsFile } from '../workers/runProtocol';
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

/** Every stored run, oldest first, each with the unsaved tail its page left (then stored with it). */
export async function loadRuns(): Promise<StoredRun[]> {
  const d = await db();
  const all = (await d.getAll('runs')) as unknown as StoredRun[];
  const runs = await Promise.all(
    all.map(async (run) => {
      const merged = withRunTail(run);
      if (merged) await saveRun(merged);
      clearRunTail(run.id);
      return merged ?? run;
    }),
  );
  return runs.sort((a, b) => a.createdAt - b.createdAt);
}

/** Removes the run and its weights. */
export async function deleteStoredRun(id: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(['runs', 'weights'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('weights').delete(id), tx.done]);
  clearRunTail(id);
}

/** The weights, and the records up to them (RecentRecords: a reload may have lost them on the page). */
export async function saveWeights(runId: string, file: WeightsFile, recent: RecentRecords = noRecentRecords()): Promise<void> {
  const d = await db();
  await d.put('weights', { id: runId, file, recent });
}

/** The run's saved weights with the records kept with them (null: none saved). */
export async function loadSavedWeights(runId: string): Promise<{ file: WeightsFile; recent: RecentRecords } | null> {
  const d = await db();
  const row = await d.get('weights', runId);
  return row ? { file: row.file as WeightsFile, recent: (row.recent as RecentRecords | undefined) ?? noRecentRecords() } : null;
}

export async function loadWeights(runId: string): Promise<WeightsFile | null> {
  return (await loadSavedWeights(runId))?.file ?? null;
}

export async function deleteWeights(runId: string): Promise<void> {
  const d = await db();
  await d.delete('weights', runId);
}

// ---------------- the unsaved tail ----------------
// The page writes a run's record at most every 1.5 s, and an IndexedDB write still in flight when the page unloads
// is aborted. So when the page goes away, each run's records from its last committed write on go to localStorage,
// which writes synchronously; the next load merges them into the stored run.

/** A run's state from step `from` on: its step and status, and its history records at or past `from`. */
export interface RunTail {
  from: number;
  step: number;
  status: RunStatus;
  steps: StepRecord[];
  evals: EvalRecord[];
  probes: ProbeRecord[];
}

const TAIL_PREFIX = 'onerank.runTail.';

/** Writes the run's records from step `from` on, synchronously. A full quota only loses the tail. */
export function saveRunTail(run: StoredRun, from: number): void {
  const past = <T extends { step: number }>(list: T[]) => list.filter((r) => r.step >= from);
  const tail: RunTail = { from, step: run.step, status: run.status, steps: past(run.history.steps), evals: past(run.history.evals), probes: past(run.history.probes) };
  try {
    localStorage.setItem(TAIL_PREFIX + run.id, JSON.stringify(tail));
  } catch {
    // the stored record stands
  }
}

export function clearRunTail(runId: string): void {
  localStorage.removeItem(TAIL_PREFIX + runId);
}

/**
 * The stored run continued by its tail (a tail outlives only writes that started before it, so it is the newer
 * state); null: no tail, or one that does not join the record without a gap.
 */
export function withRunTail(run: StoredRun): StoredRun | null {
  const raw = localStorage.getItem(TAIL_PREFIX + run.id);
  if (!raw) return null;
  const tail = JSON.parse(raw) as RunTail;
  if (!(tail.from <= run.step)) return null;
  const join = <T extends { step: number }>(kept: T[], more: T[]) => [...kept.filter((r) => r.step < tail.from), ...more];
  return {
    ...run,
    step: tail.step,
    status: tail.status,
    history: { steps: join(run.history.steps, tail.steps), evals: join(run.history.evals, tail.evals), probes: join(run.history.probes, tail.probes) },
  };
}
