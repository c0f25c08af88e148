// Runs: what the page may ask the worker about training runs, and what the worker reports while they train.
// A run lives in two places: its model (a Trainer) in the worker, its record (config, seed, dataset, history)
// on the page and in IndexedDB. The worker is disposable: after a crash the page opens the run again from the
// last good weights the worker saved to IndexedDB.
import { ENCODING_KEYS, type Config, type EncodingSettings } from '../engine/config';
import type { BackendName } from '../engine/backendReport';
import type { TaskMetrics } from '../engine/train/metrics';
import type {
  EvalRecord as EngineEvalRecord,
  ProbeRecord as EngineProbeRecord,
  StepRecord as EngineStepRecord,
  WeightsFile as EngineWeightsFile,
} from '../engine/train/trainer';

/** One training step: the trainer's record plus what the charts need for throughput (batch size, wall time). */
export interface StepRecord extends Omit<EngineStepRecord, 'epoch'> {
  /** Passes over the training split so far (absent in runs saved before it existed). */
  epoch?: number;
  /** Requests in the batch (the "samples" of samples per second). */
  samples: number;
  /** Worker wall-clock time (ms since epoch) when the step finished. */
  time: number;
}

/** Validation metrics of one task at one step: the engine's TaskMetrics with the task name as `task`. */
export interface TaskEval extends Omit<TaskMetrics, 'name'> {
  task: string;
}

/** The engine's evaluation with per-task metrics as TaskEval (valBce stays in the worker: no chart reads it). */
export interface EvalRecord extends Omit<EngineEvalRecord, 'tasks' | 'valBce' | 'coldStart' | 'unseenItemShare'> {
  tasks: TaskEval[];
  /** Cold-start AUCs and the unseen-item share (absent in runs saved before they existed). */
  coldStart?: EngineEvalRecord['coldStart'];
  unseenItemShare?: EngineEvalRecord['unseenItemShare'];
}

/** Gradient probes at one step (see engine/train/probes.ts): the engine's record, channelFlow sent as `flow`. */
export interface ProbeRecord extends Omit<EngineProbeRecord, 'channelFlow'> {
  /** flow[k][j] = || d loss_k / d h_j ||: how much task k's loss pushes on task j's channel; null for baselines. */
  flow: EngineProbeRecord['channelFlow'];
}

/** A saved model (the trainer's weights file) plus where it came from, so it can be imported as a new run. */
export type WeightsFile = EngineWeightsFile & { datasetKey?: string; runName?: string };

export interface RunSpec {
  id: string;
  config: Config;
  /** Which data, fully: see datasetKey(). Same key = same arrays, same split. */
  datasetKey: string;
}

export interface OpenedRun {
  /** The step the run is at in the worker (0, or the step of the restored weights). */
  step: number;
  tasks: string[];
  /** Restored from saved weights (false: there were none, the run starts at step 0). */
  restored: boolean;
  /** Trainable parameters, for the UI. */
  parameters: number;
  /** With restored weights: the records the worker had posted up to them (the page may lack the last ones). */
  recent?: RecentRecords;
}

/**
 * The worker's last records of a run up to its saved weights, kept with them. The worker saves weights on its own,
 * so a page that went away (a reload) may never have received the steps and the evaluation just before them; the
 * next page gets them back with the weights, and the run's history has no gap below its step.
 */
export interface RecentRecords {
  steps: StepRecord[];
  evals: EvalRecord[];
}

export const noRecentRecords = (): RecentRecords => ({ steps: [], evals: [] });

export type FaultKind = 'nan' | 'device-lost' | 'error';

export interface PredictResult {
  tasks: string[];
  /** probs[r][i][k]: probability of task k for candidate i of the r-th validation request (real candidates only). */
  probs: number[][][];
}

