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
    goal: 'Click chases premium items; order, among the clicked ones, avoids them (conflict 1). Can one shared model serve both?',
    shop: { conflict: '1' },
    base: {},
    runs: [
      { label: 'Shared-Bottom', set: { model: 'sharedbottom' } },
      { label: 'MMoE', set: { model: 'mmoe' } },
      { label: 'OneRank', set: { model: 'onerank' } },
    ],
    steps: [
      'Press "Set up and train": three runs on the same data and split, trained in turn.',
      'Watch the click and order AUC curves: one line per model. A task falling while another rises is the seesaw.',
      'Open the Train tab\u2019s seesaw view: each task against its own best so far. Dips smaller than ~0.03 are evaluation noise.',
    ],
    expect: 'The conflict is real in the data: ranking by the world\u2019s true click probability scores order at only 0.75 AUC, against 0.94 for the true order probability (at conflict 0 each ranks the other at 0.93). Yet, measured at a smaller size over 3 seeds, all three models learned both tasks and none showed a seesaw beyond the noise: the largest drop of a task below its own best while another set a new best was 0.006-0.027 AUC at conflict 1, and 0.005-0.031 at conflict 0. Final AUC click / cart / order (mean of 3 seeds): Shared-Bottom 0.894 / 0.865 / 0.880, MMoE 0.896 / 0.866 / 0.879, OneRank 0.886 / 0.849 / 0.854. With separate towers and room in the shared layers, these models give each task its own reading of the shared features; that is the lesson here, not a seesaw. At the demo\u2019s own size on a GPU (one seed) the picture was the same: final click / cart / order Shared-Bottom 0.850 / 0.836 / 0.824, MMoE 0.855 / 0.836 / 0.846, OneRank 0.835 / 0.812 / 0.818, with dips of 0.013-0.033 (OneRank\u2019s order fell from 0.851 to 0.818 at the last evaluation while click rose from 0.818 to 0.835: the pattern of a seesaw, at the size of the noise).',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: '`npm run measure-demo -- --demo seesaw --seeds 1,2,3` with d 16, 1 layer, 2 heads, batch 32, lr 0.01, 300 steps, validation and probes every 25 / 50 steps, history 10, and the shop world at 3000 requests, 10 candidates, history 10 (and --shop conflict=0 for contrast); wasm backend in Node. Each seed sets the world and the model. The demo\u2019s own default size (d 32, 2 layers) was not measured here (about 1.5 s per step on this machine\u2019s CPU); on an H200 its runs take 170-270 ms per step. At the demo\u2019s own size (its defaults) on an H200 with WebGPU, one seed (`GPU_CLI=measure-demo scripts/gpu/remote.sh --demo seesaw --seeds 1 --backend webgpu`): 77 s (Shared-Bottom), 79 s (MMoE) and 104 s (OneRank) per run, 4.3 minutes for the demo.',
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
    expect: 'Exactly 0 in every off-diagonal cell of the detach-on grid, at every step; the detach-off grid carries gradient on the edges below the diagonal (the cascade mask) and exactly 0 above it. The metrics showed no clear difference over 3 seeds at a smaller size: final AUC click / cart / order (mean), detach on 0.839 / 0.785 / 0.768, detach off 0.851 / 0.791 / 0.763, gaps of 0.012 or less, within the noise. The paper reports that detachment helps; this small world does not reproduce it. At the demo\u2019s own size on a GPU (one seed), detach off ended ahead on order: 0.831 / 0.820 / 0.840 against 0.835 / 0.812 / 0.818 with detachment on.',
    chartTasks: ['cart', 'order'],
    view: 'grad-flow',
    measured: 'The gradient-flow result is exact and checked by the e2e test (tiny config, WebGPU). Metrics: `npm run measure-demo -- --demo detach --seeds 1,2,3` with d 16, 1 layer, 2 heads, batch 32, lr 0.01, 300 steps, validation every 25 steps, history 10, and the shop world at 1200 requests, 6 candidates, history 10; wasm backend in Node. Each seed sets the world and the model. With 240 validation requests, AUC moves by ~0.02-0.03 between evaluations from noise alone (order, the rarest task, most). The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured here (about 1.5 s per step on this machine\u2019s CPU); on an H200 a OneRank run takes ~270 ms per step. At the demo\u2019s own size (its defaults) on an H200 with WebGPU, one seed (`GPU_CLI=measure-demo scripts/gpu/remote.sh --demo detach --seeds 1 --backend webgpu`): 94-96 s per run.',
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
    expect: 'The structured mask hides every cell outside the table in ONERANK.md section 2; V6 hides none. Measured at a smaller size over 3 seeds, V6 trained clearly worse on every task, as in the paper: final AUC click / cart / order (mean), structured 0.699 / 0.766 / 0.785, V6 0.552 / 0.584 / 0.614 (V6 never passed 0.59 on click, 0.63 on cart or 0.67 on order, in any seed). At the demo\u2019s own size on a GPU (one seed): structured 0.796 / 0.859 / 0.887, V6 0.594 / 0.649 / 0.691.',
    chartTasks: ['click', 'order'],
    view: 'mask',
    measured: 'The masks are drawn from the config by the same functions the model uses (unit-tested). Metrics: `npm run measure-demo -- --demo mask --seeds 1,2,3` with d 16, 1 layer, 2 heads, batch 32, lr 0.01, 300 steps, validation every 25 steps, history 10, and the shop world at 1200 requests, 6 candidates, history 10, conflict 0.3 (the default); wasm backend in Node. Each seed sets the world and the model. With 240 validation requests, AUC moves by ~0.02-0.03 between evaluations from noise alone (order, the rarest task, most). The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured here (about 1.5 s per step on this machine\u2019s CPU); on an H200 a OneRank run takes ~270 ms per step. At the demo\u2019s own size (its defaults) on an H200 with WebGPU, one seed (`GPU_CLI=measure-demo scripts/gpu/remote.sh --demo mask --seeds 1 --backend webgpu`): 94-110 s per run.',
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
    expect: 'Only the full run has candidate-aware attention maps (one row per task over the request\u2019s candidates). The metrics showed no clear winner over 3 seeds at a smaller size: final AUC click / cart / order (mean), full 0.699 / 0.766 / 0.785, V5 0.724 / 0.768 / 0.766: V5 ahead on click by 0.025, behind on order by 0.019, within the noise. The paper finds the full model better. In this world a candidate\u2019s labels do not depend on the other candidates shown with it, so a task-specific view of the pool has nothing extra to find; read the attention rows to see what each task attends to anyway. At the demo\u2019s own size on a GPU (one seed) the full model came out ahead on every task, by small margins, as in the paper: full 0.796 / 0.859 / 0.887, V5 0.780 / 0.850 / 0.881.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: 'Structural difference checked by unit tests. Metrics: `npm run measure-demo -- --demo candidates --seeds 1,2,3` with d 16, 1 layer, 2 heads, batch 32, lr 0.01, 300 steps, validation every 25 steps, history 10, and the shop world at 1200 requests, 6 candidates, history 10, conflict 0.3 (the default); wasm backend in Node. Each seed sets the world and the model. With 240 validation requests, AUC moves by ~0.02-0.03 between evaluations from noise alone (order, the rarest task, most). The demo\u2019s own default size (d 32, 2 layers, 3000 requests) was not measured here (about 1.5 s per step on this machine\u2019s CPU); on an H200 a OneRank run takes ~270 ms per step. At the demo\u2019s own size (its defaults) on an H200 with WebGPU, one seed (`GPU_CLI=measure-demo scripts/gpu/remote.sh --demo candidates --seeds 1 --backend webgpu`): 84-91 s per run.',
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
