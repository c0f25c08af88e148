// Words for learners: a human label and one plain line for every setting (the config key stays in the tooltip,
// so a link or a command line can still be read), and the terms the charts and demos use. One table serves the
// controls' labels, their tooltips and the glossary panel.
import { CONFIG_KEYS, type Config } from '../engine/config';

export interface Term {
  /** What the control or the glossary calls it. */
  label: string;
  /** One or two plain sentences. */
  text: string;
}

/** Every config key, in words. */
export const SETTING_WORDS: Record<keyof Config, Term> = {
  model: { label: 'model', text: 'Which ranking model trains: OneRank (one Transformer for every task) or a classic multi-task baseline (Shared-Bottom, MMoE, PLE).' },
  d: { label: 'width d', text: 'How many numbers describe each token. Wider models can learn more but train slower.' },
  layers: { label: 'Transformer layers', text: 'How many attention + feed-forward layers the trunk stacks.' },
  heads: { label: 'attention heads', text: 'Attention runs in this many parallel heads, each on d / heads numbers; it must divide the width d.' },
  ffnRatio: { label: 'feed-forward width (x d)', text: 'The hidden width of each feed-forward block, as a multiple of d.' },
  dropout: { label: 'dropout', text: 'Share of activations randomly zeroed while training, to fight overfitting (0 = off).' },
  historyLen: { label: 'history length H', text: "How many of the user's past items the model reads (the most recent ones)." },
  maxCandidates: { label: 'candidates per request N', text: 'How many items one request ranks together; larger requests are split, never dropped.' },
  multiLen: { label: 'values kept per list feature', text: 'A feature holding a list of values (e.g. tags) keeps at most this many, averaged into one token.' },
  detach: { label: 'cross-task detachment', text: "When on, a task reads the other tasks' channels but its loss does not push on them: each task's gradient stays its own." },
  detachEdges: { label: 'detachment per task pair', text: "Detachment for each (reader, read) pair of tasks; empty follows the global switch." },
  crossTaskMask: { label: 'which tasks may read which', text: 'parallel: none reads another; cascade: a task reads the tasks before it (click -> cart -> order); full: all read all; custom: your matrix.' },
  customTaskMask: { label: 'custom task mask', text: 'Your own K x K matrix of which task may read which (used when the mask is "custom").' },
  candidateContext: { label: 'candidate-aware context', text: 'Each task summarizes the other candidates of the request with attention; off, it takes their plain mean (ablation V5).' },
  scorer: { label: 'matching scorer', text: 'How a task token and a candidate become a score: a dot product, or a learned bilinear form.' },
  ablation: { label: 'paper ablation (V1-V6)', text: 'Switch off one piece of OneRank as the paper did, to see what it is worth. See V1 to V6 in the glossary.' },
  experts: { label: 'experts (MMoE)', text: 'How many shared expert networks MMoE mixes per task.' },
  expertHidden: { label: 'expert / bottom width', text: 'Hidden width of each expert (or of the shared bottom).' },
  towerHidden: { label: 'task tower width', text: 'Hidden width of the small network each task has on top.' },
  pleSharedExperts: { label: 'shared experts (PLE)', text: 'Experts every task may use in PLE.' },
  pleTaskExperts: { label: 'experts per task (PLE)', text: 'Experts only one task uses in PLE.' },
  pleLevels: { label: 'extraction levels (PLE)', text: 'How many PLE expert layers are stacked.' },
  lr: { label: 'learning rate', text: 'How big each training step is. Too big and the loss jumps around; too small and it barely moves.' },
  batchSize: { label: 'requests per step', text: 'How many requests each training step learns from.' },
  weightDecay: { label: 'weight decay', text: 'Pulls every weight a little toward zero each step, to keep the model simple (0 = off).' },
  idDropout: { label: 'id dropout', text: 'Share of user and item ids hidden (replaced by the "unknown" id) while training, so the model learns what to do with a user or item it never saw (0 = off).' },
  embDecay: { label: 'embedding decay', text: 'Pulls the embedding rows (one per user, item, category...) toward zero each step, so ids seen only a few times cannot memorize their labels (0 = off).' },
  patience: { label: 'early-stopping patience', text: 'Stop training after this many evaluations without a new best validation score (0 = train all the steps).' },
  bestBy: { label: 'best checkpoint by', text: 'Which validation score picks the best step: empty = the mean AUC over tasks, or the name of one task.' },
  clipNorm: { label: 'gradient clip', text: 'If one step\u2019s gradient is larger than this (its norm), it is scaled down to it: protects against sudden jumps (0 = off).' },
  alpha: { label: 'contrastive weight alpha', text: 'How much the InfoNCE (contrastive) loss counts next to the per-task click/cart/order losses.' },
  taskWeights: { label: 'loss weight per task', text: 'How much each task\u2019s loss counts; empty = all 1.' },
  temperature: { label: 'InfoNCE temperature', text: 'Sharpness of the contrastive loss at the start (it is learned).' },
  seed: { label: 'random seed', text: 'Same seed, same data split and same starting weights: runs are reproducible.' },
  steps: { label: 'training steps', text: 'How many steps Play trains before it stops.' },
  evalEvery: { label: 'evaluate every (steps)', text: 'How often the held-out validation requests are scored (AUC, GAUC, LogLoss).' },
  probeEvery: { label: 'gradient probe every (steps)', text: 'How often the gradient-conflict probe measures whether the tasks pull the shared weights apart (0 = off).' },
  valFraction: { label: 'validation share', text: 'Share of requests held out to measure the model; it never trains on them.' },
  split: { label: 'validation split', text: 'random: any requests are held out; time: the latest ones, as in production.' },
  recordStep: { label: 'recorded step', text: 'On WebGPU, record the GPU work of one training step and replay it every step with the next batch, instead of planning ~500 GPU programs again each time: faster, same numbers.' },
  fused: { label: 'fused GPU kernels', text: 'On WebGPU, run LayerNorm, the activation, attention and the loss as a few fused GPU programs instead of many small ones: faster, same numbers.' },
};

