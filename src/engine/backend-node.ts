// Backend selection in Node (the CLI, the benchmark and the unit tests); the browser uses backend.ts.
// - webgpu: Dawn's Node binding (the `webgpu` package) installed as navigator.gpu, BEFORE the webgpu backend is
//   imported, because it registers itself only when navigator.gpu exists at import time (WEBGPU.md).
// - wasm: the .wasm binaries are read from node_modules as file paths.
import * as tf from '@tensorflow/tfjs';
import { installFastKernels } from './train/fastKernels';

export type NodeBackend = 'cpu' | 'wasm' | 'webgpu';
export const NODE_BACKENDS: readonly NodeBackend[] = ['cpu', 'wasm', 'webgpu'];

let webgpuInstalled: Promise<void> | null = null;
let wasmInstalled: Promise<void> | null = null;

async function installNodeWebGPU(timestamps: boolean): Promise<void> {
  // Debian's own Vulkan driver is too old for Dawn; Chromium's SwiftShader works (WEBGPU.md). A real GPU host
  // sets VK_ICD_FILENAMES / VK_DRIVER_FILES itself, and then this default is not used.
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // Dawn grants the timestamp-query feature (the profile's GPU times) only with its allow_unsafe_apis toggle.
  const toggles = timestamps ? ['enable-dawn-features=allow_unsafe_apis'] : [];
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create(toggles) }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
}

async function installNodeWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  // The package's main file lives in dist/, next to the .wasm binaries.
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(dirname(main), '/'));
}

/**
 * Leaves TF.js on the named backend, or throws an Error that says why it could not start. `timestamps` asks
 * Dawn for timestamp queries (kernels/profile.ts); it counts only on the first webgpu start of the process.
 */
export async function setNodeBackend(name: NodeBackend, opts: { timestamps?: boolean } = {}): Promise<void> {
  if (!NODE_BACKENDS.includes(name)) throw new Error(`Unknown backend '${name}'; expected one of ${NODE_BACKENDS.join(', ')}`);
  installFastKernels();
  if (name === 'webgpu') await (webgpuInstalled ??= installNodeWebGPU(opts.timestamps ?? false));
  if (name === 'wasm') await (wasmInstalled ??= installNodeWasm());
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`The ${name} backend could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!ok) {
    throw new Error(
      name === 'webgpu'
        ? 'The webgpu backend found no GPU adapter (in Node it needs a Vulkan driver: VK_ICD_FILENAMES or VK_DRIVER_FILES)'
        : `The ${name} backend failed to start`,
    );
  }
  await tf.ready();
}

/** What the live WebGPU adapter says it is ('' on other backends): tells a real GPU from SwiftShader. */
export async function describeNodeAdapter(): Promise<string> {
  if (tf.getBackend() !== 'webgpu') return '';
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return '';
  const info = adapter.info;
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
}
