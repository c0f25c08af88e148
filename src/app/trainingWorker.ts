// The page's handle on the training worker: typed calls, events, and notice when the worker dies.
import { connect, type Client } from '../workers/rpc';
import type { TrainingEvent, TrainingMethods } from '../workers/protocol';

export interface TrainingWorker {
  client: Client<TrainingMethods>;
  terminate(): void;
  /** Listens to the worker's events (besides the onEvent given at start); returns the unsubscribe. */
  subscribe(fn: (e: TrainingEvent) => void): () => void;
  /** Ends the worker as a crash would (the death callbacks run): for tests and for a stuck worker. */
  kill(why: string): void;
}

export function startTrainingWorker(onEvent: (e: TrainingEvent) => void, onDeath: (why: string) => void): TrainingWorker {
  const worker = new Worker(new URL('../workers/training.worker.ts', import.meta.url), { type: 'module', name: 'training' });
  const listeners = new Set<(e: TrainingEvent) => void>();
  const client = connect<TrainingMethods, TrainingEvent>(worker, (e) => {
    onEvent(e);
    for (const fn of listeners) fn(e);
  });
  let dead = false;
  const die = (why: string) => {
    if (dead) return;
    dead = true;
    client.failAll(why);
    onDeath(why);
  };
  worker.addEventListener('error', (e) => die(`The training worker crashed: ${e.message || 'unknown error'}`));
  return {
    client,
    terminate() {
      dead = true;
      worker.terminate();
      client.failAll('The training worker was stopped');
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    kill(why) {
      worker.terminate();
      die(why);
    },
  };
}
