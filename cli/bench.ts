// npm run bench -- [--backend cpu|wasm|webgpu] [--model onerank|...] [--config small|default|large] [--steps N]
//                  [--warmup W] [--ahead on|off] [--set key=value ...] [--json] [--profile]
// Times full training steps (forward, backward, Adam) on the synthetic shop world at the sizes of WEBGPU.md
// (K = 3, history 20, N = 12). Warm-up steps (shader compilation, kernel setup) are left out of the timing.
// --profile adds one more step after the timed ones, counted by kernels/profile.ts: GPU programs, GPU time per
// kernel kind (timestamp queries where the adapter has them), and every readback inside the step.
// --ahead on (the default, as the app trains) submits each replayed step before the previous one's scalars are read
// (trainer.trainStep's `ahead`), so a step's time is the time between two reads; off reads each step before the next
// is submitted. The profiled step is always read alone.
// ONERANK_MATMUL=off keeps TF.js's own matmul kernels on webgpu (A/B of kernels/matmul.ts in the same build).
// Bundle-friendly: no tsx-only features, so `esbuild --bundle --platform=node --format=esm` runs it on a GPU host.
import * as tf from '@tensorflow/tfjs';
import { applySettings, DEFAULT_CONFIG, withDataShapes, type Config } from '../src/engine/config';
import { describeNodeAdapter, NODE_BACKENDS, setNodeBackend } from '../src/engine/backend-node';
import { generateShop } from '../src/engine/data/synthetic';
import { Trainer } from '../src/engine/train/trainer';
import { formatProfile, profileStep } from '../src/engine/kernels/profile';
import { setFastMatMul } from '../src/engine/kernels/matmul';
import { intFlag, oneOf, parseArgs, runMain, UsageError } from './args';

const USAGE = `usage: npm run bench -- [--backend ${NODE_BACKENDS.join('|')}] [--model onerank|sharedbottom|mmoe|ple]
  [--config small|default|large] [--steps N] [--warmup W] [--ahead on|off] [--set key=value ...] [--json] [--profile]`;

/** WEBGPU.md "Benchmark configurations". */
export const BENCH_CONFIGS = {
  small: { batchSize: 64, d: 32, layers: 1, heads: 2 },
  default: { batchSize: 256, d: 64, layers: 2, heads: 4 },
  large: { batchSize: 1024, d: 128, layers: 4, heads: 4 },
} as const satisfies Record<string, Partial<Config>>;
type BenchConfigName = keyof typeof BENCH_CONFIGS;

const HISTORY = 20;
const CANDIDATES = 12;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['backend', 'model', 'config', 'steps', 'warmup', 'ahead'], ['json', 'help', 'profile']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const backend = oneOf(args, 'backend', NODE_BACKENDS, 'cpu');
  const sizeName = oneOf(args, 'config', Object.keys(BENCH_CONFIGS) as BenchConfigName[], 'default');
  const steps = intFlag(args, 'steps', 1) ?? 10;
  const warmup = intFlag(args, 'warmup', 0) ?? 3;
  const json = args.flags.has('json');
  const profile = args.flags.has('profile');
  const ahead = oneOf(args, 'ahead', ['on', 'off'] as const, 'on') === 'on';
  const size = BENCH_CONFIGS[sizeName];
  const pairs: [string, string][] = Object.entries({ ...size, historyLen: HISTORY, maxCandidates: CANDIDATES, dropout: 0 }).map(([k, v]) => [k, String(v)]);
  if (args.values.has('model')) pairs.push(['model', args.values.get('model')!]);
  pairs.push(...args.settings);
  const cfg = applySettings({ ...DEFAULT_CONFIG }, pairs);
  if (cfg.d % cfg.heads !== 0) throw new UsageError(`d = ${cfg.d} must be divisible by heads = ${cfg.heads}`);

  await setNodeBackend(backend, { timestamps: profile });
  const matmulEnv = process.env.ONERANK_MATMUL ?? 'on';
  if (matmulEnv !== 'on' && matmulEnv !== 'off') throw new UsageError(`ONERANK_MATMUL=${matmulEnv}: expected on or off`);
  const matmul = matmulEnv === 'off' ? 'tfjs' : 'fast';
  setFastMatMul(matmul === 'fast');
  const adapter = await describeNodeAdapter();
  // Enough requests that a training batch never wraps within the run (valFraction keeps a small eval split).
  const requests = Math.max(600, Math.ceil(cfg.batchSize * 1.25) + 50);
  const dataset = generateShop({ requests, candidates: CANDIDATES, historyLen: HISTORY, valFraction: 0.1, seed: cfg.seed }, { minCount: 1 });
  const trainer = Trainer.create(dataset, withDataShapes(cfg, dataset));

  for (let i = 0; i < warmup; i++) await trainer.trainStep({ ahead });
  // Counted after warm-up, so that what the first steps set up once (compiled kernels, cached tensors) is not read as a leak.
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    // Reads the step's loss back, so it has finished on the device (with --ahead, the next one is already running).
    await trainer.trainStep({ ahead: ahead && i < steps - 1 });
    const t1 = performance.now();
    times.push(t1 - t0);
    t0 = t1;
  }
  const tensorsAfter = tf.memory().numTensors;
  const msPerStep = median(times);
  const prof = profile ? await profileStep(() => trainer.trainStep(), { timestamps: true }) : null;
  const result = {
    backend,
    adapter,
    model: cfg.model,
    config: sizeName,
    batch: cfg.batchSize,
    d: cfg.d,
    layers: cfg.layers,
    heads: cfg.heads,
    tokens: 1 + HISTORY + CANDIDATES * (1 + dataset.tasks.length),
    matmul,
    ahead,
    warmup,
    steps,
    msPerStep,
    msMin: Math.min(...times),
    msMax: Math.max(...times),
    samplesPerSec: (cfg.batchSize / msPerStep) * 1000,
    tensorsBefore,
    tensorsAfter,
    ...(prof
      ? {
          programs: prof.programs,
          kernels: prof.kernels,
          gpuMs: prof.gpuMs,
          // The step's wall time: the median of the timed steps (the profiled step's own is profileWallMs).
          wallMs: msPerStep,
          profileWallMs: prof.wallMs,
          readbacks: prof.readbacks.length,
          gpuReadbacks: prof.readbacks.filter((r) => r.fromGpu).length,
          byKernel: prof.byKernel,
          readbackSites: prof.readbacks,
        }
      : {}),
  };
  trainer.dispose();
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(`${result.model} @ ${sizeName} (batch ${result.batch}, d ${result.d}, ${result.layers} layers, ${result.heads} heads, ${result.tokens} tokens) on ${backend}${adapter ? ` (${adapter})` : ''}${backend === 'webgpu' ? `, ${matmul} matmul` : ''}`);
    console.log(`median ${msPerStep.toFixed(1)} ms/step (min ${result.msMin.toFixed(1)}, max ${result.msMax.toFixed(1)}) over ${steps} steps after ${warmup} warm-up${ahead ? ', each submitted before the previous one was read' : ', each read before the next was submitted'}`);
    console.log(`${result.samplesPerSec.toFixed(1)} requests/s; tensors before ${tensorsBefore}, after ${tensorsAfter}`);
    if (prof) {
      console.log('');
      for (const line of formatProfile(prof)) console.log(line);
      if (prof.gpuMs !== null) console.log(`GPU time against the median step: ${prof.gpuMs.toFixed(2)} of ${msPerStep.toFixed(1)} ms (${((100 * prof.gpuMs) / msPerStep).toFixed(0)}%)`);
    }
  }
  return 0;
}

void runMain(main, USAGE);
