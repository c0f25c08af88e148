// What the UI may ask the training worker, and what the worker reports back unasked.
// The method set is the union of one group per concern; each group's file owns its types.
import type { BackendReport, BackendRequest } from '../engine/backendReport';
import type { RunMethods, RunEvent } from './runProtocol';
import type { InspectMethods } from './inspectProtocol';

export interface CoreMethods {
  /** Picks a backend through the ladder (the worker starts on none). */
  init(p: { backend: BackendRequest }): Promise<BackendReport>;
}

export type TrainingMethods = CoreMethods & RunMethods & InspectMethods & { [method: string]: (params: never) => unknown };

export type TrainingEvent = { type: 'log'; message: string } | RunEvent;
