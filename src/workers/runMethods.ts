// Worker side of runProtocol.ts: the training loop. Every run in training gets one step in turn (round-robin),
// so side-by-side runs advance together. Step records are batched and posted at most ~10 times a second;
// evaluations and probes are posted as they happen. Last good weights go to IndexedDB at every evaluation and
// whenever a run stops, so a crashed worker or a reloaded page resumes from there.
// Pause answers after the step in flight: it evaluates nothing, and an evaluation (or probe) in progress or due
// at that step is put off, not dropped: the run does it at the same step, on the same weights, when it trains
// again. So the curves keep their schedule (every evalEvery steps, as a comparison's base does), and a paused
// run resumes exactly as if never paused (an evaluation at a pause would also count towards early stopping).
import * as tf from '@tensorflow/tfjs';
import { TrainingFault, type EvalRecord as EngineEvalRecord, type ProbeRecord as EngineProbeRecord, type StepRecord as EngineStepRecord } from '../engine/train/trainer';
import { loadSavedWeights, saveWeights } from '../storage/runStore';
import { emit } from './emit';
import { torchExportTar } from './exportTorch';
import { noRecentRecords, type EvalRecord, type FaultKind, type OpenedRun, type ProbeRecord, type RunMethods, type StepRecord, type WeightsFile } from './runProtocol';
import { closeEntry, createEntry, exclusive, getRun, hasRun, openRuns, withRun, type RunEntry } from './runs';

/**
 * Steps go ahead (trainer.trainStep's `ahead`) only while a step takes at most this long: a pause then waits for
 * the step being read and the one behind it, two quick steps, where a slow step (a software GPU's, a second or
 * more) keeps Pause within one step. What going ahead saves (the readback, the next batch) is a millisecond or two a
 * step: worth it only for quick steps. Tests change it (setQuickStepMs).
 */
let quickStepMs = 50;
export function setQuickStepMs(ms: number): void {
  quickStepMs = ms;
}

/** At most this often a 'run-steps' message per run (the page redraws no faster anyway). */
const STEP_FLUSH_MS = 100;

/** Where a training call stops: the step, and whether what falls due there is done then (else put off). */
interface Target {
  step: number;
  evaluate: boolean;
}
/** runId -> where it trains to. A run is "training" exactly while it has a target; pause deletes it. */
const targets = new Map<string, Target>();
/** What a pause (or a quiet stop) put off at a run's step: done first when the run trains on from that step. */
interface Owed {
  step: number;
  probe: boolean;
  evaluate: boolean;
}
const owed = new Map<string, Owed>();
/** runId -> callbacks waiting for the run to stop training. */
const waiters = new Map<string, (() => void)[]>();
const pendingSteps = new Map<string, StepRecord[]>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let looping = false;
/** What a run stopped by a lost device can do (the page restarts the worker on Resume). */
const RESUME_ELSEWHERE = 'Resume restarts the worker (on another backend if you pick one).';
/** Set once the GPU device is lost: nothing on this backend can run any more. */
let deviceLost: string | null = null;

// ---------------- events ----------------

function flushSteps(runId?: string) {
  for (const [id, records] of pendingSteps) {
    if (runId !== undefined && id !== runId) continue;
    if (records.length > 0) emit({ type: 'run-steps', runId: id, records });
    pendingSteps.delete(id);
  }
}

/**
 * Records kept for the weights' save (RunEntry.recent): a page lags the worker by the messages in flight, a
 * fraction of a second, far fewer steps than this.
 */
const RECENT_STEPS = 512;
const RECENT_EVALS = 16;
function keepRecent<T>(list: T[], rec: T, max: number) {
  list.push(rec);
  if (list.length > max) list.splice(0, list.length - max);
}

function queueStep(runId: string, rec: StepRecord) {
  if (hasRun(runId)) keepRecent(getRun(runId).recent.steps, rec, RECENT_STEPS);
  const list = pendingSteps.get(runId) ?? [];
  list.push(rec);
  pendingSteps.set(runId, list);
  flushTimer ??= setTimeout(() => {
    flushTimer = null;
    flushSteps();
  }, STEP_FLUSH_MS);
}

function toEval(r: EngineEvalRecord): EvalRecord {
  return {
    step: r.step,
    tasks: r.tasks.map((t) => ({ task: t.name, auc: t.auc, gauc: t.gauc, logloss: t.logloss, positiveRate: t.positiveRate, constantLogloss: t.constantLogloss, count: t.count })),
    valLoss: r.valLoss,
    valInfoNce: r.valInfoNce,
    requests: r.requests,
    coldStart: r.coldStart,
    unseenItemShare: r.unseenItemShare,
  };
}

