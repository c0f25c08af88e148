// What one training step costs, counted rather than guessed (`npm run bench -- --profile` prints it).
// - kernels:  registered TF.js kernel invocations through the engine (engine.runKernelFunc with a kernel name;
//             customGrad wrappers are not kernels, the kernels they run are), at any nesting depth.
// - programs: on webgpu, the GPU programs dispatched (backend.recordAndSubmit calls: runWebGPUProgram's with a
//             non-empty output, and our own WGSL modules;
//             a kernel may dispatch several, e.g. Softmax, or none: reshapes, and small ops the backend runs on
//             the CPU); on cpu and wasm, the kernel count (every kernel is one "program" there).
// - gpuMs:    the sum of every program's GPU time from timestamp queries, per kernel kind, in a second pass of
//             the step (each timed program ends its compute pass and is read back alone, so that pass is slow;
//             its wall time is not reported). null where the adapter has no timestamp-query feature (in Node,
//             Dawn grants it only with the allow_unsafe_apis toggle: setNodeBackend(..., { timestamps: true })).
// - a replayed (recorded) step runs no TF.js kernel: its dispatches are its programs, named '(recorded) <program>',
//             and timed one by one in the timed pass.
// - readbacks: every read of tensor data into JS during the step (backend read / readSync), with the kernel
//             that asked (null: the step's own code) and where in our source it came from; on webgpu `fromGpu`
//             says whether the values had to be downloaded (small CPU-resident tensors are read in place).
import * as tf from '@tensorflow/tfjs';
import { observeReplays } from './recordedStep';

export interface KernelStat {
  /** The registered kernel's name ('(no kernel)': a program dispatched outside any kernel). */
  name: string;
  calls: number;
  programs: number;
  /** GPU time of its programs, ms (null without timestamp queries). */
  gpuMs: number | null;
}

export interface Readback {
  api: 'read' | 'readSync';
  /** The kernel that read (a backend-internal read), or null for a read by the step's own code. */
  kernel: string | null;
  /** Up to three frames of our own source (file:line), innermost first. */
  where: string;
  fromGpu: boolean;
}

export interface StepProfile {
  backend: string;
  programs: number;
  kernels: number;
  /** Sum of the programs' GPU times (ms), or null (see timestampsNote). */
  gpuMs: number | null;
  /** Why gpuMs is null, or '' when it is not. */
  timestampsNote: string;
  /** Wall time of the counted (untimed) step, ms. */
  wallMs: number;
  readbacks: Readback[];
  /** Per kernel kind, most GPU time (else most programs) first. */
  byKernel: KernelStat[];
}

interface EngineLike {
  runKernelFunc(params: { kernelName?: string }): unknown;
}

interface BackendLike {
  read(dataId: object): Promise<unknown>;
  readSync(dataId: object): unknown;
  runWebGPUProgram?: unknown;
  recordAndSubmit?: (program: { shaderKey?: string }, ...rest: unknown[]) => unknown;
  supportTimestampQuery?: boolean;
  activeTimers?: { name: string; query: Promise<number> }[];
  tensorMap?: { get(dataId: object): { values: unknown } | undefined };
}

/** Our folders (TF.js's source-mapped frames read src/engine.ts, src/kernels/...: not ours). */
const OUR_SOURCE = /\/(src\/engine\/|cli\/|tests\/)/;

/** Our own frames of the current stack (not TF.js's, not this file's), innermost first. */
function ourFrames(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60; // TF.js's own frames come first
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  Error.stackTraceLimit = limit;
  const own = frames
    .map((f) => f.trim())
    .filter((f) => !f.includes('node_modules') && !f.includes('kernels/profile') && OUR_SOURCE.test(f))
    .map((f) => {
      const m = /\/((?:src\/engine|cli|tests)\/[^:)]+:\d+)/.exec(f);
      return m ? m[1] : f;
    });
  return own.filter((f, i) => f !== own[i - 1]).slice(0, 3).join(' < ') || frames.slice(0, 2).map((f) => f.trim()).join(' < ');
}

interface Pass {
  kernels: number;
  programs: number;
  stats: Map<string, KernelStat>;
  timers: { name: string; query: Promise<number> }[];
  readbacks: Readback[];
}

