// Metrics out of the page: a tidy CSV (one value per row, easy to pivot in any tool) and a JSON of whole runs.
import { csvLine } from '../../engine/data';
import type { Config } from '../../engine/config';
import { bestEvaluation } from '../../engine/train/checkpoint';
import type { EvalRecord, ProbeRecord, StepRecord } from '../../workers/runProtocol';

export interface ExportableRun {
  id: string;
  name: string;
  config: Config;
  datasetKey: string;
  seed: number;
  step: number;
  tasks: string[];
  history: { steps: StepRecord[]; evals: EvalRecord[]; probes: ProbeRecord[] };
}

export const CSV_HEADER = ['run_id', 'run_name', 'step', 'split', 'task', 'metric', 'value'] as const;

const num = (v: number) => (Number.isFinite(v) ? String(v) : '');

/** Rows: train loss per task (and total), validation metrics per task, probes per pair / task. */
export function metricsCsv(runs: readonly ExportableRun[]): string {
  const lines = [csvLine([...CSV_HEADER])];
  const row = (r: ExportableRun, step: number, split: string, task: string, metric: string, value: number) => lines.push(csvLine([r.id, r.name, String(step), split, task, metric, num(value)]));
  for (const r of runs) {
    const taskName = (k: number) => r.tasks[k] ?? `task${k}`;
    for (const s of r.history.steps) {
      row(r, s.step, 'train', '', 'loss', s.loss);
      s.taskLoss.forEach((v, k) => row(r, s.step, 'train', taskName(k), 'bce', v));
      s.infoNce.forEach((v, k) => row(r, s.step, 'train', taskName(k), 'infonce', v));
    }
    for (const e of r.history.evals) {
      for (const t of e.tasks) {
        row(r, e.step, 'val', t.task, 'auc', t.auc);
        row(r, e.step, 'val', t.task, 'gauc', t.gauc);
        row(r, e.step, 'val', t.task, 'logloss', t.logloss);
        row(r, e.step, 'val', t.task, 'positive_rate', t.positiveRate);
      }
      // Cold start: AUC over requests whose user was (not) seen in training, and the unseen shares.
      e.coldStart?.seenUserAuc.forEach((v, k) => row(r, e.step, 'val', taskName(k), 'auc_seen_users', v));
      e.coldStart?.unseenUserAuc.forEach((v, k) => row(r, e.step, 'val', taskName(k), 'auc_unseen_users', v));
      if (e.coldStart) row(r, e.step, 'val', '', 'unseen_user_share', e.coldStart.unseenUserShare);
      if (e.unseenItemShare !== undefined && e.unseenItemShare !== null) row(r, e.step, 'val', '', 'unseen_item_share', e.unseenItemShare);
    }
    // The best checkpoint (config.bestBy's rule) repeated as split 'best', so best vs last is one filter away.
    const best = bestEvaluation(r.history.evals, r.config.bestBy ?? '');
    if (best) for (const t of best.tasks) row(r, best.step, 'best', t.task, 'auc', t.auc);
    for (const p of r.history.probes) {
      const K = p.cosine.length;
      for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) row(r, p.step, 'probe', `${taskName(a)}|${taskName(b)}`, 'grad_cosine', p.cosine[a][b]);
      p.gradNorm.forEach((v, k) => row(r, p.step, 'probe', taskName(k), 'trunk_grad_norm', v));
      // flow[k][j]: task k's loss into channel h_j, written as "k>j".
      p.flow?.forEach((rowK, k) => rowK.forEach((v, j) => row(r, p.step, 'probe', `${taskName(k)}>${taskName(j)}`, 'grad_flow_h', v)));
    }
  }
  return lines.join('\n') + '\n';
}

/** Whole runs (config, seed, dataset and history), for reloading elsewhere or analysis. */
export function metricsJson(runs: readonly ExportableRun[]): string {
  return JSON.stringify(
    {
      format: 'onerank-playground-runs',
      version: 1,
      runs: runs.map((r) => ({ id: r.id, name: r.name, config: r.config, datasetKey: r.datasetKey, seed: r.seed, step: r.step, tasks: r.tasks, ...bestAndLast(r), history: r.history })),
    },
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    1,
  );
}

/** The run's last and best evaluations as `{step, tasks}` (the same shape `npm run train` reports). */
export function bestAndLast(r: ExportableRun): { last: Pick<EvalRecord, 'step' | 'tasks'> | null; best: Pick<EvalRecord, 'step' | 'tasks'> | null } {
  const evals = r.history.evals;
  const pick = (e: EvalRecord | null) => (e ? { step: e.step, tasks: e.tasks } : null);
  return { last: pick(evals[evals.length - 1] ?? null), best: pick(bestEvaluation(evals, r.config.bestBy ?? '')) };
}
