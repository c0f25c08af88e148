// What `npm run measure-demo -- --write` measured for each guided demo (demoResults.json, checked in), and the
// small readers the demos' claims use. A demo's text states what usually happens only through claims checked
// against this file (tests/unit/app-demo-results.test.ts); every figure the page shows comes from here or from
// the runs on the page.
import type { Config } from '../../engine/config';
import results from './demoResults.json';

/** One trained run of a demo's plan (or of one of its contrasts), at one world seed and one model seed. */
export interface MeasuredRun {
  label: string;
  /** The contrast's id, or null for the demo's own plan. */
  contrast: string | null;
  worldSeed: number;
  modelSeed: number;
  tasks: string[];
  /** Validation AUC per task at each evaluation (rounded to 4 decimals). */
  evals: { step: number; auc: number[] }[];
  /** Cosine of the first and last task's gradients on the shared trunk, per probe. */
  cosine: { step: number; value: number }[];
  seconds: number;
}

/** The settings one run was measured with: its config keys that differ from the defaults (seed aside), and its world's knobs. */
export interface MeasuredPlan {
  label: string;
  contrast: string | null;
  config: Partial<Record<keyof Config, string | number | boolean>>;
  shop: Record<string, string>;
}

export interface DemoMeasurement {
  /** ISO date of the measurement. */
  date: string;
  /** The command that wrote it. */
  command: string;
  backend: string;
  worldSeeds: number[];
  modelSeeds: number[];
  plans: MeasuredPlan[];
  runs: MeasuredRun[];
}

export type DemoResultsFile = Record<string, DemoMeasurement>;

export const DEMO_RESULTS: DemoResultsFile = results as DemoResultsFile;

/** The runs of one label (and contrast), in the file's seed order. */
export function runsOf(m: DemoMeasurement, label: string, contrast: string | null = null): MeasuredRun[] {
  return m.runs.filter((r) => r.label === label && r.contrast === contrast);
}

const taskIndex = (r: MeasuredRun, task: string) => {
  const k = r.tasks.indexOf(task);
  if (k < 0) throw new Error(`measured run '${r.label}' has no task '${task}' (it has ${r.tasks.join(', ')})`);
  return k;
};

/** Final validation AUC of a task, per seed. */
export function finals(m: DemoMeasurement, label: string, task: string, contrast: string | null = null): number[] {
  return runsOf(m, label, contrast).map((r) => r.evals[r.evals.length - 1].auc[taskIndex(r, task)]);
}

/** a[i] - b[i] for paired seeds. */
export function gaps(a: number[], b: number[]): number[] {
  if (a.length !== b.length || a.length === 0) throw new Error(`cannot pair ${a.length} and ${b.length} measured seeds`);
  return a.map((x, i) => x - b[i]);
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