function toProbe(r: EngineProbeRecord): ProbeRecord {
  return { step: r.step, cosine: r.cosine, gradNorm: r.gradNorm, flow: r.channelFlow };
}

// ---------------- persistence ----------------

/** Writes the run's current weights to IndexedDB as its last good weights. Never throws: a full disk only warns. */
async function saveGood(entry: RunEntry): Promise<void> {
  const runId = entry.spec.id;
  try {
    const file: WeightsFile = { ...(await entry.trainer.exportWeights()), datasetKey: entry.spec.datasetKey };
    // The records up to these weights go with them (runProtocol.ts RecentRecords).
    const upTo = <T extends { step: number }>(list: T[]) => list.filter((r) => r.step <= entry.trainer.step);
    await saveWeights(runId, file, { steps: upTo(entry.recent.steps), evals: upTo(entry.recent.evals) });
    entry.lastGoodStep = entry.trainer.step;
    emit({ type: 'run-saved', runId, step: entry.trainer.step });
  } catch (e) {
    emit({ type: 'log', message: `Could not save the weights of run ${runId}: ${e instanceof Error ? e.message : String(e)}` });
  }
}

/**
 * Evaluates, posts the result and saves the weights (they just proved finite). With `hold`, asked between
 * evaluation batches after letting queued messages in, a pause abandons it (false: nothing posted or recorded).
 */
async function evaluateAndSave(entry: RunEntry, hold?: () => boolean): Promise<boolean> {
  const between = async () => {
    await yieldToMessages(); // a pause is a message: on wasm and cpu nothing else lets it in during an evaluation
    return hold!();
  };
  const engineRec = hold ? await entry.trainer.evaluate(between) : await entry.trainer.evaluate();
  if (!engineRec) return false;
  flushSteps(entry.spec.id);
  const record = toEval(engineRec);
  keepRecent(entry.recent.evals, record, RECENT_EVALS);
  emit({ type: 'run-eval', runId: entry.spec.id, record });
  await saveGood(entry);
  return true;
}

// ---------------- faults ----------------

/** The WebGPU backend's device (null on other backends). */
function gpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

function watchDevice() {
  const device = gpuDevice();
  if (!device || watched.has(device)) return;
  watched.add(device);
  void device.lost.then((info) => {
    // 'destroyed' with nothing open or training is a deliberate teardown; under a run it is a loss like any other.
    const inUse = targets.size > 0 || openRuns().length > 0;
    if (info.reason === 'destroyed' && deviceLost === null && !inUse) return;
    deviceLost = `The GPU device was lost (${info.reason || 'unknown reason'}${info.message ? `: ${info.message}` : ''}).`;
    for (const entry of openRuns()) fault(entry.spec.id, 'device-lost', `${deviceLost} ${RESUME_ELSEWHERE}`, entry);
  });
}
const watched = new WeakSet<GPUDevice>();

/** How long a failed step waits for the device's lost promise, which may settle just after the failed readback. */
const LOSS_SETTLE_MS = 250;

/**
 * A step that failed on WebGPU may have failed because the device went away (its readback rejects first, the
 * lost promise settles a moment later): wait for that, so the fault is reported as what it was.
 */
async function settleDeviceLoss(): Promise<void> {
  const device = gpuDevice();
  if (!device || deviceLost) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([device.lost, new Promise((resolve) => (timer = setTimeout(resolve, LOSS_SETTLE_MS)))]);
  clearTimeout(timer);
}

function fault(runId: string, kind: FaultKind, message: string, entry: RunEntry | null) {
  flushSteps(runId);
  const wasTraining = targets.delete(runId);
  const step = entry?.trainer.step ?? 0;
  emit({ type: 'run-fault', runId, kind, message, step, lastGoodStep: entry?.lastGoodStep ?? null });
  if (wasTraining) release(runId);
}

/**
 * A training step failed: the run stops with a fault. `locked` runs what needs the run to itself (inside its turn
 * already: call it directly).
 */
async function failed(runId: string, err: unknown, entry: RunEntry | null, locked: (f: () => Promise<void>) => Promise<void>): Promise<void> {
  await settleDeviceLoss();
  const { kind, message } = faultOf(err);
  // The model still holds the last good step's weights (a bad update is never applied): keep them.
  if (kind === 'nan' && entry) await locked(() => saveGood(entry));
  // A device loss already stopped (and reported) every open run; the step in flight failing is its echo.
  const reported = kind === 'device-lost' && !targets.has(runId);
  if (!reported) fault(runId, kind, message, entry);
}

