// The browser's IndexedDB, opened the same way from the page and from workers (through `idb`, which turns
// IndexedDB's request/event API into promises and gives the stores types).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** Stored description of one uploaded dataset (the list shows these without loading the arrays). */
export interface StoredDatasetInfo {
  id: string;
  name: string;
  fileName: string;
  rows: number;
  requests: number;
  tasks: string[];
  sizeBytes: number;
  createdAt: number;
  /** JSON of the data layer's schema and summary (kept opaque here so storage does not depend on them). */
  schema: unknown;
  summary: unknown;
}

export interface PlaygroundDB extends DBSchema {
  datasets: { key: string; value: StoredDatasetInfo };
  /** The encoded dataset (typed arrays are stored as-is by structured clone). */
  datasetArrays: { key: string; value: { id: string; dataset: unknown } };
  /** Runs: config, seed, dataset id, metric history (owned by the workspace). */
  runs: { key: string; value: { id: string } & Record<string, unknown> };
  /** Last good weights per run. */
  weights: { key: string; value: { id: string; file: unknown; recent?: unknown } };
}

export const DB_NAME = 'onerank-playground';
const DB_VERSION = 1;

let dbPromise: Promise<IDBPDatabase<PlaygroundDB>> | null = null;

export function db(): Promise<IDBPDatabase<PlaygroundDB>> {
  dbPromise ??= openDB<PlaygroundDB>(DB_NAME, DB_VERSION, {
    upgrade(d) {
      d.createObjectStore('datasets', { keyPath: 'id' });
      d.createObjectStore('datasetArrays', { keyPath: 'id' });
      d.createObjectStore('runs', { keyPath: 'id' });
      d.createObjectStore('weights', { keyPath: 'id' });
    },
  });
  return dbPromise;
}
