// Attention snapshots over training, pure: when to take the next one, and how to keep the store small.
import type { AttentionSnapshot } from '../../workers/inspectProtocol';

/**
 * Take a snapshot now? Yes for the first one, after a reset, and every `every` steps. `reset`: the page saw the
 * run's step go back. A step below the newest snapshot's is NOT a reset by itself: the worker captures at its own
 * step, which runs ahead of the page's throttled one (taking that for a reset captured every other step).
 */
export function snapshotDue(steps: number[], step: number, every: number, reset = false): boolean {
  if (steps.length === 0 || reset) return true;
  const last = steps[steps.length - 1];
  return every > 0 && step >= last + every;
}

/**
 * Adds a snapshot, keeping steps sorted and at most `cap` of them: when full, every other old one is dropped
 * (the first and the newest always stay), so a long run keeps an even spread instead of only its tail.
 * A snapshot at an earlier step than the newest means the run was reset: the old history goes.
 */
export function addSnapshot(list: AttentionSnapshot[], s: AttentionSnapshot, cap = 60): AttentionSnapshot[] {
  const last = list[list.length - 1];
  let out = last && s.step < last.step ? [] : list.filter((x) => x.step !== s.step);
  out = [...out, s];
  if (out.length > cap) out = out.filter((_, i) => i === 0 || i === out.length - 1 || i % 2 === 1);
  return out;
}
