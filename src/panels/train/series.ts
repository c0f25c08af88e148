// Pure builders from run histories to chart series, and the throughput numbers under the controls.
import type { XY } from '../../charts/downsample';
import { TASK_PALETTE } from '../../charts/palette';
import { relativeToBest } from '../../charts/seesaw';
import type { EvalRecord, ProbeRecord, StepRecord } from '../../workers/runProtocol';

export type EvalMetric = 'auc' | 'gauc' | 'logloss';

export const METRIC_LABEL: Record<EvalMetric, string> = { auc: 'AUC', gauc: 'GAUC', logloss: 'LogLoss' };

/** Task colors, for the charts that colour by task (runs have their own palette; charts/palette.ts). */
export const TASK_COLORS = TASK_PALETTE;

export function trainLossPoints(steps: readonly StepRecord[], task: number): XY[] {
  return steps.map((s) => ({ x: s.step, y: s.taskLoss[task] }));
}

/**
 * An exponential moving average of a per-step series, bias-corrected (the first points are not pulled toward 0),
 * so the trend of a noisy per-batch loss reads at a glance. `span`: about how many steps it averages.
 */
export function smoothed(points: readonly XY[], span = 20): XY[] {
  const a = 2 / (span + 1);
  let m = 0;
  let w = 0;
  const out: XY[] = [];
  for (const p of points) {
    if (!Number.isFinite(p.y)) continue;
    m = (1 - a) * m + a * p.y;
    w = (1 - a) * w + a;
    out.push({ x: p.x, y: m / w });
  }
  return out;
}

export function evalPoints(evals: readonly EvalRecord[], task: number, metric: EvalMetric): XY[] {
  return evals.map((e) => ({ x: e.step, y: e.tasks[task]?.[metric] ?? NaN }));
}

/** Seesaw (a): a task's metric minus its best so far (AUC/GAUC: higher is better). */
export function relativePoints(evals: readonly EvalRecord[], task: number, metric: 'auc' | 'gauc'): XY[] {
  return relativeToBest(evalPoints(evals, task, metric));
}

export function planePoints(evals: readonly EvalRecord[], taskA: number, taskB: number, metric: 'auc' | 'gauc'): { x: number; y: number; step: number }[] {
  return evals.map((e) => ({ x: e.tasks[taskA]?.[metric] ?? NaN, y: e.tasks[taskB]?.[metric] ?? NaN, step: e.step }));
}

export function pairCosinePoints(probes: readonly ProbeRecord[], a: number, b: number): XY[] {
  return probes.map((p) => ({ x: p.step, y: p.cosine[a]?.[b] ?? NaN }));
}

/**
 * Gradient flow into task j's channel h_j: from its own loss ('own' = flow[j][j]) or from every other task's
 * loss together ('others' = sum over k != j of flow[k][j]; exactly 0 when cross-task detachment is on).
 */
export function flowPoints(probes: readonly ProbeRecord[], j: number, source: 'own' | 'others'): XY[] {
  const out: XY[] = [];
  for (const p of probes) {
    if (!p.flow || p.flow.length <= j) continue;
    let y = 0;
    if (source === 'own') y = p.flow[j][j];
    else for (let k = 0; k < p.flow.length; k++) if (k !== j) y += p.flow[k][j];
    out.push({ x: p.step, y });
  }
  return out;
}

/** The task pairs (a < b) of K tasks. */
export function taskPairs(K: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) out.push([a, b]);
  return out;
}

export interface Throughput {
  /** Requests per second over the recent window; null before two timed steps. */
  samplesPerSec: number | null;
  stepsPerSec: number | null;
  /** Seconds to reach `budget` at the recent rate; 0 when there; null when unknown. */
  etaSec: number | null;
}

/**
 * Recent throughput from the last `window` step records of the current training session (the first steps include
 * shader compilation). `since`: when that session began; null when the run does not train, and then there is no
 * rate and no ETA (a paused, reloaded or interrupted run, or one whose worker changed backend, has no current speed).
 */
export function throughput(steps: readonly StepRecord[], currentStep: number, budget: number, since: number | null, window = 20): Throughput {
  if (since === null) return { samplesPerSec: null, stepsPerSec: null, etaSec: currentStep >= budget ? 0 : null };
  const recent = steps.slice(-window).filter((s) => s.time >= since);
  if (currentStep >= budget) return { ...rate(recent), etaSec: 0 };
  const r = rate(recent);
  return { ...r, etaSec: r.stepsPerSec ? (budget - currentStep) / r.stepsPerSec : null };
}

function rate(recent: readonly StepRecord[]): { samplesPerSec: number | null; stepsPerSec: number | null } {
  if (recent.length < 2) return { samplesPerSec: null, stepsPerSec: null };
  const dt = (recent[recent.length - 1].time - recent[0].time) / 1000;
  // A pause between two records is not training time: a window spanning one would understate the speed.
  if (!(dt > 0)) return { samplesPerSec: null, stepsPerSec: null };
  let samples = 0;
  for (let i = 1; i < recent.length; i++) samples += recent[i].samples;
  return { samplesPerSec: samples / dt, stepsPerSec: (recent.length - 1) / dt };
}

export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '-';
  if (sec < 60) return `${Math.round(sec)} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
  return `${Math.floor(sec / 3600)} h ${Math.round((sec % 3600) / 60)} min`;
}
