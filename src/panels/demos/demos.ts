// The guided demos, as data: the world (shop knobs), the runs to create (config changes), and the text beside
// the live charts: the goal, the steps to follow and the result to expect. The expectations state only what
// was measured on the synthetic world, at the smaller settings named in each `measured` note.
import { applySettings, DEFAULT_CONFIG, type Config } from '../../engine/config';

export type DemoView = 'metrics' | 'grad-flow' | 'mask';

export interface DemoRun {
  /** Short label, also the run's name suffix ('Shared-Bottom'). */
  label: string;
  /** Config keys this run changes, as key=value strings (parsed by the same parser as the CLI and the URL). */
  set: Record<string, string>;
}

export interface Demo {
  id: string;
  title: string;
  /** One or two sentences: what question the demo answers. */
  goal: string;
  /** Shop world knobs (AppState.shop strings). */
  shop: Record<string, string>;
  /** Config keys every run of the demo shares. */
  base: Record<string, string>;
  runs: DemoRun[];
  /** What to do and where to look. */
  steps: string[];
  /** The result to expect, stated as measured. */
  expect: string;
  /** Which tasks' validation AUC the charts plot. */
  chartTasks: string[];
  /** The extra live view beside the charts. */
  view: DemoView;
  /** How the expectation was measured (shown small, for honesty). */
  measured: string;
}

/** Model size and training-budget keys that a link may shrink (e.g. a tiny config for a slow machine or a test). */
export const SIZE_KEYS = [
  'd', 'layers', 'heads', 'ffnRatio', 'historyLen', 'maxCandidates', 'multiLen', 'batchSize', 'steps', 'evalEvery', 'probeEvery',
  'experts', 'expertHidden', 'towerHidden',
] as const satisfies readonly (keyof Config)[];

/** Shop knobs that only change the world's size (the demo's defining knobs, like conflict, are never overridden). */
export const SHOP_SIZE_KEYS = ['users', 'items', 'requests', 'candidates', 'historyLen'] as const;

