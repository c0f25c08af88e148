// npm run measure-demo -- --demo <id|all> [--seeds 42,43,44] [--world-seeds 7] [--write]
//                         [--runs label,label] [--set key=value ...] [--shop key=value ...]
//                         [--backend cpu|wasm|webgpu] [--out result.json]
// Trains a guided demo's runs the way the app sets them up (same planDemo, same world, same engine) over
// several seeds, and prints each run's validation AUC per eval, its final AUC, and its largest seesaw (a task
// below its own best while another sets a new best). With --write it also trains the demo's contrasts and
// writes everything (settings, seeds, per-seed figures, date) into src/panels/demos/demoResults.json, the file
// the demos' claims are checked against and their "How we measured" notes read.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { applySettings, DEFAULT_CONFIG, encodingOf, withDataShapes } from '../src/engine/config';
import { NODE_BACKENDS, setNodeBackend } from '../src/engine/backend-node';
import type { EncodedDataset } from '../src/engine/data';
import { shopFromKnobs } from '../src/engine/data/shopKnobs';
import { DEFAULT_SHOP } from '../src/engine/data/synthetic';
import { largestSeesaw, type MetricPoint } from '../src/engine/train/seesaw';
import { Trainer, runTraining } from '../src/engine/train/trainer';
import type { DemoMeasurement, DemoResultsFile, MeasuredRun } from '../src/panels/demos/demoResults';
import { DEMOS, planContrast, planDemo, measuredPlans, type Demo, type DemoRunPlan } from '../src/panels/demos/demos';
import { oneOf, parseArgs, runMain, UsageError } from './args';

const RESULTS = resolve(import.meta.dirname, '../src/panels/demos/demoResults.json');

const USAGE = `usage: npm run measure-demo -- --demo <${DEMOS.map((d) => d.id).join('|')}|all> [--seeds 42,43,44] [--world-seeds 7]
  [--write] [--runs label,label] [--set key=value ...] [--shop key=value ...] [--backend ${NODE_BACKENDS.join('|')}] [--out result.json]
  --seeds: the model's seeds (the app's is ${DEFAULT_CONFIG.seed}); --world-seeds: the shop world's seeds (the app's is ${DEFAULT_SHOP.seed}).
  --write: also trains the demo's contrasts and stores everything in src/panels/demos/demoResults.json
  (only at the demo's own settings: no --set, --shop or --runs).`;

