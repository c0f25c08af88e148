// One line to put a unit test on a backend: `await useBackend('cpu')` or `await useBackend('webgpu')`.
// The Node backend setup (Dawn for webgpu over Chromium's SwiftShader, wasm binaries from node_modules) lives
// once, in src/engine/backend-node.ts; this is its test-facing name.
import * as tf from '@tensorflow/tfjs';
import { setNodeBackend, type NodeBackend } from '../../../src/engine/backend-node';

export type TestBackend = NodeBackend;

export async function useBackend(name: TestBackend): Promise<typeof tf> {
  await setNodeBackend(name);
  return tf;
}
