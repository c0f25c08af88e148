// The page's view of the stored datasets: one shared list that every panel can read (the dataset list, the
// training workspace's dataset picker), refreshed whenever any page or worker saves or deletes one.
import { useCallback, useEffect, useState } from 'react';
import { DATASETS_CHANNEL, deleteDataset, listDatasets, type StoredDatasetInfo } from '../storage/datasetStore';

/** The id of the built-in synthetic world in state.dataset. */
export const SHOP_DATASET_ID = 'shop';

export interface DatasetsView {
  /** null until the first read finishes. */
  datasets: StoredDatasetInfo[] | null;
  /** Why the list could not be read (IndexedDB unavailable, e.g. some private modes). */
  error: string | null;
  refresh(): void;
  remove(id: string): Promise<void>;
}

const localListeners = new Set<() => void>();

/** Tells every useDatasets() on this page to re-read (other pages and workers hear the BroadcastChannel). */
export function datasetsChanged(): void {
  localListeners.forEach((fn) => fn());
}

export function useDatasets(): DatasetsView {
  const [datasets, setDatasets] = useState<StoredDatasetInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    listDatasets().then(
      (list) => {
        setDatasets(list);
        setError(null);
      },
      (e: unknown) => setError(`Stored datasets could not be read: ${e instanceof Error ? e.message : String(e)}`),
    );
  }, []);

  useEffect(() => {
    refresh();
    localListeners.add(refresh);
    const ch = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(DATASETS_CHANNEL) : null;
    ch?.addEventListener('message', refresh);
    return () => {
      localListeners.delete(refresh);
      ch?.close();
    };
  }, [refresh]);

  const remove = useCallback(async (id: string) => {
    await deleteDataset(id);
    datasetsChanged();
  }, []);

  return { datasets, error, refresh, remove };
}
