import { useCallback, useEffect, useMemo, useState, type ComponentType } from 'react';
import type { BackendReport, BackendRequest } from '../engine/backendReport';
import { DatasetPanel } from '../panels/dataset/DatasetPanel';
import { DemosPanel } from '../panels/demos/DemosPanel';
import { InspectPanel } from '../panels/inspect/InspectPanel';
import { TrainPanel } from '../panels/train/TrainPanel';
import { PanelVisibleContext } from './visibility';
import { AppContext, type AppContextValue } from './AppContext';
import { BackendBadge } from './BackendBadge';
import { Glossary } from './Glossary';
import { RunsProvider } from './runs';
import { TABS, backendFromQuery, stateFromHash, stateToHash, type AppState, type Tab } from './state';
import { startTrainingWorker, type TrainingWorker } from './trainingWorker';

const TAB_LABELS: Record<Tab, string> = { data: 'Data', train: 'Train & compare', inspect: 'Look inside', demos: 'Guided demos' };
const TAB_PANELS: Record<Tab, ComponentType> = { data: DatasetPanel, train: TrainPanel, inspect: InspectPanel, demos: DemosPanel };

function setBackendInQuery(b: BackendRequest) {
  const url = new URL(window.location.href);
  if (b === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', b);
  window.history.replaceState(null, '', url);
}

export function App() {
  const [requested, setRequested] = useState<BackendRequest>(() => backendFromQuery(window.location.search));
  const [generation, setGeneration] = useState(0);
  const [report, setReport] = useState<BackendReport | null>(null);
  const [workerError, setWorkerError] = useState<string | null>(null);
  const [worker, setWorker] = useState<TrainingWorker | null>(null);
  const [initial] = useState(() => stateFromHash(window.location.hash));
  const [state, setStateRaw] = useState<AppState>(initial.state);

  const setState = useCallback((next: AppState | ((s: AppState) => AppState)) => {
    setStateRaw((s) => {
      const v = typeof next === 'function' ? next(s) : next;
      const hash = stateToHash(v);
      const url = new URL(window.location.href);
      url.hash = hash;
      window.history.replaceState(null, '', url);
      return v;
    });
  }, []);

  // Opening a link with a hash restores it; editing the hash by hand does too.
  useEffect(() => {
    const onHash = () => setStateRaw(stateFromHash(window.location.hash).state);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    // A stale worker (StrictMode's double mount, or a backend switch) must not write into this one's state.
    let live = true;
    const w = startTrainingWorker(
      () => {},
      (why) => {
        if (!live) return;
        setWorkerError(why);
        setWorker(null);
      },
    );
    setReport(null);
    setWorkerError(null);
    // The previous worker is gone (terminated below or dead): nobody may call it while the new one starts.
    setWorker(null);
    w.client.call('init', { backend: requested }).then(
      (r) => {
        if (!live) return;
        setReport(r);
        setWorker(w);
      },
      (e: Error) => live && setWorkerError(e.message),
    );
    return () => {
      live = false;
      w.terminate();
    };
  }, [requested, generation]);

  const restartWorker = useCallback((b?: BackendRequest) => {
    if (b) {
      setBackendInQuery(b);
      setRequested(b);
    }
    setGeneration((g) => g + 1);
  }, []);

  const ctx: AppContextValue = useMemo(
    () => ({ state, setState, worker, backend: report, backendRequest: requested, workerGeneration: generation, workerError, restartWorker }),
    [state, setState, worker, report, requested, generation, workerError, restartWorker],
  );

  return (
    <AppContext.Provider value={ctx}>
      {/* Runs live above the panels: training, inspection and demos all read the same runs. */}
      <RunsProvider>
        <div className="app">
          <header className="top">
            <div className="title">
              <h1>OneRank Playground</h1>
              <Glossary />
            </div>
            <BackendBadge report={report} error={workerError} requested={requested} onRequest={(b) => restartWorker(b)} />
          </header>
          {initial.problems.length > 0 && (
            <div className="error-box" data-testid="link-problems">
              Some settings in this link could not be used and were left at their defaults: {initial.problems.join('; ')}
            </div>
          )}
          <nav className="tabs" role="tablist">
            {TABS.map((t) => (
              <button key={t} role="tab" data-testid={`tab-${t}`} aria-selected={state.tab === t} onClick={() => setState((s) => ({ ...s, tab: t }))}>
                {TAB_LABELS[t]}
              </button>
            ))}
          </nav>
          {/* Panels stay mounted so charts and uploads keep their state when switching tabs; hidden ones rest (visibility.ts). */}
          {TABS.map((t) => {
            const Panel = TAB_PANELS[t];
            return (
              <section key={t} hidden={state.tab !== t}>
                <PanelVisibleContext.Provider value={state.tab === t}>
                  <Panel />
                </PanelVisibleContext.Provider>
              </section>
            );
          })}
        </div>
      </RunsProvider>
    </AppContext.Provider>
  );
}
