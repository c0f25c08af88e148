// Which runs belong together, pure: runs are kept apart by dataset (a chart's panels are one dataset's tasks), a
// comparison is measured on its base's validation requests at its base's evaluation steps, and runs stopped
// together stop at one step.
import type { Config } from '../engine/config';
import { SHOP_DATASET_ID } from './datasets';

interface RunLike {
  id: string;
  dataset: string;
  step: number;
  baseOf?: { runId: string };
}

/** The runs drawn in the charts (those of `dataset`) and those only listed (other datasets, other tasks). */
export function splitByDataset<R extends RunLike>(runs: readonly R[], dataset: string): { shown: R[]; others: R[] } {
  return { shown: runs.filter((r) => r.dataset === dataset), others: runs.filter((r) => r.dataset !== dataset) };
}

/** A dataset's name for people: the built-in world, an upload's own name, or what is left of a deleted one. */
export function datasetLabel(id: string, datasets: readonly { id: string; name: string }[] | null): string {
  if (id === SHOP_DATASET_ID) return 'built-in shop world';
  const d = datasets?.find((x) => x.id === id);
  return d ? d.name : datasets === null ? 'uploaded dataset' : 'a deleted upload';
}

/** The settings whose change would measure a comparison on other validation requests than its base's. */
const SPLIT_KEYS = ['valFraction', 'split'] as const;

/** Why a comparison with `change` cannot be made from `base` (null: it can). */
export function compareRefusal(base: { config: Config; dataset: string }, change: Partial<Config>, dataset?: string): string | null {
  if (dataset !== undefined && dataset !== base.dataset) {
    return 'A comparison trains on its base run\u2019s dataset; the runs of two datasets have different tasks and validation requests, so their curves cannot be compared. Train a new run on the other dataset instead.';
  }
  const k = SPLIT_KEYS.find((key) => key in change && change[key] !== base.config[key]);
  if (k) {
    return `Changing ${k} holds out other validation requests: the comparison would be measured on different data than its base. Start a new run instead.`;
  }
  return null;
}

/**
 * Where a new comparison stops on its way to its base's step, so that it is evaluated at every step the base was
 * (its regular evaluations fall on multiples of evalEvery by themselves; a pause evaluates off that grid).
 */
export function catchUpStops(baseEvalSteps: readonly number[], baseStep: number, evalEvery: number): number[] {
  const off = baseEvalSteps.filter((s) => s > 0 && s < baseStep && s % evalEvery !== 0);
  const stops = [...new Set(off)].sort((a, b) => a - b);
  if (baseStep > 0) stops.push(baseStep);
  return stops;
}

/** Runs stopped together at different steps (round-robin): how many steps each laggard needs to meet the lead. */
export function lagging(runs: readonly { id: string; step: number }[]): { id: string; steps: number }[] {
  const lead = Math.max(...runs.map((r) => r.step));
  return runs.filter((r) => r.step < lead).map((r) => ({ id: r.id, steps: lead - r.step }));
}
