import { useCallback, useEffect, useState } from 'react';
import type { BackendReport, BackendRequest } from '../engine/backendReport';
import { BackendBadge } from './BackendBadge';
import { backendFromQuery } from './state';
import { startTrainingWorker, type TrainingWorker } from './trainingWorker';

function setBackendInQuery(b: BackendRequest) {
  const url = new URL(window.location.href);
  if (b === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', b);
  window.history.replaceState(null, '', url);
}

export function App() {
  const [requested, setRequested] = useState<BackendRequest>(() => backendFromQuery(window.location.search));
  const [report, setReport] = useState<BackendReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, setWorker] = useState<TrainingWorker | null>(null);

  useEffect(() => {
    // A stale worker (StrictMode's double mount, or a backend switch) must not write into this one's state.
    let live = true;
    const w = startTrainingWorker(
      () => {},
      (why) => live && setError(why),
    );
    setWorker(w);
    setReport(null);
    setError(null);
    w.client.call('init', { backend: requested }).then(
      (r) => live && setReport(r),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
      w.terminate();
    };
  }, [requested]);

  const onRequest = useCallback((b: BackendRequest) => {
    setBackendInQuery(b);
    setRequested(b);
  }, []);

  return (
    <div className="app">
      <header className="top">
        <h1>OneRank Playground</h1>
        <BackendBadge report={report} error={error} requested={requested} onRequest={onRequest} />
      </header>
    </div>
  );
}
