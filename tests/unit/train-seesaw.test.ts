import { describe, expect, it } from 'vitest';
import { largestSeesaw } from '../../src/engine/train/seesaw';

const pts = (rows: number[][]) => rows.map((values, i) => ({ step: (i + 1) * 10, values }));

describe('largestSeesaw', () => {
  it('finds a task below its best at the step another sets a new best', () => {
    const s = largestSeesaw(pts([
      [0.6, 0.7],
      [0.65, 0.8],
      [0.7, 0.72], // task 0 new best, task 1 0.08 below its best
      [0.72, 0.75], // task 0 new best, task 1 0.05 below
    ]));
    expect(s).not.toBeNull();
    expect(s!.step).toBe(30);
    expect(s!.rose).toBe(0);
    expect(s!.fell).toBe(1);
    expect(s!.drop).toBeCloseTo(0.08, 12);
    expect(s!.gain).toBeCloseTo(0.05, 12);
  });

  it('does not count a fall when nothing else rose, nor a first value as a rise', () => {
    expect(largestSeesaw(pts([[0.7, 0.7], [0.6, 0.6], [0.5, 0.65]]))).toBeNull();
    expect(largestSeesaw(pts([[0.5, 0.9]]))).toBeNull();
  });

  it('skips non-finite values (a task with one class in validation has NaN AUC)', () => {
    const s = largestSeesaw(pts([[0.6, NaN, 0.7], [0.7, NaN, 0.6]]));
    expect(s?.fell).toBe(2);
    expect(s?.drop).toBeCloseTo(0.1, 12);
  });
});
