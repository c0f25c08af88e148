// The backend ladder: webgpu -> webgl -> wasm -> cpu, and a report of what is live and why.
// Two different failures must both count as "not available" (WEBGPU.md): setBackend THROWS when the backend
// never registered (no navigator.gpu), and RETURNS FALSE when it registered but could not start (no adapter).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { ladderFor, type AdapterDescription, type BackendName, type BackendReport, type BackendRequest, type Fallback } from './backendReport';

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
      return { requested, backend: name, adapter, fallbacks };
    }
    fallbacks.push({ backend: name, reason: why });
  }
  throw new Error(`No TensorFlow.js backend could start: ${fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`);
}
