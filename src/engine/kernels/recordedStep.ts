// The recorded step (issue 11, point 3): a training step captured once as the fixed list of GPU dispatches TF.js
// made for it, then replayed every step with a new batch written into the same input buffers.
//
// Why: after fusing, a step is still ~500 GPU programs, and TF.js spends ~100-150 us of CPU on each (shape
// bookkeeping, a uniform buffer, a bind group, encoding) while the GPU itself is busy for ~10% of the step.
// Replaying costs a setPipeline / setBindGroup / dispatch per program (a few us): the pipelines, buffers, uniform
// values and bind groups are the ones TF.js made while recording, kept alive and never handed out again.
//
// What makes a replay equal to a fresh TF.js step:
// - every buffer the recording acquires stays its own (the pool never hands it out again). Within the recording,
//   a storage buffer that TF.js releases may be reused by a later storage output, exactly as TF.js's own pool
//   would, since the replay repeats the same writes in the same order; uniform and upload buffers are never reused
//   (their contents were written once, by the CPU, and are not written again by a replay);
// - the step's per-step data comes in as `inputs` (the batch and Adam's bias corrections), uploaded before the
//   recording and written again before every replay; nothing inside the step may depend on the CPU otherwise.
//   The trainer checks that by recording two consecutive steps and comparing their signatures (programs, dispatch
//   sizes, uniform bytes and uploaded bytes): equal signatures mean no hidden per-step CPU data (e.g. dropout
//   masks drawn on the CPU), else it keeps TF.js's path;
// - buffers the recording reads but does not own (weights, Adam's moments, the model's constants) must keep their
//   identity: the weights are updated in place. Releasing any of them (a restored checkpoint or an import assigns
//   new tensors) marks the recording stale, and the trainer records again.
// Nothing is read back inside the step; the step's scalars are copied to a mappable buffer in the same submit.
import * as tf from '@tensorflow/tfjs';

/* eslint-disable @typescript-eslint/no-explicit-any -- TF.js's webgpu backend internals are untyped here */

// WebGPU's usage and map flags (the globals exist only where WebGPU does; this file must load everywhere).
const MAP_READ = 0x0001;
const MAP_WRITE = 0x0002;
const COPY_SRC = 0x0004;
const QUERY_RESOLVE = 0x0200;
/** Dispatches per submit in a replay. */
const CHUNK = 96;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const STORAGE = 0x0080;

interface Dispatch {
  pipeline: any;
  bindGroup: any;
  dims: [number, number, number];
  /** The program's shader key, to name the program in a profile. */
  name: string;
}

interface Internals {
  device: any;
  queue: any;
  bufferManager: { acquireBuffer: (...a: any[]) => any; releaseBuffer: (...a: any[]) => void };
  tensorMap: { get(dataId: object): { resource: any; values: unknown; dtype: string } | undefined };
  uploadToGPU(dataId: object): void;
  recordAndSubmit(program: any, output: any, inputs: any[], uniforms?: any[]): void;
  makeUniforms(uniforms: any[]): { buffer: any };
  getBufferData(buffer: any): Promise<ArrayBuffer>;
  copyBuffer(buffer: any): any;
  readToGPU(dataId: object): any;
  endComputePassEncoder(): void;
  submitQueue(): void;
  commandEncoder: any;
  supportTimestampQuery?: boolean;
}

/** The webgpu backend's internals a recording needs, or null on any other backend. */
function internals(): Internals | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const b = tf.backend() as any;
  const needed = ['device', 'queue', 'bufferManager', 'tensorMap', 'uploadToGPU', 'recordAndSubmit', 'makeUniforms', 'submitQueue', 'endComputePassEncoder'];
  return needed.every((k) => b[k] != null) ? (b as Internals) : null;
}

/** True when steps can be recorded here (the webgpu backend, with the internals this file relies on). */
export function canRecordSteps(): boolean {
  return internals() !== null;
}

