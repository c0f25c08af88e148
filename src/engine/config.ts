// One typed description of a run: model, sizes, switches, training and seed.
// It is flat on purpose (like TensorFlow Playground's state.ts): every key can be set from the command line
// (`--set key=value`), from the URL hash, and from the UI through the same parser below.

export type ModelKind = 'onerank' | 'sharedbottom' | 'mmoe' | 'ple';
export type CrossTaskMaskPreset = 'parallel' | 'full' | 'cascade' | 'custom';
export type ScorerKind = 'dot' | 'bilinear';
/** The paper's ablations (ONERANK.md): 'none' is the full model. */
export type Ablation = 'none' | 'V1' | 'V2' | 'V3' | 'V4' | 'V5' | 'V6';
export type SplitKind = 'random' | 'time';

export interface Config {
  // --- model ---
  model: ModelKind;
  /** Width of every token (d). */
  d: number;
  layers: number;
  heads: number;
  /** FFN hidden width = ffnRatio * d. */
  ffnRatio: number;
  dropout: number;
  /** Max history length H (longer histories keep their most recent items). */
  historyLen: number;
  /** Max candidates per request N (larger requests are split, never dropped). */
  maxCandidates: number;
  /** Tokens kept per multi-valued categorical feature (mean-pooled). */
  multiLen: number;
  // --- OneRank switches ---
  /** Cross-task gradient detachment (ONERANK.md section 5), for every off-diagonal edge. */
  detach: boolean;
  /** Per-edge override: '' follows `detach`; else K rows of K digits joined by ';' (1 = detached), e.g. '000;100;110'. */
  detachEdges: string;
  crossTaskMask: CrossTaskMaskPreset;
  /** Used when crossTaskMask = 'custom': K rows of K 0/1 digits joined by ';' (diagonal forced on). */
  customTaskMask: string;
  /** Candidate-aware contextualization (section 3); off = mean over candidates. */
  candidateContext: boolean;
  scorer: ScorerKind;
  ablation: Ablation;
  // --- baselines (Shared-Bottom, MMoE, PLE) ---
  experts: number;
  expertHidden: number;
  towerHidden: number;
  pleSharedExperts: number;
  pleTaskExperts: number;
  pleLevels: number;
  // --- training ---
  lr: number;
  batchSize: number;
  weightDecay: number;
  /** Share of user and item ids replaced by the OOV id in each training batch (the OOV row learns what an unseen
   *  user or item looks like). */
  idDropout: number;
  /** Decoupled decay of the embedding tables only (added to weightDecay for them): rare ids' rows shrink toward 0. */
  embDecay: number;
  /** Early stopping: stop after this many evaluations without a new best checkpoint (0 = never). */
  patience: number;
  /** What picks the best checkpoint: '' = the mean validation AUC over tasks, else one task's name. */
  bestBy: string;
  /** Global gradient-norm clip; 0 = off. */
  clipNorm: number;
  /** Weight of the InfoNCE term. */
  alpha: number;
  /** Per-task BCE weights, comma-separated in task order; '' = all 1. */
  taskWeights: string;
  /** Initial InfoNCE temperature (learnable). */
  temperature: number;
  seed: number;
  steps: number;
  evalEvery: number;
  /** Gradient-conflict probe period M (0 = off). */
  probeEvery: number;
  valFraction: number;
  split: SplitKind;
  // --- engine ---
  /** Fused WebGPU kernels (src/engine/kernels/); off = the plain TF.js ops. Same numbers either way; webgpu only. */
  fused: boolean;
  /** Record the training step's GPU work once and replay it (webgpu, with `fused`); off = TF.js every step. Same numbers. */
  recordStep: boolean;
}

export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  model: 'onerank',
  d: 32,
  layers: 2,
  heads: 2,
  ffnRatio: 2,
  dropout: 0,
  historyLen: 20,
  maxCandidates: 12,
  multiLen: 8,
  detach: true,
  detachEdges: '',
  crossTaskMask: 'cascade',
  customTaskMask: '',
  candidateContext: true,
  scorer: 'dot',
  ablation: 'none',
  experts: 4,
  expertHidden: 64,
  towerHidden: 32,
  pleSharedExperts: 2,
  pleTaskExperts: 1,
  pleLevels: 1,
  lr: 0.003,
  batchSize: 64,
  weightDecay: 0,
  idDropout: 0,
  embDecay: 0,
  patience: 0,
  bestBy: '',
  clipNorm: 1,
  alpha: 0.1,
  taskWeights: '',
  temperature: 0.07,
  seed: 42,
  steps: 300,
  evalEvery: 25,
  probeEvery: 25,
  valFraction: 0.2,
  split: 'random',
  fused: true,
  recordStep: true,
} satisfies Config);

