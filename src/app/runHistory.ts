// A run's history on the page (step, evaluation and probe records), as pure functions of the records.
import type { StoredRun } from '../storage/runStore';
import type { RecentRecords } from '../workers/runProtocol';

type History = StoredRun['history'];

/** Replaces the record of the same step (a resumed run evaluates its restored step again) or appends. */
export function withRecord<T extends { step: number }>(list: T[], rec: T): T[] {
  // Records at or after rec.step belong to a model state that no longer exists (a resume went back in time).
  const out = list.filter((r) => r.step < rec.step);
  out.push(rec);
  return out;
}

/**
 * The history of a model opened at `step` (restored weights): records past it never happened for this model, and
 * records up to it that the page lacks come from `recent`, what the worker kept with the weights (a reload while
 * the run trained can lose the last messages the worker posted, never the weights it saved after them).
 */
export function historyAt(history: History, step: number, recent?: RecentRecords): History {
  const upTo = <T extends { step: number }>(list: T[], more: T[] = []) => {
    const kept = list.filter((r) => r.step <= step);
    const last = kept.at(-1)?.step ?? -1;
    return [...kept, ...more.filter((r) => r.step > last && r.step <= step)];
  };
  return { steps: upTo(history.steps, recent?.steps), evals: upTo(history.evals, recent?.evals), probes: upTo(history.probes) };
}
