// A run as a PyTorch project (issue 16, "Outgrow the browser"): model.py, data.py, train.py, README.md,
// config.json (the run's config plus what the app derived from it: masks, detachment matrix, switches),
// schema.json (column roles, vocabularies, numeric statistics, shapes) and weights.safetensors (the TypeScript
// names). The Python files are real files in ./torch/, read as text by the app (Vite `?raw`, templates.ts) and by
// the CLI (fs): both hand them in here, so this module stays free of any bundler or Node API.
import type { Config } from '../config';
import type { DatasetSchema } from '../data/schema';
import type { DatasetMeta } from '../data/types';
import { attentionMask, detachMatrix, structuredMask, taskMask, tokenLayout } from '../model/mask';
import { resolveSwitches } from '../model/switches';
import type { TaskMetrics } from '../train/metrics';
import type { WeightsFile } from '../train/trainer';
import { encodeSafetensors } from './safetensors';
import type { ExportFile } from './tar';

/** The Python files of the export, by role, as their file names in ./torch/. */
export const TORCH_TEMPLATE_FILES = {
  model: 'model.py',
  data: 'data.py',
  train: 'train.py',
  genShop: 'gen_shop.py',
} as const;
export type TorchTemplates = Record<keyof typeof TORCH_TEMPLATE_FILES, string>;

export interface TorchExportInput {
  /** The run's weights, config and step (Trainer.exportWeights). */
  weights: WeightsFile;
  /** The dataset the run trained on, with its vocabularies (features[].vocab, itemVocab) and numeric stats. */
  meta: DatasetMeta;
  schema: DatasetSchema;
  /** The run's last evaluation, quoted in the README and config.json. */
  metrics?: { step: number; tasks: Pick<TaskMetrics, 'name' | 'auc' | 'gauc' | 'logloss'>[] } | null;
  /** The built-in shop world's options when the run trained on it (adds gen_shop.py, its generator at any size). */
  shop?: Record<string, number> | null;
}

/** What the Python model reads from the app instead of re-deriving it (one source of truth for every switch). */
export function derivedOf(cfg: Config, meta: DatasetMeta) {
  const K = meta.tasks.length;
  const switches = resolveSwitches(cfg, meta);
  const layout = tokenLayout(meta, cfg);
  const onerank = cfg.model === 'onerank';
  return {
    switches,
    numSD: layout.numSD,
    T: layout.T,
    /** The trunk's attention mask [T][T] (row = query), before per-row padding. */
    mask: onerank ? attentionMask(layout, switches.attentionMask) : structuredMask(layout),
    taskMask: taskMask(switches.crossTaskMask, K, switches.customTaskMask),
    detach: detachMatrix(switches.detach, switches.detachEdges, K),
  };
}

/** The dataset description data.py encodes new files with; throws when a vocabulary the encoder needs is missing. */
export function exportedMeta(meta: DatasetMeta): DatasetMeta {
  const missing: string[] = [];
  for (const list of Object.values(meta.features)) for (const f of list) if (f.kind !== 'numeric' && !f.vocab) missing.push(f.name);
  if (meta.itemVocabSize > 0 && !meta.itemVocab) missing.push('the item ids');
  if (missing.length > 0) {
    throw new Error(`Cannot export for PyTorch: the dataset kept no vocabulary for ${missing.join(', ')}, so new files could not be encoded as here`);
  }
  const { name, tasks, features, itemVocabSize, itemVocab, historyLen, maxCandidates, multiLen, positiveRate } = meta;
  return { name, tasks, features, itemVocabSize, itemVocab, historyLen, maxCandidates, multiLen, positiveRate };
}

/** The exported project's files. */
export function buildTorchExport(input: TorchExportInput, templates: TorchTemplates): ExportFile[] {
  const { weights, meta, schema } = input;
  const cfg = weights.config;
  if (weights.tasks.join('\u0000') !== meta.tasks.join('\u0000')) {
    throw new Error(`Cannot export for PyTorch: the weights' tasks [${weights.tasks.join(', ')}] are not the dataset's [${meta.tasks.join(', ')}]`);
  }
  for (const k of ['historyLen', 'maxCandidates', 'multiLen'] as const) {
    if (cfg[k] !== meta[k]) throw new Error(`Cannot export for PyTorch: the run's ${k} is ${cfg[k]} but the dataset was encoded with ${meta[k]}`);
  }
  const step = weights.step ?? 0;
  const config = {
    format: 'onerank-torch-export',
    version: 1,
    datasetName: weights.datasetName,
    step,
    config: cfg,
    derived: derivedOf(cfg, meta),
    metricsAtExport: input.metrics ?? null,
    ...(input.shop ? { shop: input.shop } : {}),
  };
  const files: ExportFile[] = [
    { path: 'README.md', data: readme(input, step) },
    { path: TORCH_TEMPLATE_FILES.model, data: templates.model },
    { path: TORCH_TEMPLATE_FILES.data, data: templates.data },
    { path: TORCH_TEMPLATE_FILES.train, data: templates.train },
    { path: 'config.json', data: topLevelLines(config) },
    { path: 'schema.json', data: JSON.stringify({ schema, meta: exportedMeta(meta) }) },
    {
      path: 'weights.safetensors',
      data: encodeSafetensors(weights.variables, { format: 'onerank-weights', step: String(step), model: cfg.model }),
    },
  ];
  if (input.shop) files.push({ path: TORCH_TEMPLATE_FILES.genShop, data: templates.genShop });
  return files;
}