/** FNV-1a over bytes: a signature entry for uploaded and uniform data (equal bytes, equal hash). */
function hashBytes(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

/** The bytes of writeBuffer's data argument (offset and size count elements of a typed array, bytes otherwise). */
function bytesOf(data: any, offset = 0, size?: number): Uint8Array {
  if (!ArrayBuffer.isView(data)) return new Uint8Array(data as ArrayBuffer, offset, size);
  const per = (data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  return new Uint8Array(data.buffer, data.byteOffset + offset * per, size === undefined ? data.byteLength - offset * per : size * per);
}

/** Buffers acquired while recording, by all recordings alive (the release hook looks them up). */
let live: Recording[] = [];
let hooked: Internals | null = null;
let originalRelease: ((buffer: any, reuse?: boolean) => void) | null = null;

/** One release hook for all recordings: owned buffers never go back to the pool; an external one marks stale. */
function installReleaseHook(b: Internals): void {
  if (hooked === b) return;
  hooked = b;
  const bm = b.bufferManager;
  const orig = bm.releaseBuffer.bind(bm);
  originalRelease = orig;
  bm.releaseBuffer = (buffer: any, reuse = true) => {
    live.forEach((r) => r.noteExternalRelease(buffer));
    const owner = live.find((r) => r.owns(buffer));
    if (owner) owner.released(buffer);
    else orig(buffer, reuse);
  };
}

export class Recording {
  readonly dispatches: Dispatch[] = [];
  /** What the step did, in order: equal for two steps when nothing per-step came from the CPU but the inputs. */
  readonly signature: string[] = [];
  /** Why the recording cannot be replayed ('' when it can). */
  refusal = '';
  stale = false;
  private readonly owned = new Set<any>();
  /** Owned buffers TF.js has released: free for reuse within the recording, returned to the pool on dispose. */
  private readonly releasedOwned = new Set<any>();
  private readonly freeForReuse = new Map<string, any[]>();
  private readonly external = new Set<any>();
  /** Owned buffers whose contents came from the CPU (uploads): a replay does not write them again, so never reused. */
  private readonly cpuWritten = new Set<any>();
  /** Tensors the step writes in place (weights, moments): their CPU copies go stale after every replay. */
  private readonly writtenInPlace: object[] = [];
  private inputBuffers: any[] = [];
  private readonly inputBytes: number[] = [];
  private output: tf.Tensor | null = null;
  private outputBuffer: any = null;
  /** Two, used in turn: a step's scalars may still be on their way while the next step is submitted. */
  private readonly readBuffers: any[] = [];
  private submitted = 0;
  private unread = 0;
  private recording = false;

  /** The pool's own release, of the backend this recording was made on (a new backend after a lost device has its own). */
  private readonly release: (buffer: any, reuse?: boolean) => void;

  private constructor(
    private readonly b: Internals,
    private readonly inputs: tf.Tensor[],
  ) {
    this.release = originalRelease!;
  }

  /**
   * Runs `step` (all device work of one training step; it returns the step's scalars as one float32 vector) as a
   * normal TF.js step while recording it. `inputs` are its per-step data: they are uploaded first and owned by
   * the recording from then on (do not dispose them; dispose the recording). Returns the recording and the
   * step's scalars tensor (owned by the recording too).
   */
  static capture(inputs: tf.Tensor[], step: () => tf.Tensor): { recording: Recording; scalars: tf.Tensor } {
    const b = internals();
    if (!b) throw new Error('Recording: the webgpu backend is not active');
    installReleaseHook(b);
    const r = new Recording(b, inputs);
    for (const t of inputs) b.uploadToGPU(t.dataId);
    r.inputBuffers = inputs.map((t) => b.tensorMap.get(t.dataId)!.resource);
    inputs.forEach((t) => r.inputBytes.push(t.size * 4));
    // Work queued before the step goes out first: every command of the step is then in encoders made while hooked.
    flush(b);
    live.push(r);
    const restore = r.hook();
    let scalars: tf.Tensor;
    try {
      r.recording = true;
      scalars = step();
      flush(b);
    } catch (e) {
      r.recording = false;
      restore();
      r.dispose();
      throw e;
    } finally {
      r.recording = false;
    }
    restore();
    if (scalars.dtype !== 'float32') r.refuse('the step output is not float32');
    r.output = scalars;
    r.outputBuffer = b.tensorMap.get(scalars.dataId)?.resource ?? null;
    if (!r.outputBuffer) r.refuse('the step output never reached the GPU');
    for (const buf of r.inputBuffers) if (r.owned.has(buf)) r.refuse('an input buffer was acquired inside the step');
    return { recording: r, scalars };
  }

  /** True when this recording can replay a step with inputs of these byte lengths. */
  usable(inputs: ArrayBufferView[]): boolean {
    return !this.refusal && !this.stale && inputs.length === this.inputBytes.length && inputs.every((a, i) => a.byteLength === this.inputBytes[i]);
  }

  /**
   * One step: writes the inputs into their buffers, encodes every recorded dispatch (one compute pass; with a
   * replay observer asking for timing, a timed pass per dispatch), copies the scalars out in the same submit and
   * returns them once the GPU has finished. All of it is submitted before the returned promise first waits, and a
   * second step may be submitted while the first one's scalars are on their way (not a third: two read buffers).
   */
  async run(inputs: ArrayBufferView[]): Promise<Float32Array> {
    if (!this.usable(inputs)) throw new Error(`Recording: cannot replay (${this.refusal || (this.stale ? 'stale' : 'input sizes differ')})`);
    if (this.unread >= 2) throw new Error('Recording: two replayed steps are unread already');
    const { b } = this;
    flush(b);
    inputs.forEach((a, i) => b.queue.writeBuffer(this.inputBuffers[i], 0, a.buffer, a.byteOffset, a.byteLength));
    const timed = observer?.timed && b.supportTimestampQuery ? timestampKit(b, this.dispatches.length) : null;
    let encoder = b.device.createCommandEncoder();
    if (timed) {
      this.dispatches.forEach((d, i) => {
        const pass = encoder.beginComputePass({ timestampWrites: { querySet: timed.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        encodeDispatch(pass, d);
        pass.end();
      });
      timed.resolve(encoder);
    } else {
      // Submitted in chunks, so the GPU starts on the first dispatches while the CPU encodes the rest.
      for (let at = 0; at < this.dispatches.length; at += CHUNK) {
        const pass = encoder.beginComputePass();
        for (const d of this.dispatches.slice(at, at + CHUNK)) encodeDispatch(pass, d);
        pass.end();
        if (at + CHUNK < this.dispatches.length) {
          b.queue.submit([encoder.finish()]);
          encoder = b.device.createCommandEncoder();
        }
      }
    }
    const size = this.output!.size * 4;
    const readBuffer = (this.readBuffers[this.submitted++ % 2] ??= b.device.createBuffer({ size, usage: MAP_READ | COPY_DST }));
    encoder.copyBufferToBuffer(this.outputBuffer, 0, readBuffer, 0, size);
    b.queue.submit([encoder.finish()]);
    // TF.js caches a tensor's values on the CPU once read: those of the weights and moments are now stale.
    for (const id of this.writtenInPlace) {
      const d = b.tensorMap.get(id);
      if (d) d.values = null;
    }
    this.unread++;
    let out: Float32Array;
    try {
      await readBuffer.mapAsync(MAP_READ);
      out = new Float32Array(readBuffer.getMappedRange().slice(0));
      readBuffer.unmap();
    } finally {
      this.unread--;
    }
    const ms = timed ? await timed.read() : null;
    observer?.replayed(this.dispatches.map((d, i) => ({ name: d.name, ms: ms ? ms[i] : null })));
    return out;
  }

  owns(buffer: any): boolean {
    return this.owned.has(buffer);
  }

  /** TF.js released an owned buffer: during the recording, a storage buffer may serve a later storage output. */
  released(buffer: any): void {
    this.releasedOwned.add(buffer);
    if (this.recording && reusable(buffer.usage) && !this.cpuWritten.has(buffer)) {
      const key = `${buffer.size}_${buffer.usage}`;
      const list = this.freeForReuse.get(key) ?? [];
      list.push(buffer);
      this.freeForReuse.set(key, list);
    }
  }

  noteExternalRelease(buffer: any): void {
    if (this.external.has(buffer)) this.stale = true;
  }

  private refuse(why: string): void {
    this.refusal ||= why;
  }

  /** Hooks on the backend while the step runs; returns the function that removes them. */
  private hook(): () => void {
    const { b } = this;
    const undo: (() => void)[] = [];
    const wrap = (o: any, key: string, make: (orig: any) => any) => {
      const had = Object.prototype.hasOwnProperty.call(o, key);
      const before = o[key];
      const orig = before.bind(o);
      o[key] = make(orig);
      undo.push(() => (had ? (o[key] = before) : delete o[key]));
    };
    wrap(b.bufferManager, 'acquireBuffer', (orig) => (size: number, usage: number, mapped = false, reuse = true) => {
      if (!mapped && reusable(usage)) {
        const list = this.freeForReuse.get(`${size}_${usage}`);
        const again = list?.pop();
        if (again) {
          this.releasedOwned.delete(again);
          return again;
        }
      }
      const buffer = orig(size, usage, mapped, reuse);
      this.owned.add(buffer);
      if (mapped) this.cpuWritten.add(buffer);
      return buffer;
    });
    let lastBindGroup: any = null;
    let lastBuffers: any[] = [];
    wrap(b.device, 'createBindGroup', (orig) => (desc: any) => {
      lastBindGroup = orig(desc);
      lastBuffers = desc.entries.map((e: any) => e.resource?.buffer).filter(Boolean);
      return lastBindGroup;
    });
    wrap(b.queue, 'writeBuffer', (orig) => (buffer: any, offset: number, data: any, dataOffset = 0, size?: number) => {
      this.signature.push(`w${buffer.size}:${hashBytes(bytesOf(data, dataOffset, size))}`);
      if (!this.owned.has(buffer)) this.refuse('a CPU write into a buffer the step does not own');
      return orig(buffer, offset, data, dataOffset, size);
    });
    wrap(b, 'uploadToGPU', (orig) => (dataId: object) => {
      const d = b.tensorMap.get(dataId);
      if (d && d.resource == null && d.values != null) this.signature.push(`u:${hashBytes(bytesOf(d.values))}`);
      return orig(dataId);
    });
    wrap(b, 'recordAndSubmit', (orig) => (program: any, output: any, inputs: any[], uniforms?: any[]) => {
      lastBindGroup = null;
      orig(program, output, inputs, uniforms);
      if (!lastBindGroup) return this.refuse(`program ${program.shaderKey} made no bind group`);
      const dims: [number, number, number] = [program.dispatch[0], program.dispatch[1] ?? 1, program.dispatch[2] ?? 1];
      this.dispatches.push({ pipeline: program.pipeline, bindGroup: lastBindGroup, dims, name: String(program.shaderKey).split('_')[0] });
      this.signature.push(`d${pipelineId(program.pipeline)}:${dims.join(',')}`);
      for (const buf of lastBuffers) if (!this.owned.has(buf)) this.external.add(buf);
      // The output, and inputs a module of our own writes (it lists them: kernels/adam.ts), when not the step's own.
      const written = [output, ...((program.writesInputs as number[] | undefined) ?? []).map((i) => inputs[i])];
      for (const t of written) if (!this.owned.has(b.tensorMap.get(t.dataId)?.resource)) this.writtenInPlace.push(t.dataId);
    });
    for (const key of ['getBufferData', 'copyBuffer', 'readToGPU'] as const) {
      wrap(b, key, (orig) => (...args: any[]) => {
        this.refuse(`the step reads or copies GPU data itself (${key})`);
        return orig(...args);
      });
    }
    return () => undo.reverse().forEach((f) => f());
  }

  /** Gives every owned buffer back (those TF.js released go to its pool) and disposes the inputs and output. */
  dispose(): void {
    live = live.filter((r) => r !== this);
    const tensors = [...this.inputs, ...(this.output ? [this.output] : [])];
    this.output = null;
    // Owned buffers still held by live tensors (the output, or a constant the model cached) go back through TF.js.
    // Staging buffers were released by TF.js to be destroyed; the rest go back to its pool.
    for (const buf of this.releasedOwned) this.release(buf, (buf.usage & MAP_WRITE) === 0);
    this.owned.clear();
    this.releasedOwned.clear();
    this.freeForReuse.clear();
    this.external.clear();
    this.cpuWritten.clear();
    this.writtenInPlace.length = 0;
    for (const buf of this.readBuffers.splice(0)) buf.destroy();
    tf.dispose(tensors);
  }
}

/** A storage buffer that TF.js fills only from the GPU (not a uniform, an upload staging or a read buffer). */
function reusable(usage: number): boolean {
  return (usage & STORAGE) !== 0 && (usage & (UNIFORM | MAP_READ | MAP_WRITE)) === 0;
}

const pipelineIds = new WeakMap<object, number>();
let nextPipelineId = 1;
function pipelineId(p: object): number {
  let id = pipelineIds.get(p);
  if (id === undefined) pipelineIds.set(p, (id = nextPipelineId++));
  return id;
}

/** Submits whatever TF.js has encoded and not yet submitted. */
export function flush(b: Internals = tf.backend() as unknown as Internals): void {
  if (b.commandEncoder) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
}

function encodeDispatch(pass: any, d: Dispatch): void {
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, d.bindGroup);
  pass.dispatchWorkgroups(d.dims[0], d.dims[1], d.dims[2]);
}

/** A timestamp query set for n timed passes, resolved into a buffer read after the submit (ms per pass). */
function timestampKit(b: Internals, n: number) {
  const querySet = b.device.createQuerySet({ type: 'timestamp', count: 2 * n });
  const resolved = b.device.createBuffer({ size: 16 * n, usage: QUERY_RESOLVE | COPY_SRC });
  const readable = b.device.createBuffer({ size: 16 * n, usage: MAP_READ | COPY_DST });
  return {
    querySet,
    resolve(encoder: any) {
      encoder.resolveQuerySet(querySet, 0, 2 * n, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, readable, 0, 16 * n);
    },
    async read(): Promise<number[]> {
      await readable.mapAsync(MAP_READ);
      const t = new BigUint64Array(readable.getMappedRange().slice(0));
      readable.unmap();
      [querySet, resolved, readable].forEach((x) => x.destroy());
      return Array.from({ length: n }, (_, i) => Number(t[2 * i + 1] - t[2 * i]) / 1e6);
    },
  };
}

/** Who watches replays (the step profile): each replayed dispatch by program name, with its GPU ms when timed. */
export interface ReplayObserver {
  timed: boolean;
  replayed(dispatches: { name: string; ms: number | null }[]): void;
}
let observer: ReplayObserver | null = null;

/** Sets (or clears, with null) the replay observer; returns the one it replaces. */
export function observeReplays(o: ReplayObserver | null): ReplayObserver | null {
  const before = observer;
  observer = o;
  return before;
}
