// npm run export-torch -- --weights run.weights.json --out dir/ [--data train.csv|shop] [--schema schema.json] [--shop k=v ...]
// npm run export-torch -- --data shop --steps 300 [--set key=value ...] --out dir/   (no --weights: trains a fresh run first)
// A run's weights (exported from the app) as a PyTorch project: model.py, data.py, train.py, README.md, config.json,
// schema.json, weights.safetensors (see src/engine/export/torchExport.ts). The dataset is rebuilt as the run saw it:
// the shop world from the weights' datasetKey, or --data (encoded with the run's H, N, M and split), so the
// vocabularies and numeric statistics in schema.json are the run's. The run is evaluated once for the README.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { applySettings, DEFAULT_CONFIG, encodingOf, withDataShapes } from '../src/engine/config';
import { setNodeBackend } from '../src/engine/backend-node';
import { loadDataset, shopSchema, type DatasetSchema, type EncodedDataset } from '../src/engine/data';
import { shopFromKnobs, shopOptionsFromKnobs } from '../src/engine/data/shopKnobs';
import { buildTorchExport, TORCH_TEMPLATE_FILES, type TorchTemplates } from '../src/engine/export/torchExport';
import { runTraining, Trainer, type WeightsFile } from '../src/engine/train/trainer';
import { datasetKey, parseDatasetKey } from '../src/workers/runProtocol';
import { intFlag, parseArgs, runMain, UsageError, type ParsedArgs } from './args';
import { openFileAsBlob, readSchemaFile } from './node-file';

const USAGE = `usage: npm run export-torch -- --weights <run.weights.json> --out <dir> [--data <train.csv|shop>] [--schema schema.json] [--shop key=value ...]
       npm run export-torch -- --data <train.csv|shop> --steps N [--set key=value ...] [--shop key=value ...] --out <dir>   (trains a fresh run, then exports it)`;

/** The Python files, read from the source tree (the app gets the same files through Vite's ?raw). */
function readTemplates(): TorchTemplates {
  const dir = new URL('../src/engine/export/torch/', import.meta.url);
  const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
  return Object.fromEntries(Object.entries(TORCH_TEMPLATE_FILES).map(([role, file]) => [role, read(file)])) as TorchTemplates;
}

interface RunData {
  dataset: EncodedDataset;
  schema: DatasetSchema;
  shop: Record<string, number> | null;
}

async function runData(w: WeightsFile & { datasetKey?: string }, data: string | undefined, schemaArg: string | undefined, shopArgs: [string, string][]): Promise<RunData> {
  const fromKey = w.datasetKey ? parseDatasetKey(w.datasetKey) : null;
  const useShop = data === 'shop' || data === 'synthetic' || (!data && fromKey?.dataset === 'shop');
  if (useShop) {
    const knobs = { ...(fromKey?.dataset === 'shop' ? fromKey.shop : {}), ...Object.fromEntries(shopArgs) };
    const { options } = shopOptionsFromKnobs(knobs);
    return { dataset: shopFromKnobs(knobs, encodingOf(w.config)), schema: shopSchema(), shop: { ...options } };
  }
  if (!data) {
    throw new UsageError(`--data is needed: the run trained on '${w.datasetName}' (an uploaded file); pass that file (and --schema if you edited its roles)`);
  }
  if (shopArgs.length > 0) throw new UsageError("--shop sets the synthetic world's knobs; it needs --data shop");
  const schema = schemaArg ? await readSchemaFile(schemaArg) : undefined;
  const loaded = await loadDataset(await openFileAsBlob(data), basename(data), { schema, config: w.config });
  return { dataset: loaded.dataset, schema: loaded.schema, shop: null };
}

function readWeights(path: string): WeightsFile & { datasetKey?: string } {
  let weights: WeightsFile & { datasetKey?: string };
  try {
    weights = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${basename(path)}: not a JSON weights file (${(e as Error).message})`);
  }
  if (weights?.format !== 'onerank-weights') throw new Error(`${basename(path)}: not a weights file exported from the playground (format '${String(weights?.format)}')`);
  return weights;
}

/** No --weights: a fresh run of --steps on --data (the shop world by default) with --set, as `npm run train` would. */
async function trainFresh(args: ParsedArgs): Promise<WeightsFile & { datasetKey?: string }> {
  const data = args.values.get('data');
  if (!data) throw new UsageError('--weights, or --data (with --steps) to train a fresh run first, is required');
  const steps = intFlag(args, 'steps', 1);
  let cfg = applySettings({ ...DEFAULT_CONFIG }, [...args.settings, ...(steps ? [['steps', String(steps)] as [string, string]] : [])]);
  const shopKnobs = Object.fromEntries(args.shop);
  const isShop = data === 'shop' || data === 'synthetic';
  const { dataset } = isShop ? { dataset: shopFromKnobs(shopKnobs, encodingOf(cfg)) } : await runData({ config: cfg } as WeightsFile, data, args.values.get('schema'), []);
  cfg = withDataShapes(cfg, dataset);
  const trainer = Trainer.create(dataset, cfg);
  await runTraining(trainer, { steps: cfg.steps });
  const weights = await trainer.exportWeights();
  trainer.dispose();
  console.log(`trained ${cfg.model} for ${cfg.steps} steps on ${dataset.name}`);
  return isShop ? { ...weights, datasetKey: datasetKey('shop', shopKnobs, cfg) } : weights;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['weights', 'out', 'data', 'schema', 'steps'], ['help']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const weightsPath = args.values.get('weights');
  const out = args.values.get('out');
  if (!out) throw new UsageError('--out is required');
  await setNodeBackend(weightsPath ? 'cpu' : 'wasm');
  const weights = weightsPath ? readWeights(weightsPath) : await trainFresh(args);
  const { dataset, schema, shop } = await runData(weights, args.values.get('data'), args.values.get('schema'), args.shop);
  // Loading the weights into the app's own model checks they fit this data (names, shapes, tasks), and one
  // evaluation gives the README its metrics at export.
  const trainer = Trainer.create(dataset, weights.config);
  trainer.importWeights(weights);
  const evaluation = await trainer.evaluate();
  trainer.dispose();
  const files = buildTorchExport({ weights, meta: dataset, schema, metrics: { step: evaluation.step, tasks: evaluation.tasks }, shop }, readTemplates());
  mkdirSync(out, { recursive: true });
  for (const f of files) writeFileSync(join(out, f.path), f.data);
  console.log(`wrote ${files.map((f) => f.path).join(', ')} to ${out}`);
  console.log(`validation at step ${evaluation.step}: ${evaluation.tasks.map((t) => `${t.name} AUC ${t.auc.toFixed(3)}`).join(', ')}`);
  console.log(`next: cd ${out} && torchrun --nproc_per_node=1 train.py --data <train.csv> --steps 1000`);
  return 0;
}

void runMain(main, USAGE);