/** JSON with one line per top-level key (the masks stay one line each, however large). */
function topLevelLines(o: Record<string, unknown>): string {
  return `{\n${Object.entries(o).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`;
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');

function readme(input: TorchExportInput, step: number): string {
  const cfg = input.weights.config;
  const changed = (Object.keys(cfg) as (keyof Config)[]).map((k) => `${k}=${String(cfg[k])}`).join(' ');
  const m = input.metrics;
  const metrics = m
    ? ['', `Validation metrics in the app at step ${m.step}:`, '', '| task | AUC | GAUC | LogLoss |', '|---|---|---|---|',
        ...m.tasks.map((t) => `| ${t.name} | ${fixed(t.auc)} | ${fixed(t.gauc)} | ${fixed(t.logloss)} |`)].join('\n')
    : '\nThe run had no evaluation yet when it was exported.';
  const data = input.shop ? 'shop.csv' : 'train.csv';
  const shopSize = input.shop ? Object.entries(input.shop).filter(([k]) => k !== 'requests').map(([k, v]) => `--${k} ${v}`).join(' ') : '';
  const shopLines = input.shop
    ? ['', 'The run trained on the built-in shop world; `gen_shop.py` writes that world (same formulas, numpy\'s', 'random stream) at any size, with the same users, items and value names:', '', '```sh', `python gen_shop.py --out shop.csv ${shopSize} --requests 1000000`, '```']
    : [];
  return `# ${input.weights.datasetName}: ${cfg.model} exported from the OneRank Playground

The run's model (\`${cfg.model}\`${cfg.model === 'onerank' ? `, ablation ${cfg.ablation}, detach ${cfg.detach}, cross-task mask ${cfg.crossTaskMask}` : ''}) at step ${step}, as a PyTorch project
that continues training with the same loss, optimizer and metrics, on one GPU or many.
${metrics}

## Run it

Needs only \`torch\` (and \`numpy\` for \`gen_shop.py\`).
${shopLines.join('\n')}

\`\`\`sh
python train.py --data ${data} --steps 1000                          # one process (a GPU when there is one)
torchrun --nproc_per_node=8 train.py --data ${data} --steps 1000     # DistributedDataParallel, one process per GPU
\`\`\`

\`--data\` takes CSV/TSV files (gzip too) with the training data's columns; \`--val\` takes validation files
(default: every round(1 / valFraction)-th request of \`--data\`). \`--batch\` is per process; \`--set key=value\`
changes a training key of the config (lr, weightDecay, idDropout, patience, bestBy, ...); \`--workers\` is the
number of CSV-reading processes per GPU. It writes \`result.json\` (the same shape as \`npm run train -- --out\`),
\`trained.safetensors\` and \`trained.best.safetensors\` (the best evaluation's weights).

## What is here

- \`model.py\`: the model in plain PyTorch, module by module as in the app's \`src/engine/model/\`, parameters
  under the app's names (\`trunk/l0/attn/qkv/w\`, ...).
- \`weights.safetensors\`: the weights at step ${step}, including the InfoNCE temperature (\`loss/logTemperature\`).
- \`config.json\`: the run's config, and what the app derived from it (attention mask, cross-task mask,
  detachment matrix, effective switches), so nothing is re-derived differently.
- \`schema.json\`: column roles, vocabularies (0 = padding, 1 = unknown), numeric means and standard deviations,
  the shapes H = ${input.meta.historyLen}, N = ${input.meta.maxCandidates}, M = ${input.meta.multiLen}: \`data.py\` encodes new files exactly as the app did.
- \`data.py\`: streams the files into request tensors (rows of one request must be consecutive).
- \`train.py\`: the training loop (Adam from fresh moments, as when the app imports weights; global-norm clipping;
  decoupled weight decay on matrices after the update).

The app checks this export in its tests: for exported weights and one batch the PyTorch logits equal the app's
within 1e-4, and so do the loss, its gradient and the loss after one training step.

Config: \`${changed}\`
`;
}
