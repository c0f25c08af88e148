// Every run: its color, name (editable), what it differs in, status and step; select, show/hide in charts,
// resume after a fault, export/import its weights, delete.
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { BACKENDS, type BackendRequest } from '../../engine/backendReport';
import type { RunView } from '../../app/runs';
import { bestEvaluation, selectionScore } from '../../engine/train/checkpoint';

type Actions = Omit<Props, 'runs' | 'activeRunId' | 'hidden' | 'datasetName' | 'drawnDataset'>;

interface Props {
  runs: RunView[];
  activeRunId: string | null;
  hidden: Set<string>;
  /** A dataset id's name for people. */
  datasetName: (id: string) => string;
  /** The dataset whose runs the charts draw. */
  drawnDataset: string;
  onSelect: (id: string) => void;
  onToggleShown: (id: string) => void;
  onRename: (id: string, name: string) => void;
  onDelete: (id: string) => void;
  onResume: (id: string, backend?: BackendRequest) => void;
  onExportWeights: (id: string) => void;
  onExportTorch: (id: string) => void;
  onImportWeights: (id: string, file: File) => void;
}

const STATUS_TEXT: Record<RunView['status'], string> = { idle: 'ready', training: 'training', fault: 'stopped', interrupted: 'interrupted' };

const RunRow = memo(function RunRow({ run, active, shown, drawable, dataName, p }: { run: RunView; active: boolean; shown: boolean; drawable: boolean; dataName: string; p: Actions }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [backend, setBackend] = useState<BackendRequest | ''>('');
  const stopped = run.status === 'fault' || run.status === 'interrupted';
  return (
    <li className={`run-row${active ? ' active' : ''}`} data-testid="run-row" data-run={run.id} data-status={run.status} data-step={run.step} data-dataset={run.dataset} data-drawn={drawable && shown}>
      <div className="run-main">
        <input
          type="checkbox"
          title={drawable ? 'show in charts' : 'another dataset: select this run to see its charts'}
          checked={shown && drawable}
          disabled={!drawable}
          onChange={() => p.onToggleShown(run.id)}
          data-testid="run-shown"
        />
        <span className="swatch" style={{ background: run.color }} />
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              p.onRename(run.id, name);
              setEditing(false);
            }}
          >
            <input data-testid="run-name-input" value={name} autoFocus onChange={(e) => setName(e.target.value)} onBlur={() => (p.onRename(run.id, name), setEditing(false))} />
          </form>
        ) : (
          <button type="button" className="run-name" data-testid="run-name" onClick={() => p.onSelect(run.id)} onDoubleClick={() => (setName(run.name), setEditing(true))} title="click: select (loads its settings); double-click: rename">
            {run.name}
          </button>
        )}
        <span className={`run-status status-${run.status}`}>{STATUS_TEXT[run.status]}</span>
        <span className="note">step {run.step}</span>
      </div>
      <div className="run-meta note">
        {run.config.model}, seed {run.seed}, data: <span data-testid="run-dataset">{dataName}</span>
        {run.baseOf ? ` · compared with its base on: ${run.baseOf.change}` : ''}
        {run.savedStep !== null ? ` · weights saved at step ${run.savedStep}` : ''}
        {run.parameters !== null ? ` · ${run.parameters.toLocaleString()} parameters` : ''}
        <BestVsLast run={run} />
      </div>
      {run.error && (
        <div className={stopped ? 'error-box' : 'note'} data-testid="run-error">
          {run.error}
        </div>
      )}
      <div className="run-actions">
        {stopped && (
          <>
            <button type="button" data-testid="run-resume" onClick={() => p.onResume(run.id, backend || undefined)}>
              Resume
            </button>
            <label className="note">
              on{' '}
              <select data-testid="run-resume-backend" value={backend} onChange={(e) => setBackend(e.target.value as BackendRequest | '')}>
                <option value="">this backend</option>
                {BACKENDS.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <button type="button" onClick={() => (setName(run.name), setEditing(true))} data-testid="run-rename">
          Rename
        </button>
        <button type="button" data-testid="run-export-weights" onClick={() => p.onExportWeights(run.id)} title="download this run's model weights">
          Weights ↓
        </button>
        <button type="button" data-testid="run-export-torch" onClick={() => p.onExportTorch(run.id)} title="download this run as a PyTorch project (.tar): model, weights, data reader, multi-GPU training script">
          PyTorch ↓
        </button>
        <label className="file-button" title="load weights from a file into this run (same architecture)">
          Weights ↑
          <input
            type="file"
            accept=".json,application/json"
            data-testid="run-import-weights"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) p.onImportWeights(run.id, f);
              e.target.value = '';
            }}
          />
        </label>
        {confirmDelete ? (
          <>
            <button type="button" className="danger" data-testid="run-delete-confirm" onClick={() => p.onDelete(run.id)}>
              Delete for good
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" data-testid="run-delete" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
});

/** ' · AUC last 0.81 (step 300), best 0.83 (step 150)': the mean AUC (or bestBy's task) at the last and best evaluations. */
function BestVsLast({ run }: { run: RunView }) {
  const evals = run.history.evals;
  const last = evals.at(-1);
  const best = bestEvaluation(evals, run.config.bestBy ?? '');
  if (!last || !best) return null;
  const by = run.config.bestBy ?? '';
  const f = (e: typeof last) => selectionScore(e.tasks, by).toFixed(3);
  return (
    <span data-testid="run-best" data-best-step={best.step} data-last-step={last.step}>
      {` · ${by === '' ? 'mean AUC' : `${by} AUC`} last ${f(last)} (step ${last.step}), best ${f(best)} (step ${best.step})`}
    </span>
  );
}

export function RunList(p: Props) {
  // While a run trains, only its row re-renders on each update: the rows' handlers are one stable object that
  // calls whatever the latest props hold (handlers only run after a commit, when the layout effect has run).
  const latest = useRef(p);
  useLayoutEffect(() => {
    latest.current = p;
  });
  const actions: Actions = useMemo(
    () => ({
      onSelect: (id) => latest.current.onSelect(id),
      onToggleShown: (id) => latest.current.onToggleShown(id),
      onRename: (id, name) => latest.current.onRename(id, name),
      onDelete: (id) => latest.current.onDelete(id),
      onResume: (id, b) => latest.current.onResume(id, b),
      onExportWeights: (id) => latest.current.onExportWeights(id),
      onExportTorch: (id) => latest.current.onExportTorch(id),
      onImportWeights: (id, f) => latest.current.onImportWeights(id, f),
    }),
    [],
  );
  if (p.runs.length === 0) return <p className="note">No runs yet. Press play to train one with the settings on the left.</p>;
  // Grouped by dataset, the drawn dataset first: runs of different datasets have different tasks.
  const ids = [...new Set([p.drawnDataset, ...p.runs.map((r) => r.dataset)])].filter((d) => p.runs.some((r) => r.dataset === d));
  return (
    <div data-testid="run-list">
      {ids.map((d) => (
        <div key={d} className="run-group" data-testid="run-group" data-dataset={d}>
          {ids.length > 1 && (
            <h3 className="run-group-head">
              {p.datasetName(d)}
              {d === p.drawnDataset ? ' (drawn in the charts)' : ' (listed only: select a run to draw its dataset)'}
            </h3>
          )}
          <ul className="run-list">
            {p.runs
              .filter((r) => r.dataset === d)
              .map((r) => (
                <RunRow key={r.id} run={r} active={r.id === p.activeRunId} shown={!p.hidden.has(r.id)} drawable={d === p.drawnDataset} dataName={p.datasetName(d)} p={actions} />
              ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
