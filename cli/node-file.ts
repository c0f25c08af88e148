// Node-side helpers for the data CLI commands: a file on disk as a Blob (streamed by the same parser the
// browser uses), and a schema JSON file checked with the same validator as the app's schema table.
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { validateSchema, type DatasetSchema } from '../src/engine/data/schema';

/** The file as a Blob backed by the disk (not read into memory up front). */
export async function openFileAsBlob(path: string): Promise<Blob> {
  return (await openAsBlob(path)) as Blob;
}

export async function readSchemaFile(path: string): Promise<DatasetSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${basename(path)}: not valid JSON (${(e as Error).message})`);
  }
  return validateSchema(raw, undefined, basename(path));
}

/**
 * Waits until everything written to stdout and stderr has reached the OS. Writes to a pipe are asynchronous in
 * Node, and process.exit() drops what is still queued: a large JSON piped into another program would stop midway.
 */
export async function flushStdio(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          const done = () => (stream.writableLength > 0 ? stream.once('drain', done) : resolve());
          stream.write('', done);
        }),
    ),
  );
}