export const DEMOS: readonly Demo[] = [
  {
    id: 'seesaw',
    title: 'The seesaw',
    goal: 'Click likes pricey items, order likes cheap ones (conflict 0.9). Can one shared model serve both?',
    shop: { conflict: '1' },
    base: {},
    runs: [
      { label: 'Shared-Bottom', set: { model: 'sharedbottom' } },
      { label: 'MMoE', set: { model: 'mmoe' } },
      { label: 'OneRank', set: { model: 'onerank' } },
    ],
    steps: [
      'Press "Set up and train": three runs on the same data and split, trained in turn.',
      'Watch the click and order AUC curves: one line per model.',
      'Open the Train tab for the per-task losses and the gradient-conflict probe.',
    ],
    expect: 'Measured at a smaller size (see below), all three models improve every task over training; the seesaw shows only as small dips, about twice as large as at conflict 0 but near the noise: Shared-Bottom\u2019s order AUC fell 0.023 (0.848 to 0.825) while click rose 0.029 (steps 125 to 150); MMoE\u2019s order fell 0.031 (0.861 to 0.830) while click rose 0.017 (steps 200 to 250). At conflict 0 the largest such dip was 0.008 (Shared-Bottom) and 0.016 (MMoE). OneRank showed no dip beyond 0.015 but learned more slowly at this size. Final AUC click / cart / order at step 250: Shared-Bottom 0.804 / 0.832 / 0.845, MMoE 0.814 / 0.838 / 0.830, OneRank 0.761 / 0.814 / 0.845.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: 'wasm backend in Node, one seed (model 42, world 7), d 16, 1 layer, 2 heads, batch 32, lr 0.01, 250 steps, validation every 25 steps; shop world shrunk to 1200 requests, 6 candidates, history 10, conflict 0.9 (and 0 for contrast). The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured: ~1.5 s per step here, too slow. Validation AUC moves by ~0.01-0.02 between evals from noise alone, so gaps below ~0.02 mean nothing.',
  },
  {
    id: 'detach',
    title: 'Why detach gradients?',
    goal: 'OneRank lets task k read task j\u2019s channel h_j, but with detachment it cannot push on it. Compare the gradient flow and the metrics with the switch on and off.',
    shop: { conflict: '1' },
    base: { model: 'onerank', crossTaskMask: 'cascade' },
    runs: [
      { label: 'detach on', set: { detach: 'true' } },
      { label: 'detach off', set: { detach: 'false' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Read the two gradient-flow grids: cell (k, j) is how hard task k\u2019s loss pushes on channel h_j.',
      'With detachment on, every off-diagonal cell reads exactly 0; with it off, the cells below the diagonal (cart reads click, order reads click and cart) light up.',
    ],
    expect: 'Exactly 0 in every off-diagonal cell of the detach-on grid, at every step; the detach-off grid carries gradient on the edges below the diagonal (the cascade mask) and exactly 0 above it. The metrics showed no clear difference: final AUC click / cart / order at step 250, detach on 0.761 / 0.814 / 0.845, detach off 0.750 / 0.815 / 0.845.',
    chartTasks: ['cart', 'order'],
    view: 'grad-flow',
    measured: 'The gradient-flow result is exact and checked by the e2e test (tiny config, 4 steps, WebGPU or cpu backend). Metrics: wasm backend in Node, one seed (model 42, world 7), d 16, 1 layer, 2 heads, batch 32, lr 0.01, 250 steps, validation every 25 steps; shop world shrunk to 1200 requests, 6 candidates, history 10, conflict 0.9. The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured: ~1.5 s per step here, too slow. Validation AUC moves by ~0.01-0.02 between evals from noise alone, so gaps below ~0.02 mean nothing.',
  },
  {
    id: 'mask',
    title: 'Reading the mask',
    goal: 'The structured mask keeps task tokens from seeing each other and candidates from seeing each other. What changes with full bidirectional attention (ablation V6)?',
    shop: {},
    base: { model: 'onerank' },
    runs: [
      { label: 'structured mask', set: { ablation: 'none' } },
      { label: 'V6 bidirectional', set: { ablation: 'V6' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Compare the two masks beside the charts: hatched cells are forbidden. V6 forbids nothing.',
      'In Look inside, pick the V6 run: its task tokens spread attention over other candidates\u2019 groups.',
    ],
    expect: 'The structured mask hides every cell outside the table in ONERANK.md section 2; V6 hides none. Measured at a smaller size, V6 trained clearly worse: final AUC click / cart / order at step 250, structured 0.726 / 0.780 / 0.803, V6 0.573 / 0.600 / 0.659 (V6 stalled near 0.6 and its click AUC drifted down from 0.599 at step 100).',
    chartTasks: ['click', 'order'],
    view: 'mask',
    measured: 'The masks are drawn from the config by the same functions the model uses (unit-tested). Metrics: wasm backend in Node, one seed (model 42, world 7), d 16, 1 layer, 2 heads, batch 32, lr 0.01, 250 steps, validation every 25 steps; shop world shrunk to 1200 requests, 6 candidates, history 10, conflict 0.5 (the default). The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured: ~1.5 s per step here, too slow. Validation AUC moves by ~0.01-0.02 between evals from noise alone, so gaps below ~0.02 mean nothing.',
  },
  {
    id: 'candidates',
    title: 'Candidate-aware context',
    goal: 'Each task summarizes the candidate pool through its own eyes (section 3). Ablation V5 replaces that with a plain mean over candidates.',
    shop: {},
    base: { model: 'onerank' },
    runs: [
      { label: 'full', set: { ablation: 'none' } },
      { label: 'V5 mean over candidates', set: { ablation: 'V5' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Compare the AUC curves of the two runs.',
      'In Look inside, the full run shows the candidate-aware attention per task; V5 has none.',
    ],
    expect: 'Only the full run has candidate-aware attention maps (one row per task over the request\u2019s candidates). Unlike in the paper, V5 did not lose AUC here: at a smaller size it scored higher, final AUC click / cart / order at step 250, full 0.726 / 0.780 / 0.803, V5 0.768 / 0.821 / 0.865 (V5 also learned faster from the start).',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: 'Structural difference checked by unit tests. Metrics: wasm backend in Node, one seed (model 42, world 7), d 16, 1 layer, 2 heads, batch 32, lr 0.01, 250 steps, validation every 25 steps; shop world shrunk to 1200 requests, 6 candidates, history 10, conflict 0.5 (the default). The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured: ~1.5 s per step here, too slow. Validation AUC moves by ~0.01-0.02 between evals from noise alone, so gaps below ~0.02 mean nothing.',
  },
];

export interface DemoRunPlan {
  label: string;
  name: string;
  config: Config;
  shop: Record<string, string>;
}

/** The prefix every run of a demo is named with (how a demo finds its runs again after a reload). */
export function demoRunPrefix(demo: Demo): string {
  return `${demo.title}: `;
}

/**
 * The runs a demo creates. Each config = defaults + the demo's base + the run's change; the model size and
 * training budget a link shrank (SIZE_KEYS differing from the defaults in `current`) are kept, so a tiny link
 * gives tiny demos. Shop size knobs from the link are kept too; the demo's own knobs win otherwise.
 */
export function planDemo(demo: Demo, current: { config: Config; shop: Record<string, string> }): DemoRunPlan[] {
  const sizes: [string, string][] = SIZE_KEYS.filter((k) => current.config[k] !== DEFAULT_CONFIG[k]).map((k) => [k, String(current.config[k])]);
  const shop: Record<string, string> = { ...demo.shop };
  for (const k of SHOP_SIZE_KEYS) if (current.shop[k] !== undefined) shop[k] = current.shop[k];
  return demo.runs.map((r) => ({
    label: r.label,
    name: `${demoRunPrefix(demo)}${r.label}`,
    config: applySettings({ ...DEFAULT_CONFIG }, [...Object.entries(demo.base), ...sizes, ...Object.entries(r.set)]),
    shop,
  }));
}
