// The backend ladder: webgpu -> webgl -> wasm -> cpu, and a report of what is live and why.
// Two different failures must both count as "not available" (WEBGPU.md): setBackend THROWS when the backend
// never registered (no navigator.gpu), and RETURNS FALSE when it registered but could not start (no adapter).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { ladderFor, pickFaster, raceDeadlineMs, type AdapterDescription, type BackendRace, type StepTiming, type BackendName, type BackendReport, type BackendRequest, type Fallback } from './backendReport';

export * from './backendReport';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type GpuLike = { requestAdapter(): Promise<unknown> };

async function describeAdapter(): Promise<AdapterDescription | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = (await gpu.requestAdapter()) as {
    info?: Record<string, unknown>;
    isFallbackAdapter?: boolean;
  } | null;
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const text = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
  const vendor = text('vendor');
  const architecture = text('architecture');
  const software =
    info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(`${architecture} ${text('description')}`);
  return { vendor, architecture, description: text('description'), software };
}

/** Why a backend can't start, before trying it (clearer words than TF.js's own errors). */
function precheck(name: BackendName): string | null {
  const g = globalThis as { navigator?: { gpu?: unknown }; isSecureContext?: boolean; OffscreenCanvas?: unknown; document?: unknown; WebAssembly?: unknown };
  if (name === 'webgpu' && !g.navigator?.gpu) {
    return g.isSecureContext === false
      ? 'WebGPU needs a secure context (https or localhost); this page was opened on a plain-http address'
      : 'this browser has no WebGPU (navigator.gpu is missing; Chrome/Edge 113+ have it)';
  }
  if (name === 'webgl' && !g.document && !g.OffscreenCanvas) return 'no WebGL here (no canvas in this context)';
  if (name === 'wasm' && !g.WebAssembly) return 'no WebAssembly here';
  return null;
}

async function tryBackend(name: BackendName): Promise<string | null> {
  const pre = precheck(name);
  if (pre) return pre;
  try {
    const ok = await tf.setBackend(name);
    if (!ok) {
      return name === 'webgpu' ? 'WebGPU is present but no GPU adapter could be obtained (blocklisted or disabled GPU)' : `the ${name} backend failed to start`;
    }
    await tf.ready();
    // A backend can start and still be unable to run a kernel: prove it with a tiny computation.
    const probe = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
    const v = (await probe.data())[0];
    probe.dispose();
    if (v !== 12) return `the ${name} backend computed a wrong result (${v} instead of 12)`;
    return null;
  } catch (e) {
    return `the ${name} backend failed: ${errorText(e)}`;
  }
}

/**
 * One tiny training step of the kinds of work a real step does (matmuls, attention softmax, a layer norm, BCE,
 * gradients, an update), so a backend's fixed costs (shader compiles, dispatch) show as they would in training.
 */
async function tinyStep(): Promise<void> {
  const [B, T, d] = [8, 6, 16];
  const x = tf.tidy(() => tf.randomNormal([B * T, d], 0, 1, 'float32', 1));
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([B * T, 1], 0, 1, 'float32', 2), 0.7), 'float32'));
  const vars = [tf.variable(tf.randomNormal([d, d], 0, 0.2, 'float32', 3)), tf.variable(tf.randomNormal([d, d], 0, 0.2, 'float32', 4)), tf.variable(tf.randomNormal([d, 1], 0, 0.2, 'float32', 5))];
  const [wq, wv, wo] = vars;
  try {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const q = tf.matMul(x, wq).reshape([B, T, d]);
        const v = tf.matMul(x, wv).reshape([B, T, d]);
        const att = tf.softmax(tf.div(tf.matMul(q, v, false, true), Math.sqrt(d))); // [B, T, T]
        const h = tf.matMul(att, v); // [B, T, d]
        const mean = tf.mean(h, -1, true);
        const norm = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(h, mean)), -1, true), 1e-5)));
        const logits = tf.matMul(tf.relu(norm).reshape([B * T, d]), wo);
        return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
      }),
    );
    tf.tidy(() => vars.forEach((w) => w.assign(tf.sub(w, tf.mul(grads[w.name], 0.01)))));
    await value.data();
    value.dispose();
    tf.dispose(grads);
  } finally {
    tf.dispose([x, y, ...vars]);
  }
}

/** Times tinyStep twice on the live backend (cold, then warm); null for a step not done within deadlineMs. */
async function timeSteps(backend: BackendName, deadlineMs = Infinity): Promise<StepTiming> {
  const timed = async (): Promise<number | null> => {
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve(null), deadlineMs);
    });
    // A step past the deadline finishes in the background (it cleans up after itself) while the other backend runs.
    const done = await Promise.race([tinyStep().then(() => performance.now() - t0), late]);
    clearTimeout(timer);
    return done;
  };
  const coldMs = await timed();
  const warmMs = coldMs === null ? null : await timed();
  return { backend, coldMs, warmMs };
}

/**
 * On a software WebGPU adapter, WebGPU is not trusted to be fast: wasm and WebGPU each time a tiny step and the
 * faster one stays live. Returns null when wasm cannot start (WebGPU stays).
 */
async function raceSoftwareGpu(): Promise<BackendRace | null> {
  if ((await tryBackend('wasm')) !== null) {
    await tf.setBackend('webgpu');
    return null;
  }
  const wasm = await timeSteps('wasm').catch((): StepTiming => ({ backend: 'wasm', coldMs: null, warmMs: null }));
  const deadlineMs = raceDeadlineMs(wasm.coldMs ?? 0);
  await tf.setBackend('webgpu');
  const webgpu = await timeSteps('webgpu', deadlineMs).catch((): StepTiming => ({ backend: 'webgpu', coldMs: null, warmMs: null }));
  const chosen = pickFaster(webgpu, wasm);
  await tf.setBackend(chosen);
  await tf.ready();
  return { webgpu, wasm, deadlineMs, chosen };
}

/**
 * Walks the ladder and leaves TF.js on the first backend that works.
 * wasmPaths: where the wasm backend's .wasm files are served (the app passes Vite-resolved URLs).
 */
export async function selectBackend(requested: BackendRequest, wasmPaths?: Record<string, string> | string): Promise<BackendReport> {
  if (wasmPaths) setWasmPaths(wasmPaths as never);
  const fallbacks: Fallback[] = [];
  for (const name of ladderFor(requested)) {
    const why = await tryBackend(name);
    if (why === null) {
      const adapter = name === 'webgpu' ? await describeAdapter() : null;
      // A forced webgpu is honoured as is; 'auto' on a software adapter measures before it trusts.
      if (name === 'webgpu' && requested === 'auto' && adapter?.software) {
        const race = await raceSoftwareGpu();
        if (race) return { requested, backend: race.chosen, adapter: race.chosen === 'webgpu' ? adapter : null, fallbacks, race };
      }
      return { requested, backend: name, adapter, fallbacks };
    }
    fallbacks.push({ backend: name, reason: why });
  }
  throw new Error(`No TensorFlow.js backend could start: ${fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`);
}
