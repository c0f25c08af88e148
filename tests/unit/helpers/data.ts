// Small helpers for the data-layer tests: fixture files as Blobs, and catching a DataError.
import { openAsBlob } from 'node:fs';
import { resolve } from 'node:path';
import { DataError } from '../../../src/engine/data/errors';

export const FIXTURES = resolve(__dirname, '../../fixtures/data');
export const SHARED_DATA = resolve(__dirname, '../../../../shared/data');

export async function fixtureBlob(name: string): Promise<Blob> {
  return (await openAsBlob(resolve(FIXTURES, name))) as Blob;
}

export async function sharedBlob(path: string): Promise<Blob> {
  return (await openAsBlob(resolve(SHARED_DATA, path))) as Blob;
}

/** Runs fn and returns the DataError it throws (fails the test when it does not throw one). */
export async function dataErrorOf(fn: () => unknown): Promise<DataError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw new Error(`expected a DataError, got ${String(e)}`);
  }
  throw new Error('expected a DataError, but nothing was thrown');
}

/** A byte stream that delivers `bytes` in chunks of `size` (to exercise chunk boundaries). */
export function chunkedStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (at >= bytes.length) return ctl.close();
      ctl.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** ROC AUC (the engine's, ties averaged): re-exported so data tests score signal the way training does. */
export { auc } from '../../../src/engine/train/metrics';
