// Uploaded datasets in IndexedDB: a small info record per dataset (what the list shows) and, in a separate
// store, the encoded arrays (what training loads). Both are written in one transaction, so a dataset is
// either fully there or not at all. Works the same from the page and from workers: the parsing worker saves,
// the training worker loads, the page lists and deletes.
import type { EncodedDataset } from '../engine/data/types';
import type { DatasetSchema } from '../engine/data/schema';
import type { EncodeOptions } from '../engine/data/encode';
import type { DatasetSummary } from '../engine/data/summary';
import { formatBytes } from '../engine/data/parse';
import { db, type StoredDatasetInfo } from './db';

export type { StoredDatasetInfo } from './db';

/** What StoredDatasetInfo.schema holds for datasets saved here: how the file was read and encoded. */
export interface StoredLoadRecipe {
  schema: DatasetSchema;
  options: EncodeOptions;
  /** The uploaded file's size in bytes (compressed size for .gz). */
  fileBytes: number;
  delimiter: string;
  gzip: boolean;
  /** Ragged rows dropped on the user's request. */
  skippedRows: number;
}

export interface SaveDatasetInput {
  name: string;
  fileName: string;
  recipe: StoredLoadRecipe;
  summary: DatasetSummary;
}

/** Every page and worker hears about saves and deletes here (BroadcastChannel reaches other tabs too). */
export const DATASETS_CHANNEL = 'onerank-datasets';

function announce(): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const ch = new BroadcastChannel(DATASETS_CHANNEL);
  ch.postMessage('changed');
  ch.close();
}

/** Bytes held by the dataset's typed arrays (what it occupies in storage, roughly). */
export function arrayBytes(ds: EncodedDataset): number {
  let n = 0;
  for (const v of Object.values(ds)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  return n;
}

function newId(): string {
  const rand = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID().slice(0, 8) : Math.random().toString(36).slice(2, 10);
  return `u-${Date.now().toString(36)}-${rand}`;
}

export async function saveDataset(input: SaveDatasetInput, dataset: EncodedDataset): Promise<StoredDatasetInfo> {
  const info: StoredDatasetInfo = {
    id: newId(),
    name: input.name,
    fileName: input.fileName,
    rows: input.summary.rows,
    requests: input.summary.requests,
    tasks: [...dataset.tasks],
    sizeBytes: arrayBytes(dataset),
    createdAt: Date.now(),
    schema: input.recipe,
    summary: input.summary,
  };
  const d = await db();
  const tx = d.transaction(['datasets', 'datasetArrays'], 'readwrite');
  try {
    await Promise.all([tx.objectStore('datasetArrays').put({ id: info.id, dataset }), tx.objectStore('datasets').put(info), tx.done]);
  } catch (e) {
    // The browser's own error says only "QuotaExceededError" (Chromium: with no message at all).
    if ((e as { name?: string } | null)?.name === 'QuotaExceededError')
      throw new Error(
        `The browser's storage for this site is full: '${input.fileName}' needs about ${formatBytes(info.sizeBytes)}. Delete datasets or runs you no longer need (Data tab, Train tab), or allow this site more storage, then load the file again.`,
      );
    throw e;
  }
  announce();
  return info;
}

/** Newest first. */
export async function listDatasets(): Promise<StoredDatasetInfo[]> {
  const all = await (await db()).getAll('datasets');
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export async function getDatasetInfo(id: string): Promise<StoredDatasetInfo | undefined> {
  return (await db()).get('datasets', id);
}

/** The encoded arrays of a stored dataset, as saved (typed arrays come back as typed arrays). */
export async function loadStoredDataset(id: string): Promise<EncodedDataset> {
  const rec = await (await db()).get('datasetArrays', id);
  if (!rec) throw new Error(`Dataset '${id}' is not stored in this browser (it was deleted, or the link came from another machine). Choose another dataset in the Data tab.`);
  return rec.dataset as EncodedDataset;
}

export async function deleteDataset(id: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(['datasets', 'datasetArrays'], 'readwrite');
  await Promise.all([tx.objectStore('datasets').delete(id), tx.objectStore('datasetArrays').delete(id), tx.done]);
  announce();
}

/** The recipe and summary of an info record, typed (they are stored opaque in db.ts). */
export function recipeOf(info: StoredDatasetInfo): StoredLoadRecipe {
  return info.schema as StoredLoadRecipe;
}
export function summaryOf(info: StoredDatasetInfo): DatasetSummary {
  return info.summary as DatasetSummary;
}