/** What falls due after step `s`: the probe and evaluation on the schedule, and at the target if it asks for one. */
function dueAfter(entry: RunEntry, s: number, target: Target | undefined): { probe: boolean; evaluate: boolean } {
  const cfg = entry.spec.config;
  return {
    probe: cfg.probeEvery > 0 && s % cfg.probeEvery === 0,
    // On the schedule, and where a training call stops (the end of the budget, a Step) unless it asked not to.
    evaluate: s % cfg.evalEvery === 0 || (target !== undefined && s >= target.step && target.evaluate),
  };
}

/**
 * Reads the step a training turn left in flight (trainStep's `ahead`) and posts its record: before anything else
 * uses the run's model (an evaluation, a probe, a pause's stop, an export). What falls due after that step is owed,
 * done first when the run trains on (at a pause, as a pause puts off what falls due at the step in flight). A bad
 * step there is a fault like any other; the model keeps the last good weights and the caller goes on with them.
 */
async function settleRun(entry: RunEntry): Promise<void> {
  if (!entry.trainer.stepInFlight) return;
  const runId = entry.spec.id;
  try {
    const rec = await entry.trainer.settle();
    if (!rec) return;
    queueStep(runId, stepRecordOf(entry, rec));
    const due = dueAfter(entry, rec.step, targets.get(runId));
    if (due.probe || due.evaluate) owed.set(runId, { step: rec.step, ...due });
  } catch (err) {
    await failed(entry.spec.id, err, entry, (f) => f());
  }
}

/** withRun for everything but a training turn: a step left in flight is read first (settleRun). */
export function withSettledRun<T>(runId: string, fn: (entry: RunEntry) => Promise<T>): Promise<T> {
  return withRun(runId, async (entry) => {
    await settleRun(entry);
    return fn(entry);
  });
}

function stepRecordOf(entry: RunEntry, rec: EngineStepRecord): StepRecord {
  const cfg = entry.spec.config;
  return { ...rec, samples: Math.min(cfg.batchSize, entry.trainer.dataset.trainIdx.length), time: Date.now() };
}

function faultOf(err: unknown): { kind: FaultKind; message: string } {
  if (deviceLost) return { kind: 'device-lost', message: `${deviceLost} ${RESUME_ELSEWHERE}` };
  if (err instanceof TrainingFault) return { kind: 'nan', message: err.message };
  const msg = err instanceof Error ? err.message : String(err);
  return { kind: 'error', message: `Training failed: ${msg}` };
}

// ---------------- the loop ----------------

function release(runId: string) {
  for (const fn of waiters.get(runId) ?? []) fn();
  waiters.delete(runId);
}

function whenStopped(runId: string): Promise<void> {
  if (!targets.has(runId)) return Promise.resolve();
  return new Promise((resolve) => {
    const list = waiters.get(runId) ?? [];
    list.push(resolve);
    waiters.set(runId, list);
  });
}

/**
 * Lets queued messages (pause, other calls) run between steps. A MessageChannel hop costs nothing, but some event
 * loops (Node's) drain such hops before timers and I/O; so at least every TIMER_YIELD_MS a real timer turn.
 */
const TIMER_YIELD_MS = 25;
const hop = new MessageChannel();
const hopWaiters: (() => void)[] = [];
hop.port1.onmessage = () => hopWaiters.shift()?.();
let lastTimerYield = 0;
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    if (Date.now() - lastTimerYield >= TIMER_YIELD_MS) {
      lastTimerYield = Date.now();
      setTimeout(resolve, 0);
    } else {
      hopWaiters.push(resolve);
      hop.port2.postMessage(0);
    }
  });
}

/** Stops a run: its weights saved (unless they are at this step already) and the status. Inside withRun. */
async function finish(entry: RunEntry): Promise<void> {
  const runId = entry.spec.id;
  targets.delete(runId);
  try {
    await settleRun(entry);
    if (entry.lastGoodStep !== entry.trainer.step) await saveGood(entry);
  } finally {
    flushSteps(runId);
    emit({ type: 'run-status', runId, training: false, step: entry.trainer.step });
    release(runId);
  }
}

/**
 * The probe and evaluation due at the run's current step, unless `hold` says wait (a pause, a quiet stop): what is
 * not done is owed, and done when the run trains on from this step. An evaluation stops between its batches once
 * `hold` turns true. Returns whether an evaluation was made.
 */