/** Terms the charts, the demos and the ablation menu use. */
export const TERMS: Record<string, Term> = {
  V1: { label: 'V1', text: "Task tokens replaced by a linear projection of the candidate's own token." },
  V2: { label: 'V2', text: 'One shared task token instead of one per task.' },
  V3: { label: 'V3', text: 'V2, and the tasks no longer attend to each other.' },
  V4: { label: 'V4', text: 'No cross-task gradient detachment.' },
  V5: { label: 'V5', text: 'No candidate-aware context: each task takes the plain mean over the candidates.' },
  V6: { label: 'V6', text: 'Every token may attend to every other (no structured mask).' },
  AUC: { label: 'AUC', text: 'The chance that a random positive item is scored above a random negative one: 0.5 is guessing, 1 is perfect.' },
  GAUC: { label: 'GAUC', text: "AUC computed per user, then averaged (weighted by the user's candidates): does the model rank well within each user's list?" },
  LogLoss: { label: 'LogLoss (BCE)', text: 'How surprised the model is by the true labels; lower is better. "constant" is the loss of always predicting the positive rate.' },
  InfoNCE: { label: 'InfoNCE', text: 'A contrastive loss: the clicked candidate should score above the others of the same request.' },
  seesaw: { label: 'seesaw', text: 'One task gets better while another gets worse: the tasks compete for the shared model.' },
  'task token': { label: 'task token', text: 'OneRank gives each (candidate, task) pair its own token; its final state scores that task.' },
  mask: { label: 'attention mask', text: 'Which token may read which; masked pairs get exactly zero attention.' },
  comparison: { label: 'comparison run', text: 'A copy of a run with one setting changed: same seed, same data, evaluated at the same steps, so the curves differ only by that change.' },
};

export function termOf(key: string): Term | undefined {
  return key in SETTING_WORDS ? SETTING_WORDS[key as keyof Config] : TERMS[key];
}

/** The tooltip of a setting's control: its line, its range, and the config key a link or the CLI uses. */
export function settingTooltip(k: keyof Config): string {
  const spec = CONFIG_KEYS[k];
  const range = 'min' in spec ? ` Range ${spec.min} to ${spec.max}.` : '';
  return `${SETTING_WORDS[k].text}${range} (config key: ${k})`;
}

/** A glossary entry's anchor id. */
export function termId(key: string): string {
  return `term-${key.replace(/\W+/g, '-')}`;
}