export interface RunMethods {
  /** Builds the run's model in this worker; with restore, loads its last good weights and step from IndexedDB. */
  openRun(p: { run: RunSpec; restore: boolean }): Promise<OpenedRun>;
  /** Frees the run's model (deleting a run). */
  closeRun(p: { runId: string }): Promise<void>;
  /**
   * Trains the runs, round-robin one step each, until each reached its target: `steps` more steps, or (steps
   * absent) up to the next multiple of config.steps. Resolves when all of them stopped (target, pause or fault).
   * They are evaluated every config.evalEvery steps and at the target; `evaluate: false` puts off what falls due at
   * the target (done before the next step), so a run that catches up with another is evaluated where it was.
   */
  train(p: { runIds: string[]; steps?: number; evaluate?: boolean }): Promise<void>;
  /**
   * Stops the listed runs (all when absent) after the step in flight. Nothing is evaluated at a pause: an
   * evaluation or probe in progress or due then is put off until the run trains again (same step, same weights).
   */
  pause(p: { runIds?: string[] }): Promise<void>;
  /** Rebuilds the run from its seed at step 0 (fresh weights, fresh optimizer); returns the step-0 evaluation. */
  resetRun(p: { runId: string }): Promise<EvalRecord>;
  /** The run's current weights, or (which = 'best') its best checkpoint's (kept in the worker's memory only). */
  exportWeights(p: { runId: string; which?: 'last' | 'best' }): Promise<WeightsFile>;
  /** The run as a PyTorch project (model.py, train.py, weights, schema ...): one .tar under the top folder `folder`. */
  exportTorch(p: { runId: string; folder: string }): Promise<Blob>;
  /** Loads weights into the run (shapes must match) and sets its step to the file's step. */
  importWeights(p: { runId: string; file: WeightsFile }): Promise<OpenedRun>;
  /** The model's probabilities on the first `requests` validation requests (to compare two models). */
  predict(p: { runId: string; requests: number }): Promise<PredictResult>;
  /** Which backend the worker runs on (for fault messages). */
  currentBackend(p: Record<string, never>): Promise<BackendName | null>;
  /**
   * Test hook: destroys the WebGPU backend's GPUDevice, a real device loss (what a driver reset or a GPU process
   * crash does). Throws on other backends.
   */
  loseDevice(p: Record<string, never>): Promise<void>;
}

export type RunEvent =
  | { type: 'run-steps'; runId: string; records: StepRecord[] }
  | { type: 'run-eval'; runId: string; record: EvalRecord }
  | { type: 'run-probe'; runId: string; record: ProbeRecord }
  | { type: 'run-status'; runId: string; training: boolean; step: number }
  /** Last good weights were written to IndexedDB at this step. */
  | { type: 'run-saved'; runId: string; step: number }
  /** The run stopped: the message says what happened; lastGoodStep is where resuming restarts from. */
  | { type: 'run-fault'; runId: string; kind: FaultKind; message: string; step: number; lastGoodStep: number | null };

/** Shop world knobs the hash may carry (strings, as in AppState.shop). */
export type ShopKnobs = Record<string, string>;

/**
 * The one string that names a run's data: the dataset ('shop' or an uploaded id), the shop knobs, and the
 * encoding keys of the config. Runs with equal keys share one encoded dataset in the worker (same split),
 * which is what makes an ablation a fair comparison.
 */
export function datasetKey(dataset: string, shop: ShopKnobs, cfg: EncodingSettings): string {
  const p = new URLSearchParams();
  if (dataset === 'shop') for (const k of Object.keys(shop).sort()) p.set(`shop.${k}`, shop[k]);
  for (const k of ENCODING_KEYS) p.set(k, String(cfg[k]));
  return `${dataset}?${p.toString()}`;
}

export interface ParsedDatasetKey {
  dataset: string;
  shop: ShopKnobs;
  encoding: EncodingSettings;
}

export function parseDatasetKey(key: string): ParsedDatasetKey {
  const q = key.indexOf('?');
  const dataset = q < 0 ? key : key.slice(0, q);
  const p = new URLSearchParams(q < 0 ? '' : key.slice(q + 1));
  const shop: ShopKnobs = {};
  const encoding: Record<string, string | number> = {};
  for (const [k, v] of p) {
    if (k.startsWith('shop.')) shop[k.slice(5)] = v;
    else if ((ENCODING_KEYS as readonly string[]).includes(k)) encoding[k] = k === 'split' ? v : Number(v);
  }
  return { dataset, shop, encoding: encoding as ParsedDatasetKey['encoding'] };
}
