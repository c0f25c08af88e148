// A small typed request/response channel over postMessage, plus one-way events from the worker.
// Written here rather than pulled in (Comlink) because we also need streamed events and transferables,
// and this is 60 lines with no proxies to reason about.

export type Methods = Record<string, (params: never) => unknown>;

interface Request {
  kind: 'call';
  id: number;
  method: string;
  params: unknown;
}
interface Response {
  kind: 'result';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}
interface EventMessage {
  kind: 'event';
  event: unknown;
}

type PortLike = {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
};

/** Worker side: serves `methods`, returns `emit` for events. */
export function serve<M extends Methods, E>(port: PortLike, methods: M): (event: E, transfer?: Transferable[]) => void {
  port.addEventListener('message', async (e: MessageEvent) => {
    const msg = e.data as Request;
    if (msg?.kind !== 'call') return;
    const fn = methods[msg.method] as ((p: unknown) => unknown) | undefined;
    try {
      if (!fn) throw new Error(`unknown method ${msg.method}`);
      const value = await fn(msg.params);
      port.postMessage({ kind: 'result', id: msg.id, ok: true, value } satisfies Response);
    } catch (err) {
      port.postMessage({ kind: 'result', id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Response);
    }
  });
  return (event: E, transfer?: Transferable[]) => port.postMessage({ kind: 'event', event } satisfies EventMessage, transfer ?? []);
}

export type Client<M extends Methods> = {
  call<K extends keyof M & string>(method: K, params: Parameters<M[K]>[0], transfer?: Transferable[]): Promise<Awaited<ReturnType<M[K]>>>;
  /** Rejects every pending call (the worker died). */
  failAll(reason: string): void;
};

/** Main-thread side. */
export function connect<M extends Methods, E>(port: PortLike, onEvent: (e: E) => void): Client<M> {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.addEventListener('message', (e: MessageEvent) => {
    const msg = e.data as Response | EventMessage;
    if (msg?.kind === 'event') onEvent(msg.event as E);
    else if (msg?.kind === 'result') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.error));
    }
  });
  return {
    call(method, params, transfer) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        port.postMessage({ kind: 'call', id, method, params } satisfies Request, transfer ?? []);
      });
    },
    failAll(reason) {
      for (const p of pending.values()) p.reject(new Error(reason));
      pending.clear();
    },
  };
}
