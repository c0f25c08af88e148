// The pure rules behind issue 14's defects: runs kept apart by dataset, comparisons measured like their base,
// settings that clash refused at the field, and an ETA only for a run that trains now.
// Each was shown to fail on broken code: splitByDataset returning every run as shown; catchUpStops without the
// off-grid evaluation steps; refusal() always null (heads 3 with d 32 accepted); throughput ignoring `since`.
import { describe, expect, it } from 'vitest';
import { catchUpStops, compareRefusal, datasetLabel, lagging, splitByDataset } from '../../src/app/runGroups';
import { stateFromHash } from '../../src/app/state';
import { DEFAULT_CONFIG, configProblems } from '../../src/engine/config';
import { architectureOf, SHOP_SPEC, specOfSchema } from '../../src/panels/inspect/architecture';
import { refusal } from '../../src/panels/train/ConfigControls';
import { throughput } from '../../src/panels/train/series';
import type { StepRecord } from '../../src/workers/runProtocol';

const run = (id: string, dataset: string, step = 0) => ({ id, dataset, step, config: { ...DEFAULT_CONFIG } });

describe('runs kept apart by dataset', () => {
  it('draws only the shown dataset\u2019s runs and lists the others', () => {
    const runs = [run('a', 'shop'), run('b', 'ds-1'), run('c', 'shop')];
    const { shown, others } = splitByDataset(runs, 'shop');
    expect(shown.map((r) => r.id)).toEqual(['a', 'c']);
    expect(others.map((r) => r.id)).toEqual(['b']);
    expect(splitByDataset(runs, 'ds-1').shown.map((r) => r.id)).toEqual(['b']);
  });

  it('names datasets for people, never by id', () => {
    const list = [{ id: 'ds-1', name: 'movielens sample' }];
    expect(datasetLabel('shop', list)).toBe('built-in shop world');
    expect(datasetLabel('ds-1', list)).toBe('movielens sample');
    expect(datasetLabel('ds-9', list)).toBe('a deleted upload');
  });

  it('refuses a comparison across datasets or on other validation requests, with why', () => {
    const base = run('a', 'shop');
    expect(compareRefusal(base, { detach: false }, 'shop')).toBeNull();
    expect(compareRefusal(base, { detach: false }, 'ds-1')).toMatch(/different tasks and validation requests/);
    expect(compareRefusal(base, { valFraction: 0.3 })).toMatch(/valFraction holds out other validation requests/);
    expect(compareRefusal(base, { split: 'time' })).toMatch(/split/);
  });
});

describe('comparisons evaluate on the same steps as their base', () => {
  it('stop at the base\u2019s off-grid evaluations (a pause) on the way to its step', () => {
    // Base evaluated at 0, 1 (paused there), 25, 50 and 53 (paused), now at 53; evalEvery 25.
    expect(catchUpStops([0, 1, 25, 50, 53], 53, 25)).toEqual([1, 53]);
    expect(catchUpStops([0, 25], 25, 25)).toEqual([25]);
    expect(catchUpStops([0], 0, 25)).toEqual([]);
  });

  it('runs paused a step apart catch up with the lead', () => {
    expect(lagging([{ id: 'a', step: 13 }, { id: 'b', step: 12 }, { id: 'c', step: 13 }])).toEqual([{ id: 'b', steps: 1 }]);
    expect(lagging([{ id: 'a', step: 4 }, { id: 'b', step: 4 }])).toEqual([]);
  });
});

describe('settings that clash are refused at the field', () => {
  it('heads must divide d', () => {
    expect(configProblems({ ...DEFAULT_CONFIG, d: 32, heads: 3 }).heads).toMatch(/3 heads do not divide width d = 32: pick 1, 2, 4, 8, 16/);
    expect(configProblems(DEFAULT_CONFIG)).toEqual({});
    expect(refusal({ ...DEFAULT_CONFIG, d: 32 }, 'heads', 3)).toMatch(/do not divide/);
    expect(refusal({ ...DEFAULT_CONFIG, d: 32, heads: 4 }, 'd', 30)).toMatch(/4 heads do not divide width d = 30/);
    expect(refusal({ ...DEFAULT_CONFIG, d: 32 }, 'heads', 4)).toBeNull();
  });

  it('a link with clashing settings opens with a working value and says so', () => {
    const { state, problems } = stateFromHash('#d=32&heads=3');
    expect(state.config.heads).toBe(DEFAULT_CONFIG.heads);
    expect(problems[0]).toMatch(/^heads=3: .*used heads=2$/);
    expect(stateFromHash('#d=35&heads=3').state.config.heads).toBe(1);
  });
});

describe('the ETA', () => {
  const steps: StepRecord[] = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, loss: 1, taskLoss: [1], infoNce: [1], gradNorm: 1, temperature: 0.07, samplesPerSec: 1, samples: 8, time: 1000 + i * 500 }));
  it('only for a run that trains now, from this session\u2019s steps', () => {
    // Not training (paused, reloaded, interrupted by a backend switch): no rate, no ETA.
    expect(throughput(steps, 10, 30, null)).toEqual({ samplesPerSec: null, stepsPerSec: null, etaSec: null });
    // Training again since t = 4000 (on another backend): the old, faster records do not count.
    const later = [...steps, { ...steps[9], step: 11, time: 9000 }, { ...steps[9], step: 12, time: 10000 }];
    expect(throughput(later, 12, 30, 8500).stepsPerSec).toBeCloseTo(1);
    expect(throughput(later, 12, 30, 0).stepsPerSec).toBeCloseTo(11 / 9000 * 1000);
  });
});

describe('the architecture of the selected run', () => {
  it('comes from its dataset\u2019s schema: its tasks, the user id in the context token, no history without one', () => {
    expect(SHOP_SPEC.contextFeatures).toEqual(['user_id', 'segment', 'device', 'hour', 'budget']);
    const upload = specOfSchema({
      columns: [
        { name: 'uid', role: 'user' },
        { name: 'movie', role: 'item' },
        { name: 'genre', role: 'categorical', side: 'candidate' },
        { name: 'age', role: 'numeric', side: 'context' },
        { name: 'watched', role: 'label' },
        { name: 'liked', role: 'label' },
      ],
      taskOrder: ['watched', 'liked'],
    });
    expect(upload).toEqual({ tasks: ['watched', 'liked'], contextFeatures: ['uid', 'age'], candidateFeatures: ['movie', 'genre'], hasHistory: false });
    const { layout } = architectureOf({ ...DEFAULT_CONFIG, maxCandidates: 2 }, upload);
    expect(layout.tokens.map((t) => t.label)).toEqual(['ctx: uid, age', 'cand 1', 'task: watched', 'task: liked', 'cand 2', 'task: watched', 'task: liked']);
    expect(architectureOf(DEFAULT_CONFIG, SHOP_SPEC).layout.tokens[0].label).toBe('ctx: user_id, segment, device, hour, budget');
  });
});
