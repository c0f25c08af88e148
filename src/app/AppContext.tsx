// What every panel shares: the URL state, the training worker and its backend. Panels read this and send
// commands; they never touch TF.js themselves.
import { createContext, useContext } from 'react';
import type { BackendReport, BackendRequest } from '../engine/backendReport';
import type { AppState } from './state';
import type { TrainingWorker } from './trainingWorker';

export interface AppContextValue {
  state: AppState;
  /** Changes the state and writes it to the URL hash. */
  setState: (next: AppState | ((s: AppState) => AppState)) => void;
  /** null while the worker starts or after it died. */
  worker: TrainingWorker | null;
  backend: BackendReport | null;
  backendRequest: BackendRequest;
  /** Bumps whenever a new worker starts (backend switch, crash recovery): runs must be re-created there. */
  workerGeneration: number;
  /** Why the worker is gone, if it is. */
  workerError: string | null;
  /** Starts a fresh worker (optionally on another backend). */
  restartWorker: (backend?: BackendRequest) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside <AppContext>');
  return v;
}
