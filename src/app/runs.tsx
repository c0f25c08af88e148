// The page's run store: every run's record (config, seed, dataset, history) lives here and in IndexedDB; its
// model lives in the training worker. The store survives worker deaths and reloads: a run is (re)opened in the
// current worker on demand, from its last good weights when it has any.
//
// React reads it through useRuns(). Worker events arrive up to ~10 times a second; the store folds them into
// immutable snapshots and hands React at most ~4 per second, inside a transition, so charts re-render in
// interruptible slices and never block the page.
import { createContext, startTransition, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { BackendRequest } from '../engine/backendReport';
import type { Config } from '../engine/config';
import { configDiff } from '../engine/config';
import type { TrainingEvent } from '../workers/protocol';
import { datasetKey, type EvalRecord, type OpenedRun, type PredictResult, type RunEvent, type WeightsFile } from '../workers/runProtocol';
import { clearRunTail, deleteStoredRun, loadRuns, saveRun, saveRunTail, type RunStatus, type StoredRun } from '../storage/runStore';
import { RUN_PALETTE } from '../charts/palette';
import { useApp } from './AppContext';
import { catchUpStops, compareRefusal, lagging } from './runGroups';
import { historyAt, withRecord } from './runHistory';
import type { TrainingWorker } from './trainingWorker';

export type { RunStatus } from '../storage/runStore';
export type { StepRecord, EvalRecord, ProbeRecord, WeightsFile } from '../workers/runProtocol';

export interface RunView extends StoredRun {
  /** Task names (known once the run was opened or evaluated). */
  tasks: string[];
  /** The step of the last good weights saved for it (null: none yet). */
  savedStep: number | null;
  /** Trainable parameters (once opened). */
  parameters: number | null;
  /** When its current training session began (null while it does not train): the ETA counts only that session. */
  trainingSince: number | null;
}

export interface RunsApi {
  runs: RunView[];
  activeRunId: string | null;
  setActiveRun(id: string | null): void;
  /** Creates (and opens, and evaluates at step 0) a run; resolves with its id once it is ready. */
  createRun(cfg: Config, opts?: { name?: string; dataset?: string; shop?: Record<string, string> }): Promise<string>;
  /** Trains the runs round-robin: `steps` more steps each, or up to each one's config.steps. Resolves when they stop. */
  train(runIds: string[], steps?: number): Promise<void>;
  /**
   * Stops every training run after its current step; then the runs in `align` (a base and its comparisons) that
   * stopped behind the others step up to them, so all are evaluated at the same step.
   */
  pause(align?: string[]): Promise<void>;
  step(runIds: string[]): Promise<void>;
  /** Back to step 0 with fresh weights from the same seed; history cleared. */
  reset(runId: string): Promise<void>;
  deleteRun(id: string): Promise<void>;
  renameRun(id: string, name: string): void;
  /**
   * A copy of the run with `change` applied (same seed, same data); the name says the change. It trains up to its
   * base's step, stopping at every step the base was evaluated at. The base stays the selected run.
   */
  compareRun(baseId: string, change: Partial<Config>): Promise<string>;
  /**
   * Re-opens an interrupted or faulted run from its last good weights and trains it on; with a backend (or after
   * a lost GPU device) in a fresh worker on that backend.
   */
  resume(runId: string, backend?: BackendRequest): Promise<void>;
  /** Makes sure the run's model is loaded in the current worker (e.g. after a reload), for panels that inspect it. */
  ensureLoaded(runId: string): Promise<void>;
  exportWeights(runId: string): Promise<WeightsFile>;
  /** The run as a PyTorch project, one .tar under the top folder `folder`. */
  exportTorch(runId: string, folder: string): Promise<Blob>;
  importWeights(runId: string, file: WeightsFile): Promise<void>;
  predict(runId: string, requests: number): Promise<PredictResult>;
  /** False until runs stored in IndexedDB were loaded. */
  loaded: boolean;
}

/** Distinct run colors (colour-blind safe, charts/palette.ts), assigned in creation order, skipping colors in use. */
export const RUN_COLORS = RUN_PALETTE;

function nextColor(runs: Iterable<RunView>): string {
  const used = new Set([...runs].map((r) => r.color));
  return RUN_COLORS.find((c) => !used.has(c)) ?? RUN_COLORS[used.size % RUN_COLORS.length];
}

function newId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** "detach=false, lr=0.01": what differs between two configs, for run names and legends. */
export function describeChange(base: Config, cfg: Config): string {
  const d = configDiff(base, cfg);
  return d.length === 0 ? 'same config' : d.map(([k, v]) => `${k}=${v}`).join(', ');
}

const ACTIVE_KEY = 'onerank.activeRun';
const NOTIFY_MS = 250;
const SAVE_MS = 1500;

/** Every run's record, and the bridge to whatever worker is alive. */
class RunStore {
  private runs = new Map<string, RunView>();
  activeRunId: string | null = null;
  loaded = false;
  private snapshot: { runs: RunView[]; activeRunId: string | null; loaded: boolean } = { runs: [], activeRunId: null, loaded: false };
  private listeners = new Set<() => void>();
  private notifyTimer: ReturnType<typeof setTimeout> | null = null;
  private saveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** runId -> the step of the record last committed to IndexedDB (the unsaved tail starts there). */
  private storedStep = new Map<string, number>();
  /** Writes started so far, and per run how many had started when its tail was written. */
  private writes = 0;
  private tailAt = new Map<string, number>();
  private worker: TrainingWorker | null = null;
  private waiting: ((w: TrainingWorker) => void)[] = [];
  /** Runs opened in the current worker (cleared when the worker changes). */
  private opened = new Map<string, Promise<OpenedRun>>();
  private unsubscribe: (() => void) | null = null;

  // ---------------- snapshots for React ----------------

  get current() {
    return this.snapshot;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Publishes a new snapshot: right away for the user's own actions, else at most every NOTIFY_MS. */
  private changed(now = false) {
    if (now) {
      if (this.notifyTimer) clearTimeout(this.notifyTimer);
      this.notifyTimer = null;
      this.publish();
      return;
    }
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = null;
      this.publish();
    }, NOTIFY_MS);
  }

  private publish() {
    this.snapshot = { runs: [...this.runs.values()], activeRunId: this.activeRunId, loaded: this.loaded };
    for (const fn of this.listeners) fn();
  }

  private update(id: string, patch: Partial<RunView> | ((r: RunView) => Partial<RunView>), opts: { now?: boolean; save?: 'now' | 'later' } = {}) {
    const r = this.runs.get(id);
    if (!r) return;
    const p = typeof patch === 'function' ? patch(r) : patch;
    this.runs.set(id, { ...r, ...p });
    this.changed(opts.now);
    if (opts.save === 'now') void this.persist(id);
    else if (opts.save === 'later') this.persistLater(id);
  }

  get(id: string): RunView {
    const r = this.runs.get(id);
    if (!r) throw new Error(`No run with id ${id}`);
    return r;
  }

  // ---------------- persistence ----------------

  private async persist(id: string) {
    const t = this.saveTimers.get(id);
    if (t) clearTimeout(t);
    this.saveTimers.delete(id);
    const r = this.runs.get(id);
    if (!r) return;
    const stored = toStored(r);
    const seq = ++this.writes;
    await saveRun(stored);
    this.storedStep.set(id, stored.step);
    // A tail written after this write started holds a newer state: it stays.
    if (seq > (this.tailAt.get(id) ?? 0)) clearRunTail(id);
  }

  /**
   * The page is going away (reload, close, tab hidden): the throttled save would lose up to SAVE_MS of step
   * history, and an IndexedDB write in flight may not outlive the page. So every run's records from its last
   * committed write on go to localStorage synchronously (the next load merges them); the full writes are tried too.
   */
  flushSaves = () => {
    for (const r of this.runs.values()) {
      const stored = this.storedStep.get(r.id) ?? 0;
      // A run that went back (reset, resume) since its last write: the whole history.
      saveRunTail(toStored(r), r.step < stored ? 0 : stored);
      this.tailAt.set(r.id, this.writes);
    }
    for (const id of [...this.saveTimers.keys()]) void this.persist(id);
  };

  private persistLater(id: string) {
    if (this.saveTimers.has(id)) return;
    this.saveTimers.set(
      id,
      setTimeout(() => void this.persist(id), SAVE_MS),
    );
  }

  async load() {
    const stored = await loadRuns();
    for (const s of stored) {
      this.storedStep.set(s.id, s.step);
      // A run that was training when the page went away was cut off mid-run: it resumes from its saved weights.
      const status: RunStatus = s.status === 'training' ? 'interrupted' : s.status;
      const error = status === 'interrupted' && s.status === 'training' ? 'The page was closed while this run trained. Resume continues from its last saved weights.' : s.error;
      this.runs.set(s.id, { ...s, status, error, tasks: s.history.evals.at(-1)?.tasks.map((t) => t.task) ?? [], savedStep: null, parameters: null, trainingSince: null });
    }
    const remembered = localStorage.getItem(ACTIVE_KEY);
    this.activeRunId = remembered && this.runs.has(remembered) ? remembered : (stored.at(-1)?.id ?? null);
    this.loaded = true;
    this.changed(true);
    if (this.worker) this.openAllIdle();
  }

  // ---------------- the worker ----------------

  attach(w: TrainingWorker | null, why = 'The training worker was replaced (backend switch)') {
    if (w === this.worker) return;
    if (this.worker) this.interruptTraining(why);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.worker = w;
    this.opened.clear();
    if (!w) return;
    this.unsubscribe = w.subscribe((e) => this.onEvent(e));
    for (const fn of this.waiting.splice(0)) fn(w);
    if (this.loaded) this.openAllIdle();
  }

  /** The worker died: runs that were training are interrupted (their history and saved weights stay). */
  workerDied(why: string) {
    this.attach(null, why);
    this.interruptTraining(why);
  }

  private interruptTraining(why: string) {
    for (const r of this.runs.values()) this.interrupt(r.id, why);
  }

  /** A training run whose worker went away: it keeps its history and saved weights, and says what happened. */
  private interrupt(id: string, why: string) {
    const r = this.runs.get(id);
    if (r?.status !== 'training') return;
    this.update(id, { status: 'interrupted', error: `${why.replace(/\.$/, '')}. The run stopped at step ${r.step}; Resume continues from its last saved weights.` }, { now: true, save: 'now' });
  }

  private ready(): Promise<TrainingWorker> {
    if (this.worker) return Promise.resolve(this.worker);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Opens idle runs in a fresh worker so every panel can use them right away. */
  private openAllIdle() {
    for (const r of this.runs.values()) if (r.status === 'idle') void this.ensureLoaded(r.id).catch(() => {});
  }

  /** Opens the run in the current worker (once per worker), restoring its last good weights when it has any. */
  ensureLoaded(id: string): Promise<void> {
    return this.open(id, true).then(() => undefined);
  }

  private open(id: string, restore: boolean): Promise<OpenedRun> {
    let p = this.opened.get(id);
    if (!p) {
      p = this.ready().then(async (w) => {
        const r = this.get(id);
        const o = await w.client.call('openRun', { run: { id, config: r.config, datasetKey: r.datasetKey }, restore });
        this.afterOpen(id, o);
        return o;
      });
      this.opened.set(id, p);
      p.catch((e: Error) => {
        if (this.opened.get(id) === p) this.opened.delete(id);
        // A run already stopped by a fault keeps that message: it says what happened first (e.g. the GPU device
        // was lost), and any later open fails for the same reason.
        if (this.runs.has(id) && this.get(id).status !== 'fault') {
          this.update(id, { status: 'fault', error: `Could not build this run: ${e.message}` }, { now: true, save: 'now' });
        }
      });
    }
    return p;
  }

  /**
   * The worker's step is the truth: history past the restored weights never happened for this model, and the
   * records up to them that this page never received (a reload while the run trained) come with them.
   */
  private afterOpen(id: string, o: OpenedRun) {
    this.update(
      id,
      (r) => ({
        tasks: o.tasks,
        parameters: o.parameters,
        step: o.step,
        savedStep: o.restored ? o.step : r.savedStep,
        history: historyAt(r.history, o.step, o.recent),
      }),
      { now: true, save: 'later' },
    );
  }

  private onEvent(e: TrainingEvent) {
    if (e.type === 'log') return;
    const ev = e as RunEvent;
    if (!this.runs.has(ev.runId)) return;
    switch (ev.type) {
      case 'run-steps':
        this.update(ev.runId, (r) => ({ step: ev.records.at(-1)?.step ?? r.step, history: { ...r.history, steps: r.history.steps.concat(ev.records) } }), { save: 'later' });
        break;
      case 'run-eval':
        this.update(ev.runId, (r) => ({ tasks: ev.record.tasks.map((t) => t.task), history: { ...r.history, evals: withRecord(r.history.evals, ev.record) } }), { save: 'later' });
        break;
      case 'run-probe':
        this.update(ev.runId, (r) => ({ history: { ...r.history, probes: withRecord(r.history.probes, ev.record) } }), { save: 'later' });
        break;
      case 'run-status':
        this.update(
          ev.runId,
          (r) => ({
            step: ev.step,
            status: ev.training ? 'training' : r.status === 'training' ? 'idle' : r.status,
            error: ev.training ? undefined : r.error,
            trainingSince: ev.training ? (r.status === 'training' && r.trainingSince !== null ? r.trainingSince : Date.now()) : null,
          }),
          { now: true, save: 'now' },
        );
        break;
      case 'run-saved':
        this.update(ev.runId, { savedStep: ev.step });
        break;
      case 'run-fault': {
        const where = ev.lastGoodStep === null ? 'No weights were saved yet; Resume starts it again.' : `Its last good weights (step ${ev.lastGoodStep}) are kept; Resume continues from there.`;
        this.update(ev.runId, { status: 'fault', faultKind: ev.kind, step: ev.step, error: `${ev.message} ${where}` }, { now: true, save: 'now' });
        // A faulted model is not trusted: the next use re-opens it from the saved weights.
        this.opened.delete(ev.runId);
        break;
      }
    }
  }

  // ---------------- the API ----------------

  setActiveRun = (id: string | null) => {
    this.activeRunId = id;
    if (id) localStorage.setItem(ACTIVE_KEY, id);
    else localStorage.removeItem(ACTIVE_KEY);
    this.changed(true);
  };

  createRun = async (cfg: Config, opts: { name?: string; dataset?: string; shop?: Record<string, string>; baseOf?: StoredRun['baseOf']; select?: boolean } = {}): Promise<string> => {
    const dataset = opts.dataset ?? 'shop';
    const shop = dataset === 'shop' ? (opts.shop ?? {}) : {};
    const id = newId();
    const run: RunView = {
      id,
      name: opts.name ?? `${cfg.model} #${this.runs.size + 1}`,
      config: { ...cfg },
      dataset,
      shop,
      datasetKey: datasetKey(dataset, shop, cfg),
      seed: cfg.seed,
      step: 0,
      status: 'idle',
      color: nextColor(this.runs.values()),
      baseOf: opts.baseOf,
      createdAt: Date.now(),
      history: { steps: [], evals: [], probes: [] },
      tasks: [],
      savedStep: null,
      parameters: null,
      trainingSince: null,
    };
    this.runs.set(id, run);
    if (opts.select === false) this.changed(true);
    else this.setActiveRun(id);
    await this.persist(id);
    await this.open(id, false);
    return id;
  };

  compareRun = async (baseId: string, change: Partial<Config>): Promise<string> => {
    const base = this.get(baseId);
    const refused = compareRefusal(base, change);
    if (refused) throw new Error(refused);
    const cfg: Config = { ...base.config, ...change, seed: base.config.seed };
    const diff = describeChange(base.config, cfg);
    const rootId = base.baseOf?.runId && this.runs.has(base.baseOf.runId) ? base.baseOf.runId : baseId;
    // The base stays selected (from the first moment): the sidebar keeps the settings of the next run, and Play
    // trains base and comparison.
    const id = await this.createRun(cfg, { name: `${base.name} · ${diff}`, dataset: base.dataset, shop: base.shop, baseOf: { runId: rootId, change: diff }, select: false });
    // Catch up with the base, evaluated at the base's evaluation steps, so the curves overlay point for point (at
    // the base's step too only if the base was: a pause evaluates nothing, and puts off an evaluation due there).
    const baseEvals = base.history.evals.map((e) => e.step);
    for (const stop of catchUpStops(baseEvals, base.step, cfg.evalEvery)) {
      const at = this.get(id).step;
      if (stop > at) await this.train([id], stop - at, { evaluate: baseEvals.includes(stop) });
    }
    return id;
  };

  /** `evaluate: false`: nothing is evaluated where this call stops (see the worker's train). */
  train = async (runIds: string[], steps?: number, opts: { evaluate?: boolean } = {}): Promise<void> => {
    const ids = runIds.filter((id) => this.runs.has(id));
    if (ids.length === 0) return;
    const w = await this.ready();
    await Promise.all(ids.map((id) => this.open(id, true)));
    for (const id of ids) this.update(id, { status: 'training', error: undefined, faultKind: undefined }, { now: true });
    try {
      await w.client.call('train', { runIds: ids, steps, evaluate: opts.evaluate });
    } catch (e) {
      // The call failed (most often: the worker died under it). The run keeps its history and saved weights.
      for (const id of ids) this.interrupt(id, e instanceof Error ? e.message : String(e));
      throw e;
    }
    // The worker's status events normally did this already.
    for (const id of ids) if (this.runs.get(id)?.status === 'training' && this.worker === w) this.update(id, { status: 'idle' }, { now: true, save: 'now' });
  };

  pause = async (align: string[] = []): Promise<void> => {
    await this.worker?.client.call('pause', {}).catch(() => {});
    // Round-robin runs stop a step apart; the ones behind catch up, quietly as the lead stopped (what falls due at
    // that step is done when they train on, as the lead's is).
    const together = align.filter((id) => this.runs.has(id) && this.get(id).status === 'idle').map((id) => ({ id, step: this.get(id).step }));
    if (together.length < 2) return;
    await Promise.all(lagging(together).map((l) => this.train([l.id], l.steps, { evaluate: false })));
  };

  step = (runIds: string[]) => this.train(runIds, 1);

  reset = async (runId: string): Promise<void> => {
    const w = await this.ready();
    await this.open(runId, true);
    const first: EvalRecord = await w.client.call('resetRun', { runId });
    this.update(
      runId,
      { step: 0, status: 'idle', error: undefined, savedStep: 0, history: { steps: [], evals: [first], probes: [] } },
      { now: true, save: 'now' },
    );
  };

  resume = async (runId: string): Promise<void> => {
    this.opened.delete(runId);
    await this.open(runId, true);
    this.update(runId, { status: 'idle', error: undefined, faultKind: undefined }, { now: true, save: 'now' });
    await this.train([runId]);
  };

  deleteRun = async (id: string): Promise<void> => {
    if (!this.runs.has(id)) return;
    if (this.worker && this.opened.has(id)) await this.worker.client.call('closeRun', { runId: id }).catch(() => {});
    this.opened.delete(id);
    this.runs.delete(id);
    this.storedStep.delete(id);
    this.tailAt.delete(id);
    if (this.activeRunId === id) this.setActiveRun([...this.runs.keys()].at(-1) ?? null);
    this.changed(true);
    await deleteStoredRun(id);
  };

  renameRun = (id: string, name: string) => {
    this.update(id, { name: name.trim() || this.get(id).name }, { now: true, save: 'now' });
  };

  exportWeights = async (runId: string): Promise<WeightsFile> => {
    const w = await this.ready();
    await this.open(runId, true);
    return w.client.call('exportWeights', { runId });
  };

  exportTorch = async (runId: string, folder: string): Promise<Blob> => {
    const w = await this.ready();
    await this.open(runId, true);
    return w.client.call('exportTorch', { runId, folder });
  };

  importWeights = async (runId: string, file: WeightsFile): Promise<void> => {
    const w = await this.ready();
    await this.open(runId, true);
    const o = await w.client.call('importWeights', { runId, file });
    // The model now is the file's model: history past its step is not this model's history.
    this.afterOpen(runId, o);
    this.update(runId, { status: 'idle', error: undefined, savedStep: o.step }, { now: true, save: 'now' });
  };

  predict = async (runId: string, requests: number): Promise<PredictResult> => {
    const w = await this.ready();
    await this.open(runId, true);
    return w.client.call('predict', { runId, requests });
  };
}

/** The run as stored: without what only exists while the page is open. */
function toStored(r: RunView): StoredRun {
  const { tasks: _tasks, savedStep: _savedStep, parameters: _parameters, trainingSince: _since, ...stored } = r;
  return stored;
}

const RunsContext = createContext<RunsApi | null>(null);

/** The store behind useRuns(); exposed for the e2e hooks and tests. */
const store = new RunStore();

declare global {
  interface Window {
    __playground?: {
      /** Test builds only (VITE_TEST_HOOKS=1): kills the training worker. */
      killWorker?(): void;
      /** Test builds only: destroys the training worker's GPUDevice (webgpu only), a real device loss. */
      loseDevice?(): Promise<void>;
      runs(): RunView[];
      predict(runId: string, requests: number): Promise<PredictResult>;
    };
  }
}

export function RunsProvider({ children }: { children: ReactNode }) {
  const { state, worker, workerError, restartWorker } = useApp();
  const [snap, setSnap] = useState(store.current);

  useEffect(() => store.subscribe(() => startTransition(() => setSnap(store.current))), []);

  useEffect(() => {
    void store.load();
  }, []);

  useEffect(() => {
    const onHidden = () => document.visibilityState === 'hidden' && store.flushSaves();
    window.addEventListener('pagehide', store.flushSaves);
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      window.removeEventListener('pagehide', store.flushSaves);
      document.removeEventListener('visibilitychange', onHidden);
    };
  }, []);

  useEffect(() => {
    store.attach(worker);
  }, [worker]);

  // A live worker that died: interrupt its runs and start a fresh one (same backend), where Resume re-opens them.
  // Only a worker that was live: a backend that fails to start must not restart forever.
  const lastWorker = useRef<TrainingWorker | null>(null);
  useEffect(() => {
    if (worker) {
      lastWorker.current = worker;
      return;
    }
    const died = workerError !== null && lastWorker.current !== null;
    lastWorker.current = null;
    if (died) {
      store.workerDied(workerError);
      restartWorker();
    }
  }, [worker, workerError, restartWorker]);

  useEffect(() => {
    window.__playground = {
      ...window.__playground,
      runs: () => store.current.runs,
      predict: (id, n) => store.predict(id, n),
    };
    // Hooks that break things on purpose exist only in a test build (VITE_TEST_HOOKS=1 at build time, as
    // tests/e2e/globalSetup.ts builds): Vite replaces the condition with a constant, so a production bundle
    // drops this block (tests/e2e/bundle.e2e.ts checks it).
    if (import.meta.env.VITE_TEST_HOOKS === '1') {
      window.__playground.killWorker = () => worker?.kill('The training worker was killed (test hook)');
      window.__playground.loseDevice = async () => {
        if (!worker) throw new Error('No training worker is running');
        await worker.client.call('loseDevice', {});
      };
    }
  }, [worker]);

  const api: RunsApi = useMemo(
    () => ({
      runs: snap.runs,
      activeRunId: snap.activeRunId,
      loaded: snap.loaded,
      setActiveRun: store.setActiveRun,
      // By default a run is made on the dataset the page shows (its shop knobs included).
      createRun: (cfg: Config, opts?: { name?: string; dataset?: string; shop?: Record<string, string> }) => {
        const dataset = opts?.dataset ?? state.dataset;
        const shop = opts?.shop ?? (dataset === state.dataset ? state.shop : {});
        return store.createRun(cfg, { name: opts?.name, dataset, shop });
      },
      train: store.train,
      pause: store.pause,
      step: store.step,
      reset: store.reset,
      deleteRun: store.deleteRun,
      renameRun: store.renameRun,
      compareRun: store.compareRun,
      resume: (id: string, backend?: BackendRequest) => {
        if (backend || store.get(id).faultKind === 'device-lost') {
          store.attach(null, 'The training worker was restarted');
          restartWorker(backend);
        }
        return store.resume(id);
      },
      ensureLoaded: (id: string) => store.ensureLoaded(id),
      exportWeights: store.exportWeights,
      exportTorch: store.exportTorch,
      importWeights: store.importWeights,
      predict: store.predict,
    }),
    [snap, state.dataset, state.shop, restartWorker],
  );
  return <RunsContext.Provider value={api}>{children}</RunsContext.Provider>;
}

export function useRuns(): RunsApi {
  const v = useContext(RunsContext);
  if (!v) throw new Error('useRuns outside <RunsProvider>');
  return v;
}
