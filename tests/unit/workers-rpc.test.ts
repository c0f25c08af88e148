// The worker channel (src/workers/rpc.ts) over real message ports (Node's MessageChannel, structured clone and
// transfer as between a page and a worker), and a real worker thread that dies mid-call.
// Shown to fail: answering every call with ok: true in serve() fails "errors"; dropping the transfer list from
// call()'s postMessage fails "transfers" (the sender's buffer stays attached).
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, serve } from '../../src/workers/rpc';

type PortLike = Parameters<typeof serve>[0];
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

function channel() {
  const { port1, port2 } = new MessageChannel();
  closers.push(() => {
    port1.close();
    port2.close();
  });
  return { worker: port1 as unknown as PortLike, page: port2 as unknown as PortLike };
}

const methods = {
  add: (p: { a: number; b: number }) => p.a + p.b,
  slow: async (p: { ms: number; v: string }) => {
    await new Promise((r) => setTimeout(r, p.ms));
    return p.v;
  },
  fail: (p: { why: string }) => {
    throw new Error(`could not: ${p.why}`);
  },
  sum: (p: { data: Float32Array }) => p.data.reduce((a, x) => a + x, 0),
};
type M = typeof methods;

describe('worker RPC', () => {
  it('requests: results come back to the right call, out of order too', async () => {
    const { worker, page } = channel();
    serve(worker, methods);
    const client = connect<M, never>(page, () => {});
    const slow = client.call('slow', { ms: 50, v: 'late' });
    const fast = client.call('slow', { ms: 0, v: 'early' });
    const order: string[] = [];
    await Promise.all([slow.then((v) => order.push(v)), fast.then((v) => order.push(v))]);
    expect(order).toEqual(['early', 'late']);
    expect(await client.call('add', { a: 2, b: 3 })).toBe(5);
  });

  it('errors: a method that throws rejects its call with the message; an unknown method says so', async () => {
    const { worker, page } = channel();
    serve(worker, methods);
    const client = connect<M & { nope: () => void }, never>(page, () => {});
    await expect(client.call('fail', { why: 'bad row 3' })).rejects.toThrow('could not: bad row 3');
    await expect(client.call('nope', undefined as never)).rejects.toThrow('unknown method nope');
    expect(await client.call('add', { a: 1, b: 1 })).toBe(2); // the channel lives on
  });

  it('events: one-way messages from the worker reach onEvent in order, apart from results', async () => {
    const { worker, page } = channel();
    const emit = serve<M, { step: number }>(worker, methods);
    const seen: number[] = [];
    const client = connect<M, { step: number }>(page, (e) => seen.push(e.step));
    for (let s = 1; s <= 3; s++) emit({ step: s });
    expect(await client.call('add', { a: 0, b: 0 })).toBe(0);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('transfers: a typed array moves to the worker (the sender\u2019s buffer detaches), and back in an event', async () => {
    const { worker, page } = channel();
    const emit = serve<M, { data: Float32Array }>(worker, methods);
    const got: Float32Array[] = [];
    const client = connect<M, { data: Float32Array }>(page, (e) => got.push(e.data));
    const data = new Float32Array([1, 2, 3.5]);
    expect(await client.call('sum', { data }, [data.buffer])).toBe(6.5);
    expect(data.buffer.byteLength).toBe(0);
    const back = new Float32Array([4, 5]);
    emit({ data: back }, [back.buffer]);
    await client.call('add', { a: 0, b: 0 });
    expect(back.buffer.byteLength).toBe(0);
    expect(Array.from(got[0])).toEqual([4, 5]);
  });

  it('a worker that dies: its pending calls reject with the reason', async () => {
    const { port1, port2 } = new MessageChannel();
    closers.push(() => port2.close());
    // A real thread that takes the call and dies before answering (as a crashed training worker does).
    const thread = new Worker(
      `const { workerData } = require('node:worker_threads');
       workerData.port.on('message', (m) => { if (m.kind === 'call') process.exit(3); });`,
      { eval: true, workerData: { port: port1 }, transferList: [port1] },
    );
    const client = connect<M, never>(port2 as unknown as PortLike, () => {});
    thread.on('exit', (code) => client.failAll(`The training worker died (exit ${code})`));
    const pending = client.call('add', { a: 1, b: 2 });
    await expect(pending).rejects.toThrow('The training worker died (exit 3)');
  });
});
