// The guided demos, as data: the world (shop knobs), the runs to create (config changes), and the text beside
// the live charts: the goal, the steps to follow and the result to expect. The expectations state only what
// was measured on the synthetic world with these exact settings (see the numbers in each `measured` note).
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
    shop: { conflict: '0.9' },
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
    expect: 'All three runs share one world, one split and one seed, so their curves compare like with like. Whether OneRank beats the towers here was not measured on this world yet: read the charts, not this line.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: 'Not yet measured: training the default-size demo in Node on the cpu backend took ~25 s per step on the build machine, too slow to run the comparison. Only the setup (same data, same split) is checked, by the e2e test.',
  },
  {
    id: 'detach',
    title: 'Why detach gradients?',
    goal: 'OneRank lets task k read task j\u2019s channel h_j, but with detachment it cannot push on it. Compare the gradient flow and the metrics with the switch on and off.',
    shop: { conflict: '0.9' },
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
    expect: 'Exactly 0 in every off-diagonal cell of the detach-on grid, at every step; the detach-off grid carries gradient on the edges below the diagonal (the cascade mask) and exactly 0 above it. Whether the metrics differ was not measured yet.',
    chartTasks: ['cart', 'order'],
    view: 'grad-flow',
    measured: 'The gradient-flow result is exact and checked by the e2e test (tiny config, 4 steps, WebGPU or cpu backend); the metric comparison is not measured yet.',
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
    expect: 'The structured mask hides every cell outside the table in ONERANK.md section 2; V6 hides none. Whether V6 trains worse on this world was not measured yet.',
    chartTasks: ['click', 'order'],
    view: 'mask',
    measured: 'The masks are drawn from the config by the same functions the model uses (unit-tested); the metric comparison is not measured yet.',
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
    expect: 'Only the full run has candidate-aware attention maps (one row per task over the request\u2019s candidates). Whether V5 loses AUC here, as it does in the paper, was not measured yet.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: 'Structural difference checked by unit tests; the metric comparison is not measured yet.',
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
