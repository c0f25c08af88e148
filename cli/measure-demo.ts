// npm run measure-demo -- --demo seesaw [--seeds 1,2,3] [--set key=value ...] [--shop key=value ...]
//                         [--backend cpu|wasm|webgpu] [--out result.json]
// Trains a guided demo's runs the way the app sets them up (same planDemo, same world, same engine) over
// several seeds, and prints each run's validation AUC per eval, its final AUC, and its largest seesaw (a task
// below its own best while another sets a new best). The demo texts quote this command's output.
import { writeFileSync } from 'node:fs';
import { applySettings, DEFAULT_CONFIG, encodingOf, withDataShapes } from '../src/engine/config';
import { NODE_BACKENDS, setNodeBackend } from '../src/engine/backend-node';
import type { EncodedDataset } from '../src/engine/data';
import { shopFromKnobs } from '../src/engine/data/shopKnobs';
import { largestSeesaw, type MetricPoint } from '../src/engine/train/seesaw';
import { Trainer, runTraining } from '../src/engine/train/trainer';
import { DEMOS, planDemo } from '../src/panels/demos/demos';
import { oneOf, parseArgs, runMain, UsageError } from './args';

const USAGE = `usage: npm run measure-demo -- --demo <${DEMOS.map((d) => d.id).join('|')}> [--seeds 1,2,3] [--runs label,label]
  [--set key=value ...] [--shop key=value ...] [--backend ${NODE_BACKENDS.join('|')}] [--out result.json]
  --seeds: each seed sets both the world's seed and the model's seed.`;

interface RunResult {
  label: string;
  seed: number;
  tasks: string[];
  evals: MetricPoint[];
  /** Per probe: the cosine of each task pair's gradients on the shared trunk, [k][j]. */
  probes: { step: number; cosine: number[][] }[];
  seconds: number;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['demo', 'seeds', 'runs', 'backend', 'out'], ['help']);
  const shopArgs = Object.fromEntries(args.shop);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const demo = DEMOS.find((d) => d.id === args.values.get('demo'));
  if (!demo) throw new UsageError(`--demo must be one of ${DEMOS.map((d) => d.id).join(', ')}`);
  const seeds = (args.values.get('seeds') ?? '1,2,3').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new UsageError(`--seeds expects whole numbers, e.g. 1,2,3`);
  const backend = oneOf(args, 'backend', NODE_BACKENDS, 'wasm');
  await setNodeBackend(backend);

  // The link's settings (--set) apply to every run; the demo's own keys then win, as in the app.
  const current = { config: applySettings({ ...DEFAULT_CONFIG }, args.settings), shop: shopArgs };
  const results: RunResult[] = [];
  const only = args.values.get('runs')?.split(',');
  for (const seed of seeds) {
    const plans = planDemo(demo, { config: { ...current.config, seed }, shop: { ...current.shop, seed: String(seed) } });
    const datasets = new Map<string, EncodedDataset>();
    for (const plan of plans.filter((p) => !only || only.includes(p.label))) {
      // Settings that are not size keys (lr, alpha, ...) are not carried by planDemo; apply them too.
      const cfg = applySettings(plan.config, args.settings.filter(([k]) => !(k in (demo.runs.find((r) => r.label === plan.label)?.set ?? {}))));
      cfg.seed = seed;
      const knobs = { ...plan.shop, ...shopArgs, seed: String(seed) };
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
      const r: RunResult = { label: plan.label, seed, tasks: ds.tasks, evals, probes, seconds: (performance.now() - started) / 1000 };
      results.push(r);
      const s = largestSeesaw(evals);
      console.log(`\n${demo.title} | ${plan.label} | seed ${seed} | ${f3(r.seconds)} s`);
      const pairs = ds.tasks.flatMap((a, i) => ds.tasks.slice(i + 1).map((b, j) => ({ name: `cos ${a}/${b}`, i, j: i + 1 + j })));
      console.log(`step  ${ds.tasks.map((t) => t.padStart(6)).join(' ')}  ${probes.length ? pairs.map((p) => p.name).join('  ') : ''}`);
      for (const e of evals) {
        const p = probes.find((x) => x.step === e.step);
        console.log(`${String(e.step).padStart(4)}  ${e.values.map((v) => f3(v).padStart(6)).join(' ')}  ${p ? pairs.map((q) => f3(p.cosine[q.i][q.j]).padStart(q.name.length)).join('  ') : ''}`);
      }
      console.log(s ? `largest seesaw: ${ds.tasks[s.fell]} ${f3(s.drop)} below its best while ${ds.tasks[s.rose]} rose ${f3(s.gain)} (step ${s.step})` : 'no seesaw');
    }
  }

  console.log(`\nSummary over seeds ${seeds.join(', ')} (validation AUC; seesaw = largest drop below own best while another task set a new best):`);
  const tasks = results[0]?.tasks ?? [];
  for (const run of demo.runs) {
    const rs = results.filter((r) => r.label === run.label);
    if (rs.length === 0) continue;
    const finals = tasks.map((_, k) => mean(rs.map((r) => r.evals[r.evals.length - 1].values[k])));
    const bests = tasks.map((_, k) => mean(rs.map((r) => Math.max(...r.evals.map((e) => e.values[k])))));
    const dips = rs.map((r) => largestSeesaw(r.evals));
    const K = tasks.length;
    const cos = rs.flatMap((r) => r.probes.map((p) => p.cosine[0][K - 1]));
    console.log(
      `${run.label.padEnd(24)} final ${tasks.map((t, k) => `${t} ${f3(finals[k])}`).join(' / ')}  best ${bests.map(f3).join(' / ')}  ` +
        `seesaw ${dips.map((d) => (d ? `${tasks[d.fell]} -${f3(d.drop)}@${d.step}` : 'none')).join(', ')}` +
        (cos.length ? `  mean cos ${tasks[0]}/${tasks[K - 1]} ${f3(mean(cos))}` : ''),
    );
  }
  const out = args.values.get('out');
  if (out) writeFileSync(out, JSON.stringify({ demo: demo.id, backend, settings: args.settings, shop: shopArgs, seeds, results }, null, 2));
  return 0;
}

void runMain(main, USAGE);