/** Runs `step` once with every counter attached and returns what it counted; the hooks are removed after. */
async function countedPass(step: () => Promise<unknown>, timestamps: boolean): Promise<Pass & { wallMs: number }> {
  const engine = tf.engine() as unknown as EngineLike;
  const backend = tf.backend() as unknown as BackendLike;
  const webgpu = typeof backend.runWebGPUProgram === 'function';
  const pass: Pass = { kernels: 0, programs: 0, stats: new Map(), timers: [], readbacks: [] };
  const running: string[] = [];
  const stat = (name: string) => {
    let s = pass.stats.get(name);
    if (!s) pass.stats.set(name, (s = { name, calls: 0, programs: 0, gpuMs: null }));
    return s;
  };

  const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
  const hooked: [object, string, boolean, unknown][] = [];
  const hook = <T extends object, K extends keyof T & string>(o: T, key: K, wrap: (orig: T[K]) => T[K]) => {
    hooked.push([o, key, own(o, key), o[key]]);
    o[key] = wrap((o[key] as unknown as (...a: unknown[]) => unknown).bind(o) as T[K]);
  };

  hook(engine, 'runKernelFunc', (orig) => (params) => {
    const name = params.kernelName;
    if (!name) return orig(params);
    pass.kernels += 1;
    stat(name).calls += 1;
    running.push(name);
    try {
      return orig(params);
    } finally {
      running.pop();
    }
  });
  if (webgpu) {
    // Every dispatch goes through recordAndSubmit (TF.js's programs, after runWebGPUProgram skipped empty
    // outputs, and our own WGSL modules such as the grouped Adam update).
    hook(backend, 'recordAndSubmit', (orig) => (program, ...rest) => {
      const name = running[running.length - 1] ?? `(no kernel)${program.shaderKey ? ` ${program.shaderKey.split('_')[0]}` : ''}`;
      pass.programs += 1;
      stat(name).programs += 1;
      if (!timestamps) return orig!(program, ...rest);
      // The backend times a program when activeTimers is set: its own pass with timestamp writes, resolved at once.
      const before = backend.activeTimers;
      backend.activeTimers = [];
      try {
        return orig!(program, ...rest);
      } finally {
        for (const t of backend.activeTimers) pass.timers.push({ name, query: t.query });
        backend.activeTimers = before;
      }
    });
  }
  // A replayed step (recordedStep.ts) runs no TF.js kernel: its dispatches are counted, and timed, as it replays.
  const observerBefore = observeReplays({
    timed: timestamps,
    replayed: (dispatches) => {
      for (const d of dispatches) {
        const name = `(recorded) ${d.name}`;
        pass.programs += 1;
        stat(name).programs += 1;
        stat(name).calls += 1;
        if (d.ms !== null) pass.timers.push({ name, query: Promise.resolve(d.ms) });
      }
      // Its one readback: the step's scalars, copied out in the same submit and mapped.
      pass.readbacks.push({ api: 'read', kernel: null, where: 'src/engine/kernels/recordedStep.ts (the step scalars, mapped after the replay)', fromGpu: true });
    },
  });
  // A readback: a read asked for by the step's own code, or any read that downloads from the GPU. Not one: a
  // kernel reading CPU-resident values in place (cpu kernels read their indices; webgpu runs small ops on the
  // CPU), nor a read nested in another (cpu's read calls its readSync).
  const onGpu = (dataId: object) => webgpu && backend.tensorMap?.get(dataId)?.values == null;
  let reading = 0;
  const noted =
    <R>(api: Readback['api'], orig: (dataId: object) => R) =>
    (dataId: object): R => {
      const kernel = running[running.length - 1] ?? null;
      const fromGpu = onGpu(dataId);
      if (reading === 0 && (kernel === null || fromGpu)) pass.readbacks.push({ api, kernel, where: ourFrames(), fromGpu });
      reading += 1;
      try {
        return orig(dataId);
      } finally {
        reading -= 1;
      }
    };
  hook(backend, 'read', (orig) => noted('read', orig));
  hook(backend, 'readSync', (orig) => noted('readSync', orig));

  const t0 = performance.now();
  try {
    await step();
  } finally {
    observeReplays(observerBefore);
    for (const [o, key, wasOwn, value] of hooked.reverse()) {
      if (wasOwn) (o as Record<string, unknown>)[key] = value;
      else delete (o as Record<string, unknown>)[key];
    }
  }
  const wallMs = performance.now() - t0;
  if (!webgpu) {
    pass.programs = pass.kernels;
    for (const s of pass.stats.values()) s.programs = s.calls;
  }
  return { ...pass, wallMs };
}

