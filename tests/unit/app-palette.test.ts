// Run and task colours stay apart for colour-blind readers: every pair of the first 8 run colours (6 task colours)
// differs by >= 15 CIELAB units under normal vision and simulated protanopia, deuteranopia and tritanopia.
// Shown to fail: the former Tableau 10 run colours measure 0.9 (green vs red) under deuteranopia.
import { describe, expect, it } from 'vitest';
import { RUN_COLORS } from '../../src/app/runs';
import { deltaE, RUN_PALETTE, TASK_PALETTE, type Cvd } from '../../src/charts/palette';
import { TASK_COLORS } from '../../src/panels/train/series';

const VISION: (Cvd | undefined)[] = [undefined, 'protanopia', 'deuteranopia', 'tritanopia'];

function worstPair(colors: readonly string[]): number {
  let min = Infinity;
  for (const cvd of VISION) for (let i = 0; i < colors.length; i++) for (let j = i + 1; j < colors.length; j++) min = Math.min(min, deltaE(colors[i], colors[j], cvd));
  return min;
}

describe('chart palettes', () => {
  it('the app uses them', () => {
    expect(RUN_COLORS).toBe(RUN_PALETTE);
    expect(TASK_COLORS).toBe(TASK_PALETTE);
  });

  it('keep runs apart, and tasks apart, under three colour-vision deficiencies', () => {
    expect(worstPair(RUN_PALETTE.slice(0, 8))).toBeGreaterThanOrEqual(15);
    expect(worstPair(TASK_PALETTE.slice(0, 6))).toBeGreaterThanOrEqual(15);
    expect(worstPair(['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7'])).toBeLessThan(15);
  });

  it('the simulation is sane: red and green collapse for deuteranopes, not for normal vision', () => {
    expect(deltaE('#d62728', '#2ca02c')).toBeGreaterThan(60);
    expect(deltaE('#d62728', '#2ca02c', 'deuteranopia')).toBeLessThan(deltaE('#d62728', '#2ca02c') / 2);
    expect(deltaE('#0072B2', '#0072B2', 'tritanopia')).toBe(0);
  });
});
