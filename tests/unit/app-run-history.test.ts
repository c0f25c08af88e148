// A run opened at its saved weights (historyAt): the page's history is cut at their step, and the records up to
// it that the page never received come back from what the worker kept with the weights. Shown to fail on the old
// afterOpen (a filter only): a reload while a run trained left step 10 with 8 steps of history (the workspace
// e2e "a reload while a run trains" saw it in CI, when the Inspect panel opened the run from its weights).
import { describe, expect, it } from 'vitest';
import { historyAt, withRecord } from '../../src/app/runHistory';
import type { StoredRun } from '../../src/storage/runStore';

type History = StoredRun['history'];
const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i }) as History['steps'][number]);
const evals = (...at: number[]) => at.map((step) => ({ step }) as History['evals'][number]);
const probes = (...at: number[]) => at.map((step) => ({ step }) as History['probes'][number]);
const stepsOf = (h: History) => h.steps.map((s) => s.step);

describe('historyAt', () => {
  it('fills the records the page lacked up to the weights', () => {
    const page: History = { steps: steps(1, 8), evals: evals(0, 2, 4, 6, 8), probes: probes(4, 8) };
    const h = historyAt(page, 10, { steps: steps(3, 10), evals: evals(8, 10) });
    expect(stepsOf(h)).toEqual(steps(1, 10).map((s) => s.step));
    expect(h.evals.map((e) => e.step)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(h.probes.map((p) => p.step)).toEqual([4, 8]);
  });

  it('cuts what the page holds past the weights, and takes nothing past them from the worker', () => {
    const page: History = { steps: steps(1, 14), evals: evals(0, 5, 10), probes: probes(5, 10) };
    const h = historyAt(page, 10, { steps: steps(1, 12), evals: evals(10, 12) });
    expect(stepsOf(h)).toEqual(steps(1, 10).map((s) => s.step));
    expect(h.evals.map((e) => e.step)).toEqual([0, 5, 10]);
    expect(h.probes.map((p) => p.step)).toEqual([5, 10]);
  });

  it("keeps the page's own records where both have them", () => {
    const mine = { step: 3, loss: 1 } as unknown as History['steps'][number];
    const page: History = { steps: [...steps(1, 2), mine], evals: [], probes: [] };
    const h = historyAt(page, 4, { steps: steps(1, 4), evals: [] });
    expect(h.steps[2]).toBe(mine);
    expect(stepsOf(h)).toEqual([1, 2, 3, 4]);
  });

  it('without records from the worker, a cut only', () => {
    const page: History = { steps: steps(1, 6), evals: evals(0, 6), probes: [] };
    expect(stepsOf(historyAt(page, 4))).toEqual([1, 2, 3, 4]);
  });
});

describe('withRecord', () => {
  it('replaces the record of its step and drops later ones', () => {
    expect(withRecord(evals(0, 2, 4), evals(2)[0]).map((e) => e.step)).toEqual([0, 2]);
    expect(withRecord(evals(0, 2), evals(4)[0]).map((e) => e.step)).toEqual([0, 2, 4]);
  });
});