/**
 * Profiles one call of `step` (a training step, after warm-up). With `timestamps` on a webgpu adapter that has
 * the timestamp-query feature, the step runs a second time with every program timed.
 */
export async function profileStep(step: () => Promise<unknown>, opts: { timestamps?: boolean } = {}): Promise<StepProfile> {
  const backendName = tf.getBackend();
  const backend = tf.backend() as unknown as BackendLike;
  const counted = await countedPass(step, false);
  let gpuMs: number | null = null;
  let timestampsNote = '';
  if (backendName !== 'webgpu') timestampsNote = `no GPU on the ${backendName} backend: programs = kernels, no GPU time`;
  else if (!opts.timestamps) timestampsNote = 'timestamp queries not asked for';
  else if (!backend.supportTimestampQuery) {
    timestampsNote = "this adapter has no timestamp-query feature (Dawn in Node: create(['enable-dawn-features=allow_unsafe_apis']))";
  } else {
    const timed = await countedPass(step, true);
    const times = await Promise.all(timed.timers.map((t) => t.query));
    gpuMs = 0;
    for (const s of counted.stats.values()) s.gpuMs = 0;
    timed.timers.forEach((t, i) => {
      const s = counted.stats.get(t.name) ?? { name: t.name, calls: 0, programs: 0, gpuMs: 0 };
      counted.stats.set(t.name, s);
      s.gpuMs = (s.gpuMs ?? 0) + times[i];
      gpuMs! += times[i];
    });
  }
  const byKernel = [...counted.stats.values()].sort((a, b) => (b.gpuMs ?? 0) - (a.gpuMs ?? 0) || b.programs - a.programs || b.calls - a.calls);
  return {
    backend: backendName,
    programs: counted.programs,
    kernels: counted.kernels,
    gpuMs,
    timestampsNote,
    wallMs: counted.wallMs,
    readbacks: counted.readbacks,
    byKernel,
  };
}

/** The profile as text lines for a terminal. */
export function formatProfile(p: StepProfile, top = 25): string[] {
  const lines: string[] = [];
  const timed = p.gpuMs !== null;
  lines.push(
    `one step on ${p.backend}: ${p.programs} ${p.backend === 'webgpu' ? 'GPU programs' : 'kernels (programs = kernels off the GPU)'} from ${p.kernels} kernel calls; wall ${p.wallMs.toFixed(1)} ms`,
  );
  if (timed) lines.push(`GPU time ${p.gpuMs!.toFixed(2)} ms = ${((100 * p.gpuMs!) / p.wallMs).toFixed(0)}% of the step's wall time`);
  else lines.push(`GPU time: n/a (${p.timestampsNote})`);
  lines.push(`${'kernel'.padEnd(34)} ${'calls'.padStart(6)} ${'programs'.padStart(8)}${timed ? ' gpu ms'.padStart(10) : ''}`);
  for (const s of p.byKernel.slice(0, top)) {
    lines.push(`${s.name.padEnd(34)} ${String(s.calls).padStart(6)} ${String(s.programs).padStart(8)}${timed ? (s.gpuMs ?? 0).toFixed(3).padStart(10) : ''}`);
  }
  if (p.byKernel.length > top) lines.push(`... ${p.byKernel.length - top} more kernel kinds`);
  lines.push(`${p.readbacks.length} readback(s) in the step${p.backend === 'webgpu' ? ` (${p.readbacks.filter((r) => r.fromGpu).length} from the GPU)` : ''}:`);
  for (const r of p.readbacks) lines.push(`  ${r.api}${r.kernel ? ` in ${r.kernel}` : ''}${r.fromGpu ? ' [GPU]' : ''} at ${r.where}`);
  return lines;
}
