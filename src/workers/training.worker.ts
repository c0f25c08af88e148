/// <reference lib="webworker" />
// The training worker: owns TF.js, the backend, the datasets and every run's model. The page only draws.
import { selectBackend } from '../engine/backend';
import { serve } from './rpc';
import type { CoreMethods, TrainingEvent, TrainingMethods } from './protocol';
import { WASM_PATHS } from './wasmPaths';
import { runMethods } from './runMethods';
import { inspectMethods } from './inspectMethods';
import { setEmitter } from './emit';

const coreMethods: CoreMethods = {
  async init({ backend }) {
    return selectBackend(backend, WASM_PATHS);
  },
};

const methods = { ...coreMethods, ...runMethods, ...inspectMethods } as TrainingMethods;
setEmitter(serve<TrainingMethods, TrainingEvent>(self as unknown as DedicatedWorkerGlobalScope, methods));