async function dueWork(entry: RunEntry, due: { probe: boolean; evaluate: boolean }, hold: () => boolean): Promise<boolean> {
  const runId = entry.spec.id;
  const t = entry.trainer;
  // Nothing is in flight here: a step goes ahead only when nothing is due after it, and a pause's stop settled.
  let { probe, evaluate } = due;
  if (probe && !hold()) {
    const record = toProbe(await t.probe());
    flushSteps(runId);
    emit({ type: 'run-probe', runId, record });
    probe = false;
  }
  const evaluated = evaluate && !hold() && (await evaluateAndSave(entry, hold));
  if (evaluated) evaluate = false;
  if (probe || evaluate) owed.set(runId, { step: t.step, probe, evaluate });
  else owed.delete(runId);
  return evaluated;
}

async function stepOnce(runId: string): Promise<void> {
  await withRun(runId, async (entry) => {
    const target = targets.get(runId);
    if (target === undefined) return; // paused while waiting its turn
    const t = entry.trainer;
    if (t.step >= target.step) return finish(entry);
    const cfg = entry.spec.config;
    // Paused since this turn began (pause deletes the target; a new train call updates it in place).
    const paused = () => targets.get(runId) !== target;
    const stopEarly = async () => {
      emit({ type: 'log', message: `Run ${runId} stopped early at step ${t.step}: ${cfg.patience} evaluations without a new best (step ${t.best?.step}).` });
      await finish(entry);
    };
    const put = owed.get(runId);
    if (put && put.step === t.step) {
      // What a pause put off at this step comes first, as a turn of its own (a pause can come in between).
      if ((await dueWork(entry, put, paused)) && t.stalled) await stopEarly();
      return;
    }
    const dueAt = (s: number) => dueAfter(entry, s, target);
    // The next step goes to the GPU before this one's scalars are read when nothing comes between them (no probe or
    // evaluation due, not the last step) and steps are quick (quickStepMs). Whatever else wants the model first
    // reads it (settleRun).
    const s = t.step + 1;
    const next = dueAt(s);
    const ahead = s < target.step && !next.probe && !next.evaluate && !paused() && t.lastStepMs <= quickStepMs;
    const rec = await t.trainStep({ ahead });
    queueStep(runId, stepRecordOf(entry, rec));
    const atTarget = t.step >= target.step;
    const due = dueAt(t.step);
    if (due.probe || due.evaluate) await yieldToMessages(); // a pause sent during the step is seen before them
    const evaluated = await dueWork(entry, due, () => paused() || (atTarget && !target.evaluate));
    if (evaluated && t.stalled && !atTarget) await stopEarly();
    else if (atTarget) await finish(entry);
  });
}

async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  try {
    while (targets.size > 0) {
      for (const runId of [...targets.keys()]) {
        if (!targets.has(runId)) continue;
        try {
          await stepOnce(runId);
        } catch (err) {
          const entry = hasRun(runId) ? getRun(runId) : null;
          await failed(runId, err, entry, (f) => exclusive(runId, f));
        }
        await yieldToMessages();
      }
    }
  } finally {
    looping = false;
  }
}

function checkDevice() {
  if (deviceLost) throw new Error(`${deviceLost} ${RESUME_ELSEWHERE}`);
}

// ---------------- methods ----------------

async function open(entry: RunEntry, restore: boolean): Promise<OpenedRun> {
  const t = entry.trainer;
  let restored = false;
  let recent: OpenedRun['recent'];
  if (restore) {
    const saved = await loadSavedWeights(entry.spec.id).catch(() => null);
    if (saved) {
      const { file } = saved;
      t.importWeights(file);
      recent = saved.recent;
      entry.recent = { steps: [...saved.recent.steps], evals: [...saved.recent.evals] };
      entry.lastGoodStep = t.step;
      restored = true;
      // An evaluation a pause put off here went with the old worker: owe it again (at worst a repeat, which the
      // page's history replaces).
      const cfg = entry.spec.config;
      if (t.step > 0 && t.step % cfg.evalEvery === 0) owed.set(entry.spec.id, { step: t.step, probe: false, evaluate: true });
    }
  }
  if (!restored) await evaluateAndSave(entry);
  return { step: t.step, tasks: [...t.tasks], restored, parameters: countParameters(entry), ...(recent ? { recent } : {}) };
}

function countParameters(entry: RunEntry): number {
  return entry.trainer.model.variables.reduce((n, v) => n + v.size, 0);
}

