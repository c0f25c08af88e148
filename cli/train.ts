// npm run train -- --data train.csv|synthetic [--test test.csv] [--schema auto|schema.json] [--model onerank|...]
//                  [--set key=value ...] [--steps N] [--batch B] [--backend cpu|wasm|webgpu] [--seed S] [--out r.json]
// Trains one model with the same engine the app uses, prints a per-task table and writes a JSON result. The best
// checkpoint is picked on the validation split; a --test file is scored at that step and at the last.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { applySettings, DEFAULT_CONFIG, encodingOf, withDataShapes, type Config } from '../src/engine/config';
import { describeNodeAdapter, NODE_BACKENDS, setNodeBackend } from '../src/engine/backend-node';
import { loadDataset, withHeldOut, type DatasetSchema, type EncodedDataset } from '../src/engine/data';
import { shopFromKnobs } from '../src/engine/data/shopKnobs';
import { Trainer, runTraining, type EvalRecord, type StepRecord } from '../src/engine/train/trainer';
import { intFlag, oneOf, parseArgs, runMain, UsageError } from './args';
import { openFileAsBlob, readSchemaFile } from './node-file';

const USAGE = `usage: npm run train -- --data <train.csv|synthetic|shop> [--test test.csv] [--schema auto|schema.json]
  [--model onerank|sharedbottom|mmoe|ple] [--set key=value ...] [--shop key=value ...] [--steps N] [--batch B]
  [--backend ${NODE_BACKENDS.join('|')}] [--seed S] [--out result.json] [--quiet]`;

const SYNTHETIC = ['synthetic', 'shop'];

interface Loaded {
  dataset: EncodedDataset;
  /** The test file's name, when one was given. */
  testFile: string | null;
}

