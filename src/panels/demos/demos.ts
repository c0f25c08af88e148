// The guided demos, as data: the world (shop knobs), the runs to create (config changes), and the text beside
// the live charts: the goal, the steps to follow and the result to expect. The expectations state only what
// was measured on the synthetic world, at each demo's own settings (DEMO_SIZE), named in each `measured` note.
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

/**
 * Every demo's model size and training budget: small enough that a demo's runs finish in about a minute each
 * on a GPU (a step is bound by the number of GPU programs, not by arithmetic), large enough that every effect
 * the texts state shows up. The texts were measured at exactly these settings.
 */
const DEMO_SIZE: Readonly<Record<string, string>> = {
  d: '16', layers: '1', heads: '2', batchSize: '64', lr: '0.01', steps: '300', evalEvery: '25', probeEvery: '50',
  historyLen: '10', maxCandidates: '10',
};
/** How every demo text was measured (the DEMO_SIZE settings, in words). */
const SETTINGS_NOTE =
  'Settings: d 16, 1 layer, 2 heads, batch 64, lr 0.01, 300 steps, validation every 25 steps and probes every 50, history 10; the shop world at 3000 requests (600 of them for validation), 10 candidates. Each seed sets the world and the model. Between evaluations, AUC moves by ~0.01-0.02 from noise alone (order, the rarest task, most).';
/** Every demo's world size (the shop defaults, with the history as short as the model reads it). */
const DEMO_WORLD: Readonly<Record<string, string>> = { historyLen: '10' };

