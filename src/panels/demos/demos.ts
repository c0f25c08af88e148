// The guided demos, as data: the world (shop knobs), the runs to create (config changes), and the words beside
// the live charts: the question, what to watch, what it means. A text never types a measured figure: what
// usually happens is a claim in words checked against demoResults.json (written by `npm run measure-demo --
// --write`, tests/unit/app-demo-results.test.ts), and the page shows the figures of that file in its "How we
// measured" note and those of the runs on the page live.
import { applySettings, DEFAULT_CONFIG, type Config } from '../../engine/config';
import { finals, gaps, mean, type DemoMeasurement, type MeasuredPlan } from './demoResults';

export type DemoView = 'metrics' | 'grad-flow' | 'mask';

export interface DemoRun {
  /** Short label, also the run's name suffix ('Shared-Bottom'). */
  label: string;
  /** Config keys this run changes, as key=value strings (parsed by the same parser as the CLI and the URL). */
  set: Record<string, string>;
}

/** What usually happens, in plain words, and the check of it against the measured results. */
export interface Claim {
  text: string;
  holds(m: DemoMeasurement): boolean;
}

/** A variation measured beside the demo's own runs (not run by the page), that a claim compares against. */
export interface Contrast {
  id: string;
  /** In words, for the "How we measured" note. */
  label: string;
  set?: Record<string, string>;
  shop?: Record<string, string>;
  /** Which of the demo's runs it repeats. */
  runs: string[];
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
  /** What to do and what to watch, in order. */
  steps: string[];
  /** What it means, in plain sentences. */
  means: string;
  /** What usually happens (checked against the results file). */
  claims: Claim[];
  contrasts: Contrast[];
  /** What is exact rather than measured (a structural fact a test checks), if any. */
  exact?: string;
  /** Which tasks' validation AUC the charts plot. */
  chartTasks: string[];
  /** The extra live view beside the charts. */
  view: DemoView;
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
 * the texts state shows up. The results file records these settings; its test fails when they drift apart.
 */
const DEMO_SIZE: Readonly<Record<string, string>> = {
  d: '16', layers: '1', heads: '2', batchSize: '64', lr: '0.01', steps: '300', evalEvery: '25', probeEvery: '50',
  historyLen: '10', maxCandidates: '10',
};
/** Every demo's world size (the shop defaults, with the history as short as the model reads it). */
const DEMO_WORLD: Readonly<Record<string, string>> = { historyLen: '10' };

/** True in every measured seed. */
const always = (xs: boolean[]) => xs.length > 0 && xs.every(Boolean);
/** Differences that stay within `bound` either way in every seed: no clear winner. */
const within = (xs: number[], bound: number) => always(xs.map((x) => Math.abs(x) < bound));
/** AUC moves ~0.01-0.02 between evaluations from noise alone (order, the rarest task, most). */
const NOISE = 0.02;

export const DEMOS: readonly Demo[] = [
  {
    id: 'seesaw',
    title: 'The seesaw',
    goal: 'In this shop, click chases premium items while order (among clicked ones) avoids them: the two tasks want opposite things. Can one shared model serve both?',
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
      'Press "Set up and train". Three models train side by side on the same data.',
      'In the click chart, follow Shared-Bottom: its line rises fast, then stalls and wobbles below MMoE\u2019s.',
      'In the order chart, follow the same model: it climbs while its click stalls, and stays below MMoE and OneRank. Those two rise in both charts.',
    ],
    means:
      'Shared-Bottom squeezes every task through one shared unit. When click and order disagree, that unit cannot say both things at once, so getting better at one task costs the other: this is the seesaw. MMoE gives each task its own mix of experts, and OneRank gives each task its own token, so each task can keep its own view.',
    claims: [
      {
        text: 'Shared-Bottom ends behind MMoE on order.',
        holds: (m) => always(gaps(finals(m, 'MMoE', 'order'), finals(m, 'Shared-Bottom', 'order')).map((g) => g > 0)),
      },
      {
        text: 'It ends behind MMoE on click as well: one narrow shared unit cannot serve both tasks fully.',
        holds: (m) => always(gaps(finals(m, 'MMoE', 'click'), finals(m, 'Shared-Bottom', 'click')).map((g) => g > 0)),
      },
      {
        text: 'OneRank, with a token of its own for each task, also ends ahead of Shared-Bottom on order.',
        holds: (m) => always(gaps(finals(m, 'OneRank', 'order'), finals(m, 'Shared-Bottom', 'order')).map((g) => g > 0)),
      },
      {
        text: 'The conflict is the cause: in the same shop without the conflict, Shared-Bottom does about as well as MMoE on order.',
        holds: (m) =>
          within(gaps(finals(m, 'MMoE', 'order', 'no-conflict'), finals(m, 'Shared-Bottom', 'order', 'no-conflict')), NOISE) &&
          mean(gaps(finals(m, 'MMoE', 'order', 'no-conflict'), finals(m, 'Shared-Bottom', 'order', 'no-conflict'))) <
            mean(gaps(finals(m, 'MMoE', 'order'), finals(m, 'Shared-Bottom', 'order'))),
      },
      {
        text: 'So is the narrow shared layer: give Shared-Bottom the app\u2019s usual wide layer and it keeps up with MMoE on order, conflict or not.',
        holds: (m) => within(gaps(finals(m, 'MMoE', 'order', 'wide'), finals(m, 'Shared-Bottom', 'order', 'wide')), NOISE),
      },
    ],
    contrasts: [
      { id: 'no-conflict', label: 'the same runs in a shop without conflict (conflict 0)', shop: { conflict: '0' }, runs: ['Shared-Bottom', 'MMoE'] },
      { id: 'wide', label: 'a wide shared layer (64 units, the app\u2019s default) and 64-unit MMoE experts', set: { expertHidden: '64' }, runs: ['Shared-Bottom', 'MMoE'] },
    ],
    chartTasks: ['click', 'order'],
    view: 'metrics',
  },
  {
    id: 'detach',
    title: 'Why detach gradients?',
    goal: 'OneRank lets a later task (order) read an earlier task\u2019s channel (click, cart). With detachment it may read it but not change it. Compare the gradient flow and the metrics with the switch on and off.',
    shop: { ...DEMO_WORLD, conflict: '1' },
    base: { ...DEMO_SIZE, model: 'onerank', crossTaskMask: 'cascade' },
    runs: [
      { label: 'detach on', set: { detach: 'true' } },
      { label: 'detach off', set: { detach: 'false' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Read the two gradient-flow grids: the cell in row k, column j shows how hard task k\u2019s loss pushes on task j\u2019s channel.',
      'With detachment on, every cell off the diagonal is exactly zero. With it off, the cells below the diagonal light up: cart pushes on click, order pushes on click and cart.',
    ],
    means:
      'Detachment turns the other tasks\u2019 channels into read-only memory: order can use what click learned, but order\u2019s mistakes cannot bend click\u2019s channel. The paper reports that this helps. In this small shop it does not show in the AUCs: here each channel has room for what the other tasks push into it, and their push is one more training signal.',
    claims: [
      {
        text: 'The AUCs with detachment on and off end close together, within a few hundredths on every task.',
        holds: (m) => ['click', 'cart', 'order'].every((t) => within(gaps(finals(m, 'detach on', t), finals(m, 'detach off', t)), 2 * NOISE)),
      },
      {
        text: 'If anything, detachment off ends a little ahead on cart and order here: the paper\u2019s gain does not show at this size.',
        holds: (m) => ['cart', 'order'].every((t) => mean(gaps(finals(m, 'detach off', t), finals(m, 'detach on', t))) > 0),
      },
    ],
    contrasts: [],
    exact: 'The zeros in the detach-on grid are exact, at every step: an end-to-end test checks them.',
    chartTasks: ['cart', 'order'],
    view: 'grad-flow',
  },
  {
    id: 'mask',
    title: 'Reading the mask',
    goal: 'The structured mask keeps task tokens from seeing each other and candidates from seeing each other. What changes with full attention everywhere (the paper\u2019s ablation V6)?',
    shop: { ...DEMO_WORLD },
    base: { ...DEMO_SIZE, model: 'onerank' },
    runs: [
      { label: 'structured mask', set: { ablation: 'none' } },
      { label: 'V6 bidirectional', set: { ablation: 'V6' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Compare the two masks beside the charts: a hatched cell means "this token may not look at that one". The V6 mask has no hatched cells.',
      'Watch the AUC curves: the V6 run stays far below the structured one.',
      'In Look inside, pick the V6 run: its task tokens spread their attention over other candidates\u2019 groups.',
    ],
    means:
      'With the structured mask, each candidate is scored from the user\u2019s context and its own tokens only. With full attention, every candidate\u2019s task tokens also read the other candidates, including what the other candidates\u2019 tokens learned about their labels, so the model learns shortcuts that do not hold up on new requests.',
    claims: [
      {
        text: 'V6 trains clearly worse than the structured mask on every task, as in the paper.',
        holds: (m) => ['click', 'cart', 'order'].every((t) => always(gaps(finals(m, 'structured mask', t), finals(m, 'V6 bidirectional', t)).map((g) => g > 2 * NOISE))),
      },
    ],
    contrasts: [],
    exact: 'The masks are drawn from the config by the same functions the model uses, and a unit test checks them against the paper\u2019s table.',
    chartTasks: ['click', 'order'],
    view: 'mask',
  },
  {
    id: 'candidates',
    title: 'Candidate-aware context',
    goal: 'Each task summarizes the pool of candidates shown together through its own eyes. The paper\u2019s ablation V5 replaces that with a plain average over the candidates.',
    shop: { ...DEMO_WORLD },
    base: { ...DEMO_SIZE, model: 'onerank' },
    runs: [
      { label: 'full', set: { ablation: 'none' } },
      { label: 'V5 mean over candidates', set: { ablation: 'V5' } },
    ],
    steps: [
      'Press "Set up and train".',
      'Compare the AUC curves of the two runs.',
      'In Look inside, the full run shows one row of candidate-aware attention per task; V5 has none.',
    ],
    means:
      'The paper finds that this block matters most. In this shop, though, whether you click an item does not depend on which other items were shown beside it, so a task-specific view of the pool has nothing extra to find: expect the two runs to stay close. The block starts out as exactly V5\u2019s average and learns from there.',
    claims: [
      {
        text: 'The full model and V5 end close together: no clear winner on any task.',
        holds: (m) => ['click', 'cart', 'order'].every((t) => within(gaps(finals(m, 'full', t), finals(m, 'V5 mean over candidates', t)), 2 * NOISE)),
      },
    ],
    contrasts: [],
    exact: 'Only the full run has candidate-aware attention maps; unit tests check the structure.',
    chartTasks: ['click', 'order'],
    view: 'metrics',
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

/** The app's defaults, with no link shrinking anything: what the results file is measured at. */
const PLAIN = { config: DEFAULT_CONFIG, shop: {} };

/** The runs a contrast measures: the demo's own runs at the app's defaults, with the contrast's changes. */
export function planContrast(demo: Demo, contrast: Contrast): DemoRunPlan[] {
  return planDemo(demo, PLAIN)
    .filter((p) => contrast.runs.includes(p.label))
    .map((p) => ({ ...p, config: applySettings({ ...p.config }, Object.entries(contrast.set ?? {})), shop: { ...p.shop, ...contrast.shop } }));
}

/** Every run the results file must hold for a demo: its own plan and its contrasts', as the file records them. */
export function measuredPlans(demo: Demo): MeasuredPlan[] {
  const record = (p: DemoRunPlan, contrast: string | null): MeasuredPlan => ({
    label: p.label,
    contrast,
    config: Object.fromEntries(
      (Object.keys(p.config) as (keyof Config)[]).filter((k) => k !== 'seed' && p.config[k] !== DEFAULT_CONFIG[k]).map((k) => [k, p.config[k]]),
    ),
    shop: p.shop,
  });
  return [
    ...planDemo(demo, PLAIN).map((p) => record(p, null)),
    ...demo.contrasts.flatMap((c) => planContrast(demo, c).map((p) => record(p, c.id))),
  ];
}
