/// <reference lib="webworker" />
// The training worker: owns TF.js, the backend, the datasets and every run's model. The page only draws.
import { selectBackend } from '../engine/backend';
import { serve } from './rpc';
import type { TrainingEvent, TrainingMethods } from './protocol';
import { WASM_PATHS } from './wasmPaths';

const methods: TrainingMethods = {
  async init({ backend }) {
    return selectBackend(backend, WASM_PATHS);
  },
};

serve<TrainingMethods, TrainingEvent>(self as unknown as DedicatedWorkerGlobalScope, methods);