export const DEMOS: readonly Demo[] = [
  {
    id: 'seesaw',
    title: 'The seesaw',
    goal: 'Click chases premium items; order, among the clicked ones, avoids them (conflict 1). Can one shared model serve both?',
    shop: { ...DEMO_WORLD, conflict: '1' },
    // One shared unit for Shared-Bottom (and one per MMoE expert): every task must be read off the same narrow
    // shared layer, which is where a conflict has to be settled. With a wide one, each tower finds its own reading.
    base: { ...DEMO_SIZE, expertHidden: '1' },
    runs: [
      { label: 'Shared-Bottom', set: { model: 'sharedbottom' } },
      { label: 'MMoE', set: { model: 'mmoe' } },
      { label: 'OneRank', set: { model: 'onerank' } },
    ],
    steps: [
      'Press "Set up and train": three runs on the same data and split, trained in turn.',
      'Watch Shared-Bottom\u2019s two lines: click rises first, then slips while order climbs. That is the seesaw: one shared unit, two tasks that want it to say different things.',
      'Compare MMoE and OneRank: both tasks rise together. Then open the Train tab\u2019s seesaw view (each task against its own best so far; dips under ~0.02 are noise) and the gradient-conflict view (click/order cosine below 0 = the tasks pull the shared trunk apart).',
    ],
    expect: 'The conflict is real in the data: ranking by the world\u2019s true click probability scores order at only 0.75 AUC, against 0.94 for the true order probability. Shared-Bottom must read both tasks off one shared unit here, and it trades one for the other: over 3 seeds its click AUC peaked early (0.864-0.873, by step 25-75) and then gave back 0.007-0.031 while its order AUC climbed from 0.70-0.73 to 0.78-0.82; in one seed the click/order gradient cosine on the shared trunk turned negative (-0.33 to -0.42) as it happened. It ended behind MMoE on both tasks in every seed: click / cart / order (mean) 0.851 / 0.849 / 0.800 against 0.887 / 0.856 / 0.850 (order 0.03-0.07 lower, click 0.03-0.04 lower). MMoE (four one-unit experts, mixed by a gate per task) and OneRank (its own task tokens; 0.883 / 0.836 / 0.825) learned both. The conflict is the cause: at conflict 0 the same Shared-Bottom matched MMoE (0.841 / 0.866 / 0.881 against 0.844 / 0.867 / 0.886), and at conflict 1 a Shared-Bottom with a wide shared layer (64 units, the app\u2019s default) did too (0.892 / 0.860 / 0.861; MMoE with 64-unit experts 0.891 / 0.861 / 0.865): with room, each tower finds its own reading of the shared features.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: '`npm run measure-demo -- --demo seesaw --seeds 1,2,3` at the demo\u2019s own settings (below), wasm backend in Node; `--shop conflict=0` for the contrast. The wide Shared-Bottom: `--set expertHidden=64`, on an H200. ' + SETTINGS_NOTE + ' On an H200 with WebGPU (`GPU_CLI=measure-demo scripts/gpu/remote.sh --demo seesaw --seeds 1 --backend webgpu`), seed 1 gave the same AUCs as wasm for Shared-Bottom and MMoE (OneRank was timed there before the candidate block\u2019s mean initialization), and the runs took 27 s (Shared-Bottom), 22 s (MMoE) and 28 s (OneRank): 77 s for the demo.',
  },
  {
    id: 'detach',
    title: 'Why detach gradients?',
    goal: 'OneRank lets task k read task j\u2019s channel h_j, but with detachment it cannot push on it. Compare the gradient flow and the metrics with the switch on and off.',
    shop: { ...DEMO_WORLD, conflict: '1' },
    base: { ...DEMO_SIZE, model: 'onerank', crossTaskMask: 'cascade' },
    runs: [
      { label: 'detach on', set: { detach: 'true' } },
      { label: 'detach off', set: { detach: 'false' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Read the two gradient-flow grids: cell (k, j) is how hard task k\u2019s loss pushes on channel h_j.',
      'With detachment on, every off-diagonal cell reads exactly 0; with it off, the cells below the diagonal (cart reads click, order reads click and cart) light up.',
    ],
    expect: 'Exactly 0 in every off-diagonal cell of the detach-on grid, at every step; the detach-off grid carries gradient on the edges below the diagonal (the cascade mask) and exactly 0 above it. The metrics showed no clear difference over 3 seeds: final AUC click / cart / order (mean), detach on 0.883 / 0.836 / 0.825, detach off 0.882 / 0.840 / 0.833 (off ahead on order by 0.000-0.014 per seed, within the noise). The paper reports that detachment helps; this world does not reproduce it, probably because each task\u2019s channel here has room for what the other tasks push into it.',
    chartTasks: ['cart', 'order'],
    view: 'grad-flow',
    measured: 'The gradient-flow result is exact and checked by the e2e test (tiny config, WebGPU). Metrics: `npm run measure-demo -- --demo detach --seeds 1,2,3` at the demo\u2019s own settings (below), wasm backend in Node. ' + SETTINGS_NOTE + ' On an H200 with WebGPU (`GPU_CLI=measure-demo scripts/gpu/remote.sh --demo detach --seeds 1,2,3 --backend webgpu`): 28-32 s per run, about a minute for the demo.',
  },
  {
    id: 'mask',
    title: 'Reading the mask',
    goal: 'The structured mask keeps task tokens from seeing each other and candidates from seeing each other. What changes with full bidirectional attention (ablation V6)?',
    shop: { ...DEMO_WORLD },
    base: { ...DEMO_SIZE, model: 'onerank' },
    runs: [
      { label: 'structured mask', set: { ablation: 'none' } },
      { label: 'V6 bidirectional', set: { ablation: 'V6' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Compare the two masks beside the charts: hatched cells are forbidden. V6 forbids nothing.',
      'In Look inside, pick the V6 run: its task tokens spread attention over other candidates\u2019 groups.',
    ],
    expect: 'The structured mask hides every cell outside the table in ONERANK.md section 2; V6 hides none. V6 trained clearly worse on every task in every seed, as in the paper: final AUC click / cart / order (mean of 3 seeds), structured 0.818 / 0.850 / 0.872, V6 0.599 / 0.636 / 0.670 (V6 never passed 0.62 on click, 0.68 on cart or 0.72 on order, in any seed).',
    chartTasks: ['click', 'order'],
    view: 'mask',
    measured: 'The masks are drawn from the config by the same functions the model uses (unit-tested). Metrics: `GPU_CLI=measure-demo scripts/gpu/remote.sh --demo mask --seeds 1,2,3 --backend webgpu` (the same as `npm run measure-demo`, on an H200 with WebGPU) at the demo\u2019s own settings (below), conflict 0.3 (the default). ' + SETTINGS_NOTE + ' The runs took 32-36 s each: 67 s for the demo (seed 1). On wasm in Node, the same seeds give the same AUCs to within ~0.002.',
  },
  {
    id: 'candidates',
    title: 'Candidate-aware context',
    goal: 'Each task summarizes the candidate pool through its own eyes (section 3). Ablation V5 replaces that with a plain mean over candidates.',
    shop: { ...DEMO_WORLD },
    base: { ...DEMO_SIZE, model: 'onerank' },
    runs: [
      { label: 'full', set: { ablation: 'none' } },
      { label: 'V5 mean over candidates', set: { ablation: 'V5' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Compare the AUC curves of the two runs.',
      'In Look inside, the full run shows the candidate-aware attention per task; V5 has none.',
    ],
    expect: 'Only the full run has candidate-aware attention maps (one row per task over the request\u2019s candidates). The metrics showed no clear winner: final AUC click / cart / order (mean of 3 seeds), full 0.818 / 0.850 / 0.873, V5 0.812 / 0.848 / 0.879; the full model was ahead on click in two seeds (by 0.004 and 0.014) and behind on order in one (by 0.016), and the two were within 0.006 everywhere else. The paper finds the full model better. In this world a candidate\u2019s labels do not depend on the other candidates shown with it, so a task-specific view of the pool has nothing extra to find. The block starts as the plain mean V5 uses (zero query, identity value and output maps), so the full model starts where V5 does; before that initialization it trained slightly worse than V5 (0.807 / 0.839 / 0.862). Read the attention rows to see what each task attends to anyway.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
    measured: 'Structural difference checked by unit tests. Metrics: `GPU_CLI=measure-demo scripts/gpu/remote.sh --demo candidates --seeds 1,2,3 --backend webgpu` (the same as `npm run measure-demo`, on an H200 with WebGPU) at the demo\u2019s own settings (below), conflict 0.3 (the default). ' + SETTINGS_NOTE + ' The runs took 34-41 s each: 76 s for the demo (seed 1). On wasm in Node, the same seeds give the same AUCs to within ~0.002.',
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