interface RunResult extends MeasuredRun {
  /** Per probe: the cosine of each task pair's gradients on the shared trunk, [k][j]. */
  probes: { step: number; cosine: number[][] }[];
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const seedList = (raw: string, flag: string) => {
  const xs = raw.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError(`--${flag} expects whole numbers, e.g. 1,2,3`);
  return xs;
};
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Trains one planned run at one world seed and one model seed, and prints its evaluations. */
async function measureRun(plan: DemoRunPlan, contrast: string | null, worldSeed: number, modelSeed: number, datasets: Map<string, EncodedDataset>, title: string): Promise<RunResult> {
  const cfg = { ...plan.config, seed: modelSeed };
  const knobs = { ...plan.shop, seed: String(worldSeed) };
  const encoding = encodingOf(cfg);
  const key = JSON.stringify([knobs, encoding]);
  let ds = datasets.get(key);
  if (!ds) datasets.set(key, (ds = shopFromKnobs(knobs, encoding)));
  const trainer = Trainer.create(ds, withDataShapes(cfg, ds));
  const evals: MetricPoint[] = [];
  const probes: RunResult['probes'] = [];
  const started = performance.now();
  await runTraining(trainer, {
    steps: cfg.steps,
    evalEvery: cfg.evalEvery,
    probeEvery: cfg.probeEvery,
    onProbe: (p) => void probes.push({ step: p.step, cosine: p.cosine }),
    onEval: (e) => void evals.push({ step: e.step, values: e.tasks.map((t) => t.auc) }),
  });
  trainer.dispose();
  const K = ds.tasks.length;
  const r: RunResult = {
    label: plan.label,
    contrast,
    worldSeed,
    modelSeed,
    tasks: ds.tasks,
    evals: evals.map((e) => ({ step: e.step, auc: e.values.map(r4) })),
    cosine: probes.map((p) => ({ step: p.step, value: r4(p.cosine[0][K - 1]) })),
    probes,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  const s = largestSeesaw(evals);
  console.log(`\n${title} | ${plan.label}${contrast ? ` (${contrast})` : ''} | world seed ${worldSeed}, model seed ${modelSeed} | ${r.seconds} s`);
  const pairs = ds.tasks.flatMap((a, i) => ds.tasks.slice(i + 1).map((b, j) => ({ name: `cos ${a}/${b}`, i, j: i + 1 + j })));
  console.log(`step  ${ds.tasks.map((t) => t.padStart(6)).join(' ')}  ${probes.length ? pairs.map((p) => p.name).join('  ') : ''}`);
  for (const e of evals) {
    const p = probes.find((x) => x.step === e.step);
    console.log(`${String(e.step).padStart(4)}  ${e.values.map((v) => f3(v).padStart(6)).join(' ')}  ${p ? pairs.map((q) => f3(p.cosine[q.i][q.j]).padStart(q.name.length)).join('  ') : ''}`);
  }
  console.log(s ? `largest seesaw: ${ds.tasks[s.fell]} ${f3(s.drop)} below its best while ${ds.tasks[s.rose]} rose ${f3(s.gain)} (step ${s.step})` : 'no seesaw');
  return r;
}

function printSummary(demo: Demo, results: RunResult[], contrast: string | null) {
  const rows = results.filter((r) => r.contrast === contrast);
  if (rows.length === 0) return;
  const tasks = rows[0].tasks;
  console.log(`\n${demo.title}${contrast ? ` (${contrast})` : ''}: summary over ${new Set(rows.map((r) => `${r.worldSeed}/${r.modelSeed}`)).size} seed pairs (validation AUC; seesaw = largest drop below own best while another task set a new best):`);
  for (const label of [...new Set(rows.map((r) => r.label))]) {
    const rs = rows.filter((r) => r.label === label);
    const finals = tasks.map((_, k) => mean(rs.map((r) => r.evals[r.evals.length - 1].auc[k])));
    const bests = tasks.map((_, k) => mean(rs.map((r) => Math.max(...r.evals.map((e) => e.auc[k])))));
    const dips = rs.map((r) => largestSeesaw(r.evals.map((e) => ({ step: e.step, values: e.auc }))));
    const cos = rs.flatMap((r) => r.cosine.map((c) => c.value));
    console.log(
      `${label.padEnd(24)} final ${tasks.map((t, k) => `${t} ${f3(finals[k])}`).join(' / ')}  best ${bests.map(f3).join(' / ')}  ` +
        `seesaw ${dips.map((d) => (d ? `${tasks[d.fell]} -${f3(d.drop)}@${d.step}` : 'none')).join(', ')}` +
        (cos.length ? `  mean cos ${tasks[0]}/${tasks[tasks.length - 1]} ${f3(mean(cos))}` : ''),
    );
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['demo', 'seeds', 'world-seeds', 'runs', 'backend', 'out'], ['help', 'write']);
  const shopArgs = Object.fromEntries(args.shop);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const which = args.values.get('demo');
  const demos = which === 'all' ? DEMOS : DEMOS.filter((d) => d.id === which);
  if (demos.length === 0) throw new UsageError(`--demo must be one of ${DEMOS.map((d) => d.id).join(', ')}, or all`);
  const modelSeeds = seedList(args.values.get('seeds') ?? String(DEFAULT_CONFIG.seed), 'seeds');
  const worldSeeds = seedList(args.values.get('world-seeds') ?? String(DEFAULT_SHOP.seed), 'world-seeds');
  const write = args.flags.has('write');
  if (write && (args.settings.length || args.shop.length || args.values.has('runs')))
    throw new UsageError('--write measures a demo exactly as the page plans it: drop --set, --shop and --runs');
  const backend = oneOf(args, 'backend', NODE_BACKENDS, 'wasm');
  await setNodeBackend(backend);

  const only = args.values.get('runs')?.split(',');
  const all: Record<string, RunResult[]> = {};
  for (const demo of demos) {
    // The link's settings (--set, --shop) apply to every run as in the app: sizes through planDemo, the rest
    // (lr, alpha, ...) on top, except the keys the run itself is about.
    const current = { config: applySettings({ ...DEFAULT_CONFIG }, args.settings), shop: shopArgs };
    const plans: [DemoRunPlan, string | null][] = planDemo(demo, current)
      .filter((p) => !only || only.includes(p.label))
      .map((p) => {
        const own = demo.runs.find((r) => r.label === p.label)?.set ?? {};
        return [{ ...p, config: applySettings(p.config, args.settings.filter(([k]) => !(k in own))), shop: { ...p.shop, ...shopArgs } }, null];
      });
    if (write) for (const c of demo.contrasts) for (const p of planContrast(demo, c)) plans.push([p, c.id]);
    const results: RunResult[] = [];
    for (const worldSeed of worldSeeds) {
      const datasets = new Map<string, EncodedDataset>();
      for (const modelSeed of modelSeeds) for (const [plan, contrast] of plans) results.push(await measureRun(plan, contrast, worldSeed, modelSeed, datasets, demo.title));
    }
    for (const c of [null, ...demo.contrasts.map((x) => x.id)]) printSummary(demo, results, c);
    all[demo.id] = results;
    if (write) {
      const file = JSON.parse(readFileSync(RESULTS, 'utf8')) as DemoResultsFile;
      // Seeds measured earlier at the same settings on the same backend are kept (a later call adds seeds).
      const plans = measuredPlans(demo);
      const prev = file[demo.id];
      const same = prev && prev.backend === backend && JSON.stringify(prev.plans) === JSON.stringify(plans);
      const fresh = (r: MeasuredRun) => worldSeeds.includes(r.worldSeed) && modelSeeds.includes(r.modelSeed);
      const kept = same ? prev.runs.filter((r) => !fresh(r)) : [];
      const union = (a: number[], b: number[]) => [...new Set([...a, ...b])];
      const ws = same ? union(prev.worldSeeds, worldSeeds) : worldSeeds;
      const ms = same ? union(prev.modelSeeds, modelSeeds) : modelSeeds;
      const entry: DemoMeasurement = {
        date: new Date().toISOString(),
        command: `npm run measure-demo -- --demo ${demo.id} --seeds ${ms.join(',')} --world-seeds ${ws.join(',')} --backend ${backend} --write`,
        backend,
        worldSeeds: ws,
        modelSeeds: ms,
        plans,
        runs: [...kept, ...results.map(({ probes: _probes, ...r }) => r)],
      };
      file[demo.id] = entry;
      writeFileSync(RESULTS, JSON.stringify(file, null, 1) + '\n');
      console.log(`\nwrote ${demo.id} into ${RESULTS}`);
    }
  }
  const out = args.values.get('out');
  if (out) writeFileSync(out, JSON.stringify({ backend, settings: args.settings, shop: shopArgs, modelSeeds, worldSeeds, results: all }, null, 2));
  return 0;
}

void runMain(main, USAGE);
