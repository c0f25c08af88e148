// npm run measure-regularization -- [--models onerank,mmoe] [--seeds 1,2,3] [--worlds default,hard]
//                                   [--set key=value ...] [--shop key=value ...] [--backend cpu|wasm|webgpu]
// The README's regularization table: at the demo size (or --set), each model on the shop world (default and hard
// settings, --shop on top), without the new regularization (idDropout = embDecay = 0), with id dropout 0.1 and
// with embedding decay 1: the mean validation AUC over tasks at the last step and at the best checkpoint,
// averaged over seeds, and whether the best checkpoint's LogLoss is at or below the constant predictor's on
// every task.
import { applySettings, DEFAULT_CONFIG, type Config } from '../src/engine/config';
import { NODE_BACKENDS, setNodeBackend } from '../src/engine/backend-node';
import type { EncodedDataset } from '../src/engine/data';
import { demoConfig, HARD_SHOP, measureRegularizationRun, NO_NEW_REGULARIZATION, type RegularizationRun } from '../src/engine/train/hardWorld';
import { oneOf, parseArgs, runMain, UsageError } from './args';

const USAGE = `usage: npm run measure-regularization -- [--models onerank,mmoe] [--seeds 1,2,3] [--worlds default,hard]
  [--set key=value ...] [--shop key=value ...] [--backend ${NODE_BACKENDS.join('|')}]`;

/** What the table compares: nothing new, then each new regularizer alone. */
const VARIANTS: [string, Partial<Config>][] = [
  ['none', { ...NO_NEW_REGULARIZATION }],
  ['id dropout 0.1', { ...NO_NEW_REGULARIZATION, idDropout: 0.1 }],
  ['embedding decay 1', { ...NO_NEW_REGULARIZATION, embDecay: 1 }],
];

const WORLDS: Record<string, Record<string, string>> = { default: {}, hard: { ...HARD_SHOP } };
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['models', 'seeds', 'worlds', 'backend'], ['help']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const models = (args.values.get('models') ?? 'onerank,mmoe').split(',') as Config['model'][];
  for (const m of models) applySettings({ ...DEFAULT_CONFIG }, [['model', m]]); // names a bad model
  const seeds = (args.values.get('seeds') ?? '1,2,3').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new UsageError('--seeds expects whole numbers, e.g. 1,2,3');
  const worlds = (args.values.get('worlds') ?? 'default,hard').split(',');
  for (const w of worlds) if (!WORLDS[w]) throw new UsageError(`--worlds: '${w}' is not one of ${Object.keys(WORLDS).join(', ')}`);
  const overrides = applySettings({ ...DEFAULT_CONFIG }, args.settings);
  const changed = Object.fromEntries(args.settings.map(([k]) => [k, overrides[k as keyof Config]]));
  await setNodeBackend(oneOf(args, 'backend', NODE_BACKENDS, 'wasm'));

  const cache = new Map<string, EncodedDataset>();
  const rows: string[] = [];
  for (const world of worlds) {
    for (const model of models) {
      for (const [label, reg] of VARIANTS) {
        const runs: RegularizationRun[] = [];
        for (const seed of seeds) {
          const r = await measureRegularizationRun({ ...WORLDS[world], ...Object.fromEntries(args.shop) }, demoConfig(model, seed, { ...changed, ...reg }), cache);
          console.log(`${world} ${model} ${label} seed ${seed}: last ${f3(r.lastMeanAuc)} @${r.lastStep}, best ${f3(r.bestMeanAuc)} @${r.bestStep}, ` +
            `best LogLoss [${r.bestLogloss.map(f3).join(' ')}] vs constant [${r.constantLogloss.map(f3).join(' ')}]`);
          runs.push(r);
        }
        const underConstant = runs.every((r) => r.bestLogloss.every((l, k) => l <= r.constantLogloss[k]));
        rows.push(`| ${world} | ${model} | ${label} | ${f3(mean(runs.map((r) => r.lastMeanAuc)))} | ${f3(mean(runs.map((r) => r.bestMeanAuc)))} | ` +
          `${runs.map((r) => r.bestStep).join(', ')} | ${underConstant ? 'yes' : 'no'} |`);
      }
    }
  }
  const size = demoConfig('onerank', 0, changed);
  const shown = ['d', 'layers', 'batchSize', 'steps', 'evalEvery'] as const;
  console.log(`\n${shown.map((k) => `${k} ${size[k]}`).join(', ')}; shop ${JSON.stringify(Object.fromEntries(args.shop))}; seeds ${seeds.join(', ')}; mean AUC over tasks:`);
  console.log('| world | model | regularization | last | best | best steps | best LogLoss <= constant |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  return 0;
}

void runMain(main, USAGE);