/** The config keys that change the encoded arrays (the rest only change the model and training). */
export const ENCODING_KEYS = ['historyLen', 'maxCandidates', 'multiLen', 'valFraction', 'split'] as const;
export type EncodingSettings = Pick<Config, (typeof ENCODING_KEYS)[number]>;

/** The config with the shapes the data was encoded with (the model reads them, so the data's win). */
export function withDataShapes(cfg: Config, data: Pick<Config, 'historyLen' | 'maxCandidates' | 'multiLen'>): Config {
  return { ...cfg, historyLen: data.historyLen, maxCandidates: data.maxCandidates, multiLen: data.multiLen };
}

/** The part of a config that decides how a dataset is encoded (its ENCODING_KEYS). */
export function encodingOf(cfg: EncodingSettings): EncodingSettings {
  return Object.fromEntries(ENCODING_KEYS.map((k) => [k, cfg[k]])) as unknown as EncodingSettings;
}

type KeyKind =
  | { type: 'int'; min: number; max: number }
  | { type: 'number'; min: number; max: number }
  | { type: 'boolean' }
  | { type: 'enum'; options: readonly string[] }
  | { type: 'string'; pattern: RegExp };

const MATRIX = /^$|^[01]+(;[01]+)*$/;

/** What each key accepts, so one parser serves the CLI, the URL and the UI. */
export const CONFIG_KEYS: { [K in keyof Config]: KeyKind & { help: string } } = {
  model: { type: 'enum', options: ['onerank', 'sharedbottom', 'mmoe', 'ple'], help: 'model family' },
  d: { type: 'int', min: 4, max: 1024, help: 'token width d' },
  layers: { type: 'int', min: 1, max: 12, help: 'trunk layers L' },
  heads: { type: 'int', min: 1, max: 16, help: 'attention heads (must divide d)' },
  ffnRatio: { type: 'number', min: 0.5, max: 8, help: 'FFN width / d' },
  dropout: { type: 'number', min: 0, max: 0.9, help: 'dropout rate' },
  historyLen: { type: 'int', min: 0, max: 512, help: 'max history length H' },
  maxCandidates: { type: 'int', min: 1, max: 256, help: 'max candidates per request N' },
  multiLen: { type: 'int', min: 1, max: 64, help: 'tokens kept per multi-valued feature' },
  detach: { type: 'boolean', help: 'cross-task gradient detachment' },
  detachEdges: { type: 'string', pattern: MATRIX, help: "per-edge detachment matrix, e.g. '000;100;110' ('' = follow detach)" },
  crossTaskMask: { type: 'enum', options: ['parallel', 'full', 'cascade', 'custom'], help: 'cross-task mask preset' },
  customTaskMask: { type: 'string', pattern: MATRIX, help: "custom K x K task mask, e.g. '100;110;111'" },
  candidateContext: { type: 'boolean', help: 'candidate-aware contextualization (off = mean)' },
  scorer: { type: 'enum', options: ['dot', 'bilinear'], help: 'matching scorer' },
  ablation: { type: 'enum', options: ['none', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'], help: "paper's ablation" },
  experts: { type: 'int', min: 1, max: 32, help: 'MMoE experts' },
  expertHidden: { type: 'int', min: 1, max: 1024, help: 'expert / bottom width' },
  towerHidden: { type: 'int', min: 4, max: 1024, help: 'task tower width' },
  pleSharedExperts: { type: 'int', min: 1, max: 16, help: 'PLE shared experts' },
  pleTaskExperts: { type: 'int', min: 1, max: 16, help: 'PLE experts per task' },
  pleLevels: { type: 'int', min: 1, max: 4, help: 'PLE extraction levels' },
  lr: { type: 'number', min: 1e-6, max: 1, help: 'Adam learning rate' },
  batchSize: { type: 'int', min: 1, max: 8192, help: 'requests per batch' },
  weightDecay: { type: 'number', min: 0, max: 1, help: 'decoupled weight decay' },
  idDropout: { type: 'number', min: 0, max: 0.9, help: 'share of user / item ids replaced by the OOV id while training' },
  embDecay: { type: 'number', min: 0, max: 10, help: 'decoupled decay of the embedding tables only' },
  patience: { type: 'int', min: 0, max: 10_000, help: 'stop after this many evaluations without a new best (0 = never)' },
  bestBy: { type: 'string', pattern: /^[^;=&#]*$/, help: "best checkpoint by: '' = mean AUC over tasks, or a task name" },
  clipNorm: { type: 'number', min: 0, max: 1000, help: 'global gradient-norm clip (0 = off)' },
  alpha: { type: 'number', min: 0, max: 10, help: 'InfoNCE weight' },
  taskWeights: { type: 'string', pattern: /^$|^\d*\.?\d+(,\d*\.?\d+)*$/, help: "per-task BCE weights, e.g. '1,1,2'" },
  temperature: { type: 'number', min: 1e-3, max: 10, help: 'initial InfoNCE temperature' },
  seed: { type: 'int', min: 0, max: 2 ** 31 - 1, help: 'random seed' },
  steps: { type: 'int', min: 1, max: 1_000_000, help: 'training steps' },
  evalEvery: { type: 'int', min: 1, max: 100_000, help: 'validate every N steps' },
  probeEvery: { type: 'int', min: 0, max: 100_000, help: 'gradient probe every M steps (0 = off)' },
  valFraction: { type: 'number', min: 0.01, max: 0.9, help: 'validation share of requests' },
  split: { type: 'enum', options: ['random', 'time'], help: 'validation split' },
  fused: { type: 'boolean', help: 'fused WebGPU kernels (off = plain TF.js ops, same numbers)' },
  recordStep: { type: 'boolean', help: 'replay a recorded training step on WebGPU (off = TF.js every step, same numbers)' },
};

export class ConfigError extends Error {}

/** Parses one `key=value` (as typed on a command line or in a URL) into a typed value, or throws ConfigError. */
export function parseConfigValue<K extends keyof Config>(key: K, raw: string): Config[K] {
  const spec = CONFIG_KEYS[key];
  if (!spec) throw new ConfigError(`Unknown config key '${String(key)}'. Known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
  const bad = (why: string) => new ConfigError(`Config '${String(key)}=${raw}': ${why}`);
  switch (spec.type) {
    case 'boolean':
      if (['true', '1', 'on', 'yes'].includes(raw)) return true as Config[K];
      if (['false', '0', 'off', 'no'].includes(raw)) return false as Config[K];
      throw bad('expected true or false');
    case 'int':
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw bad('expected a number');
      if (spec.type === 'int' && !Number.isInteger(v)) throw bad('expected a whole number');
      if (v < spec.min || v > spec.max) throw bad(`expected between ${spec.min} and ${spec.max}`);
      return v as Config[K];
    }
    case 'enum':
      if (!spec.options.includes(raw)) throw bad(`expected one of ${spec.options.join(', ')}`);
      return raw as Config[K];
    case 'string':
      if (!spec.pattern.test(raw)) throw bad(spec.help);
      return raw as Config[K];
  }
}

export function isConfigKey(key: string): key is keyof Config {
  return Object.prototype.hasOwnProperty.call(CONFIG_KEYS, key);
}

/**
 * Rules between keys that a single key's range cannot say (the model would throw at build time): per key, why
 * the combination is refused and what to do. Empty when the config can build.
 */
export function configProblems(cfg: Config): Partial<Record<keyof Config, string>> {
  const out: Partial<Record<keyof Config, string>> = {};
  if (cfg.d % cfg.heads !== 0) {
    const fits = Array.from({ length: 16 }, (_, i) => i + 1).filter((h) => cfg.d % h === 0);
    out.heads = `${cfg.heads} heads do not divide width d = ${cfg.d}: pick ${fits.join(', ')} (or change d)`;
  }
  return out;
}

/** Applies `key=value` pairs on top of a config (unknown keys and bad values throw ConfigError). */
export function applySettings(base: Config, pairs: Iterable<[string, string]>): Config {
  const out: Config = { ...base };
  for (const [key, raw] of pairs) {
    if (!isConfigKey(key)) throw new ConfigError(`Unknown config key '${key}'. Known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
    (out as unknown as Record<string, unknown>)[key] = parseConfigValue(key, raw);
  }
  return out;
}

/** The keys whose value differs from `base`, as `key=value` strings (for URLs and run names). */
export function configDiff(base: Config, cfg: Config): [keyof Config, string][] {
  return (Object.keys(CONFIG_KEYS) as (keyof Config)[])
    .filter((k) => cfg[k] !== base[k])
    .map((k) => [k, String(cfg[k])]);
}

/** Parses a 'ab;cd' 0/1 matrix string into K x K numbers; null when empty. Throws when the shape is not K x K. */
export function parseMatrix(s: string, K: number, what: string): number[][] | null {
  if (s === '') return null;
  const rows = s.split(';').map((r) => [...r].map(Number));
  if (rows.length !== K || rows.some((r) => r.length !== K)) {
    throw new ConfigError(`${what} '${s}' must be ${K} rows of ${K} digits (one per task), joined by ';'`);
  }
  return rows;
}

export function formatMatrix(m: number[][]): string {
  return m.map((r) => r.join('')).join(';');
}

/** Per-task BCE weights (length K). */
export function taskWeightsOf(cfg: Config, K: number): number[] {
  if (cfg.taskWeights === '') return new Array(K).fill(1);
  const w = cfg.taskWeights.split(',').map(Number);
  if (w.length !== K) throw new ConfigError(`taskWeights '${cfg.taskWeights}' has ${w.length} values; the dataset has ${K} tasks`);
  return w;
}
