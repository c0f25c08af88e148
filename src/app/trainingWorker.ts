// The page's handle on the training worker: typed calls, events, and notice when the worker dies.
import { connect, type Client } from '../workers/rpc';
import type { TrainingEvent, TrainingMethods } from '../workers/protocol';

export interface TrainingWorker {
  client: Client<TrainingMethods>;
  terminate(): void;
}

export function startTrainingWorker(onEvent: (e: TrainingEvent) => void, onDeath: (why: string) => void): TrainingWorker {
  const worker = new Worker(new URL('../workers/training.worker.ts', import.meta.url), { type: 'module', name: 'training' });
  const client = connect<TrainingMethods, TrainingEvent>(worker, onEvent);
  worker.addEventListener('error', (e) => {
    const why = `The training worker crashed: ${e.message || 'unknown error'}`;
    client.failAll(why);
    onDeath(why);
  });
  return {
    client,
    terminate() {
      worker.terminate();
      client.failAll('The training worker was stopped');
    },
  };
}
