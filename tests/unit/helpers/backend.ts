// One line to put a unit test on a backend: `await useBackend('cpu')` or `await useBackend('webgpu')`.
// webgpu in Node runs on Dawn (the `webgpu` npm package) over Chromium's SwiftShader (VK_ICD_FILENAMES,
// set by `npm test` through scripts/chromium.mjs).
import * as tf from '@tensorflow/tfjs';

let webgpuReady: Promise<void> | null = null;

async function installNodeWebGPU(): Promise<void> {
  if (!process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
  // Only now: the webgpu backend registers itself only when navigator.gpu exists at import time.
  await import('@tensorflow/tfjs-backend-webgpu');
}

export type TestBackend = 'cpu' | 'webgpu';

export async function useBackend(name: TestBackend): Promise<typeof tf> {
  if (name === 'webgpu') {
    webgpuReady ??= installNodeWebGPU();
    await webgpuReady;
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  return tf;
}
