// The page's handle on the parsing worker (one per dataset panel). It is started when the panel mounts, not
// on upload, so choosing a file fetches nothing from the network: the worker script is already loaded.
import { connect, type Client } from '../../workers/rpc';
import type { ParseEvent, ParseWorkerMethods } from '../../workers/parseProtocol';

export interface ParseWorker {
  client: Client<ParseWorkerMethods>;
  /** Listeners for progress events; returns the unsubscribe. */
  onEvent(fn: (e: ParseEvent) => void): () => void;
  terminate(): void;
}

export function startParseWorker(onDeath: (why: string) => void): ParseWorker {
  const worker = new Worker(new URL('../../workers/parse.worker.ts', import.meta.url), { type: 'module', name: 'parse' });
  const listeners = new Set<(e: ParseEvent) => void>();
  const client = connect<ParseWorkerMethods, ParseEvent>(worker, (e) => listeners.forEach((fn) => fn(e)));
  worker.addEventListener('error', (e) => {
    // Most often the tab ran out of memory on a huge file.
    const why = `The parsing worker crashed: ${e.message || 'unknown error (perhaps out of memory)'}`;
    client.failAll(why);
    onDeath(why);
  });
  return {
    client,
    onEvent(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    terminate() {
      worker.terminate();
      client.failAll('The parsing worker was stopped');
    },
  };
}