export const runMethods: RunMethods = {
  async openRun({ run, restore }) {
    checkDevice();
    watchDevice();
    targets.delete(run.id);
    owed.delete(run.id);
    return exclusive(run.id, async () => open(await createEntry(run), restore));
  },

  async closeRun({ runId }) {
    targets.delete(runId);
    release(runId);
    pendingSteps.delete(runId);
    owed.delete(runId);
    await closeEntry(runId);
  },

  async train({ runIds, steps, evaluate = true }) {
    checkDevice();
    for (const id of runIds) {
      const entry = getRun(id);
      const t = entry.trainer;
      const budget = entry.spec.config.steps;
      // Without a step count: up to the next multiple of the budget (the budget itself at first; a resumed run
      // goes on to the mark it was heading for).
      const step = steps !== undefined ? t.step + Math.max(0, Math.floor(steps)) : (Math.floor(t.step / budget) + 1) * budget;
      const now = targets.get(id);
      // A run already training keeps its Target object (the step in flight tells a pause by its identity).
      if (!now) targets.set(id, { step, evaluate });
      else if (step > now.step) Object.assign(now, { step, evaluate });
      else if (step === now.step) now.evaluate ||= evaluate;
      // The step records still batched go first: the page takes the status's step as the run's, and a step ahead of
      // the history it holds would be saved so (a reload then showed step 16 with 14 steps of history).
      flushSteps(id);
      emit({ type: 'run-status', runId: id, training: true, step: t.step });
    }
    const done = Promise.all(runIds.map(whenStopped));
    void loop();
    await done;
  },

  async pause({ runIds }) {
    const ids = (runIds ?? [...targets.keys()]).filter((id) => targets.has(id) && hasRun(id));
    // At once, so the step in flight sees it: its probe and evaluation are put off, and an evaluation under way
    // stops at its next batch. Then (withRun queues behind that step) stop: save the weights, report the status.
    for (const id of ids) targets.delete(id);
    // (A train call that came in between keeps its run training.)
    await Promise.all(ids.map((id) => withRun(id, async (entry) => (targets.has(id) ? undefined : finish(entry)))));
  },

  async resetRun({ runId }) {
    checkDevice();
    targets.delete(runId);
    release(runId);
    pendingSteps.delete(runId);
    owed.delete(runId);
    return exclusive(runId, async () => {
      const entry = await createEntry(getRun(runId).spec);
      const rec = toEval(await entry.trainer.evaluate());
      await saveGood(entry);
      return rec;
    });
  },

  async exportWeights({ runId, which }) {
    return withSettledRun(runId, async (entry) => ({ ...(await entry.trainer.exportWeights(which)), datasetKey: entry.spec.datasetKey }));
  },

  async exportTorch({ runId, folder }) {
    return withSettledRun(runId, (entry) => torchExportTar(entry, folder));
  },

  async importWeights({ runId, file }) {
    checkDevice();
    targets.delete(runId);
    release(runId);
    owed.delete(runId);
    return withSettledRun(runId, async (entry) => {
      entry.trainer.importWeights(file);
      entry.recent = noRecentRecords(); // the file's model has none of this run's records
      flushSteps(runId);
      pendingSteps.delete(runId);
      await evaluateAndSave(entry);
      return { step: entry.trainer.step, tasks: [...entry.trainer.tasks], restored: true, parameters: countParameters(entry) };
    });
  },

  async predict({ runId, requests }) {
    return withSettledRun(runId, async (entry) => {
      const t = entry.trainer;
      const val = t.dataset.valIdx;
      const n = Math.max(0, Math.min(requests, val.length));
      const flat = await t.predict(val.subarray(0, n));
      const N = t.meta.maxCandidates;
      const K = t.tasks.length;
      const probs: number[][][] = [];
      for (let r = 0; r < n; r++) {
        const cands: number[][] = [];
        for (let i = 0; i < N; i++) {
          if (!(t.dataset.candMask[val[r] * N + i] > 0)) continue;
          cands.push(Array.from(flat.subarray((r * N + i) * K, (r * N + i + 1) * K)));
        }
        probs.push(cands);
      }
      return { tasks: [...t.tasks], probs };
    });
  },

  async loseDevice() {
    const device = gpuDevice();
    if (!device) throw new Error(`loseDevice needs the webgpu backend (this worker runs ${tf.getBackend()})`);
    watchDevice();
    device.destroy();
  },

  async currentBackend() {
    const b = tf.getBackend();
    return (b as 'webgpu' | 'webgl' | 'wasm' | 'cpu' | undefined) ?? null;
  },
};
