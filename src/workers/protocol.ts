// What the UI may ask the training worker, and what the worker reports back unasked.
import type { BackendReport, BackendRequest } from '../engine/backendReport';

export interface TrainingMethods {
  [method: string]: (params: never) => unknown;
  /** Picks a backend through the ladder (the worker starts on none). */
  init(p: { backend: BackendRequest }): Promise<BackendReport>;
}

export type TrainingEvent = { type: 'log'; message: string };