async function loadData(data: string, test: string | undefined, schemaArg: string, cfg: Config, shop: Record<string, string>): Promise<Loaded> {
  if (SYNTHETIC.includes(data)) {
    if (test) throw new UsageError('--test needs a --data file (the synthetic world has its own validation split)');
    return { dataset: shopFromKnobs(shop, encodingOf(cfg)), testFile: null };
  }
  if (Object.keys(shop).length > 0) throw new UsageError('--shop sets the synthetic world\'s knobs; it needs --data shop');
  const schema: DatasetSchema | undefined = schemaArg === 'auto' ? undefined : await readSchemaFile(schemaArg);
  const train = await loadDataset(await openFileAsBlob(data), basename(data), { schema, config: cfg });
  // The leakage guard: with --schema auto a flagged column is never a feature; a given schema may keep one (said so).
  for (const w of train.warnings) console.warn(`leakage guard: ${w.message}`);
  if (!test) return { dataset: train.dataset, testFile: null };
  // The test file is read with the TRAINING schema and encoded with the training vocabularies and numeric stats;
  // its own split is irrelevant (every request is evaluated). The training file keeps its validation split, which
  // picks the best checkpoint: choosing it on the test file would leak the test into the result.
  const heldOut = await loadDataset(await openFileAsBlob(test), basename(test), { schema: train.schema, training: train.dataset, config: cfg });
  return { dataset: withHeldOut(train.dataset, heldOut.dataset), testFile: basename(test) };
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function printTable(e: Pick<EvalRecord, 'tasks'>): void {
  const rows = [['task', 'AUC', 'GAUC', 'LogLoss', 'const LL', 'pos rate', 'n']];
  for (const t of e.tasks) rows.push([t.name, fmt(t.auc), fmt(t.gauc), fmt(t.logloss), fmt(t.constantLogloss), fmt(t.positiveRate), String(t.count)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['data', 'test', 'schema', 'model', 'steps', 'batch', 'backend', 'seed', 'out'], ['quiet', 'help']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const data = args.values.get('data');
  if (!data) throw new UsageError('--data is required (a CSV/TSV file, or "synthetic" for the built-in shop world)');
  const backend = oneOf(args, 'backend', NODE_BACKENDS, 'cpu');
  const pairs: [string, string][] = [];
  if (args.values.has('model')) pairs.push(['model', args.values.get('model')!]);
  pairs.push(...args.settings);
  const steps = intFlag(args, 'steps', 1);
  const batch = intFlag(args, 'batch', 1);
  const seed = intFlag(args, 'seed', 0);
  if (steps !== undefined) pairs.push(['steps', String(steps)]);
  if (batch !== undefined) pairs.push(['batchSize', String(batch)]);
  if (seed !== undefined) pairs.push(['seed', String(seed)]);
  let cfg = applySettings({ ...DEFAULT_CONFIG }, pairs); // ConfigError (exit 2) names the bad key

  await setNodeBackend(backend);
  const adapter = await describeNodeAdapter();
  const { dataset, testFile } = await loadData(data, args.values.get('test'), args.values.get('schema') ?? 'auto', cfg, Object.fromEntries(args.shop));
  cfg = withDataShapes(cfg, dataset);
  const quiet = args.flags.has('quiet');
  if (!quiet) {
    const test = testFile ? ` / ${dataset.testIdx!.length} test requests (${testFile})` : '';
    console.log(`${cfg.model} on ${dataset.name}: ${dataset.trainIdx.length} training / ${dataset.valIdx.length} validation requests${test}, ` +
      `tasks ${dataset.tasks.join(', ')}, N = ${dataset.maxCandidates}, backend ${backend}${adapter ? ` (${adapter})` : ''}`);
  }

  const trainer = Trainer.create(dataset, cfg);
  const started = performance.now();
  const speeds: number[] = [];
  let last: StepRecord | null = null;
  const every = Math.max(1, Math.round(cfg.steps / 10));
  const result = await runTraining(trainer, {
    steps: cfg.steps,
    evalEvery: cfg.evalEvery,
    onStep: (r) => {
      last = r;
      if (r.step > 1) speeds.push(r.samplesPerSec); // step 1 includes kernel setup
      if (!quiet && (r.step % every === 0 || r.step === cfg.steps)) {
        console.log(`step ${r.step}  loss ${fmt(r.loss)}  bce [${r.taskLoss.map((x) => fmt(x, 3)).join(' ')}]  infoNCE [${r.infoNce.map((x) => fmt(x, 3)).join(' ')}]  ${r.samplesPerSec.toFixed(0)} req/s`);
      }
    },
    onEval: (e) => {
      if (!quiet && e.step < cfg.steps) console.log(`eval @${e.step}: ${e.tasks.map((t) => `${t.name} AUC ${fmt(t.auc, 3)}`).join(', ')}`);
    },
  });
  const final = result.lastEval!;
  const best = result.best!;
  const seconds = (performance.now() - started) / 1000;
  const stopped = result.stoppedEarly ? ` (stopped early: ${cfg.patience} evaluations without a new best)` : '';
  console.log(`\n${cfg.model} after ${trainer.step} steps (${fmt(seconds, 1)} s)${stopped}, on the validation split:`);
  printTable(final);
  console.log(`best checkpoint (picked on the validation split): step ${best.step} (${cfg.bestBy === '' ? 'mean AUC' : `${cfg.bestBy} AUC`} ${fmt(best.score)})`);
  if (best.step !== final.step) printTable(best);
  // The test file is scored only now, at the last step and at the best checkpoint the validation split picked.
  const test = dataset.testIdx ? await testAtLastAndBest(trainer, dataset.testIdx, best.step) : null;
  if (test) {
    console.log(`\ntest file ${testFile} at the best checkpoint (step ${best.step}):`);
    printTable(test.best);
    if (best.step !== final.step) {
      console.log(`test file ${testFile} at the last step (${final.step}):`);
      printTable(test.last);
    }
  }
  const shown = test ? test.best : final;
  if (shown.coldStart) {
    const c = shown.coldStart;
    console.log(`cold start: ${fmt(100 * c.unseenUserShare, 1)}% of requests from users unseen in training; AUC seen / unseen users: ` +
      shown.tasks.map((t, k) => `${t.name} ${fmt(c.seenUserAuc[k], 3)} / ${fmt(c.unseenUserAuc[k], 3)}`).join(', '));
  }
  if (shown.unseenItemShare !== null) console.log(`unseen candidate items: ${fmt(100 * shown.unseenItemShare, 1)}%`);

  const out = args.values.get('out');
  if (out) {
    const report = {
      model: cfg.model,
      backend,
      adapter,
      dataset: {
        name: dataset.name,
        tasks: dataset.tasks,
        trainRequests: dataset.trainIdx.length,
        evalRequests: dataset.valIdx.length,
        evaluatedOn: 'validation split',
        ...(test ? { testFile, testRequests: dataset.testIdx!.length } : {}),
      },
      steps: trainer.step,
      stoppedEarly: result.stoppedEarly,
      tasks: final.tasks,
      valLoss: final.valLoss,
      last: { step: final.step, tasks: final.tasks },
      best: { step: best.step, score: best.score, bestBy: cfg.bestBy === '' ? 'mean AUC' : cfg.bestBy, tasks: best.tasks },
      coldStart: final.coldStart,
      unseenItemShare: final.unseenItemShare,
      // The test file's metrics at the validation's best step and at the last (only with --test).
      ...(test ? { test: { file: testFile, best: testReport(test.best), last: testReport(test.last) } } : {}),
      finalLoss: (last as StepRecord | null)?.loss ?? null,
      samplesPerSec: median(speeds.length ? speeds : last ? [(last as StepRecord).samplesPerSec] : []),
      seconds,
      config: cfg,
    };
    writeFileSync(out, JSON.stringify(report, null, 2));
    if (!quiet) console.log(`wrote ${out}`);
  }
  trainer.dispose();
  return 0;
}

/** The test requests' metrics at the last step, then at the best checkpoint (its weights restored). */
async function testAtLastAndBest(trainer: Trainer, testIdx: Int32Array, bestStep: number): Promise<{ last: EvalRecord; best: EvalRecord }> {
  const last = await trainer.evaluateOn(testIdx);
  if (bestStep === last.step || !trainer.restoreBest()) return { last, best: last };
  return { last, best: { ...(await trainer.evaluateOn(testIdx)), step: bestStep } }; // restored weights, same step counter
}

const testReport = (e: EvalRecord) => ({ step: e.step, tasks: e.tasks, coldStart: e.coldStart, unseenItemShare: e.unseenItemShare });

void runMain(main, USAGE);
