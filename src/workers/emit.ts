// The worker's one outlet for unasked-for events (progress, faults), set once by training.worker.ts so
// method groups can report without importing the worker entry point.
import type { TrainingEvent } from './protocol';

let emitter: ((e: TrainingEvent, transfer?: Transferable[]) => void) | null = null;

export function setEmitter(fn: (e: TrainingEvent, transfer?: Transferable[]) => void): void {
  emitter = fn;
}

export function emit(e: TrainingEvent, transfer?: Transferable[]): void {
  emitter?.(e, transfer);
}
