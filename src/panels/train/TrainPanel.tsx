// "Train & compare": the settings of the next run (in the URL), play / pause / step / reset, the runs, and the
// live charts. Runs train in the worker; this panel only sends commands and draws what the run store holds.
import { useCallback, useMemo, useState } from 'react';
import { useApp } from '../../app/AppContext';
import { describeChange, useRuns, type RunView } from '../../app/runs';
import type { BackendRequest } from '../../engine/backendReport';
import type { Config } from '../../engine/config';
import { downloadText } from '../../charts/exportChart';
import { datasetKey, parseDatasetKey, type WeightsFile } from '../../workers/runProtocol';
import { CompareForm } from './CompareForm';
import { ConfigControls } from './ConfigControls';
import { metricsCsv, metricsJson } from './exportMetrics';
import { RunList } from './RunList';
import { GradConflictChart, SeesawCharts } from './SeesawCharts';
import { formatDuration, throughput } from './series';
import { LossCharts, MetricCharts, MetricTable, type ChartRun } from './TrainCharts';
import { useStable } from './useStable';
import './train.css';

const CHART_VIEWS = [
  ['curves', 'Loss & metrics'],
  ['seesaw', 'Seesaw'],
  ['gradients', 'Gradient conflict'],
] as const;
type ChartView = (typeof CHART_VIEWS)[number][0];

/** The shop world's tasks, shown before any run told us its tasks. */
const DEFAULT_TASKS = ['click', 'cart', 'order'];

/** The runs that train together with `run`: its base and every comparison made from that base. */
export function groupOf(run: RunView, runs: RunView[]): RunView[] {
  const root = run.baseOf?.runId ?? run.id;
  return runs.filter((r) => r.id === root || r.baseOf?.runId === root);
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'run';
}

function sameConfig(a: Config, b: Config): boolean {
  return describeChange(a, b) === 'same config';
}

export function TrainPanel() {
  const { state, setState, worker, backend } = useApp();
  const api = useRuns();
  const { runs, activeRunId } = api;
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState<string | null>(null);
  const [view, setView] = useState<ChartView>('curves');
  const onConfig = useCallback((config: Config) => setState((s) => ({ ...s, config })), [setState]);

  const active = runs.find((r) => r.id === activeRunId) ?? null;
  const draftKey = datasetKey(state.dataset, state.shop, state.config);
  const matchesActive = active !== null && sameConfig(active.config, state.config) && active.datasetKey === draftKey;
  const group = useMemo(() => (active ? groupOf(active, runs) : []), [active, runs]);
  const training = runs.some((r) => r.status === 'training');
  const tasksRaw = active?.tasks.length ? active.tasks : (runs.find((r) => r.tasks.length)?.tasks ?? DEFAULT_TASKS);
  const tasks = useStable(tasksRaw, tasksRaw);

  const guard = useCallback(async (what: string, fn: () => Promise<unknown>) => {
    setError(null);
    setWorking(what);
    try {
      await fn();
    } catch (e) {
      setError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setWorking(null);
    }
  }, []);

  const select = useCallback(
    (id: string) => {
      const r = runs.find((x) => x.id === id);
      if (!r) return;
      api.setActiveRun(id);
      // The controls (and the URL) show the selected run's settings, so its link reproduces it.
      setState((s) => ({ ...s, config: { ...r.config }, dataset: r.dataset, shop: { ...r.shop } }));
    },
    [runs, api, setState],
  );

  /** The runs Play and Step act on; a new run when the settings differ from the active run's. */
  const targetRuns = async (): Promise<string[]> => {
    if (!active || !matchesActive) return [await api.createRun(state.config)];
    return group.filter((r) => r.status === 'idle' || r.status === 'training').map((r) => r.id);
  };

  const play = () =>
    guard('Training', async () => {
      if (active && matchesActive && (active.status === 'fault' || active.status === 'interrupted')) return api.resume(active.id);
      await api.train(await targetRuns());
    });
  const step = () => guard('Step', async () => api.step(await targetRuns()));
  const reset = () => guard('Reset', async () => Promise.all(group.map((r) => api.reset(r.id))));
  const compare = (change: Partial<Config>) =>
    guard('Comparison', async () => {
      if (!active) return;
      const base = active;
      // The comparison becomes the selected run: the controls and the URL show its settings (set first, so a
      // Play pressed while it is being built trains it rather than starting yet another run).
      setState((s) => ({ ...s, config: { ...base.config, ...change }, dataset: base.dataset, shop: { ...base.shop } }));
      const id = await api.compareRun(base.id, change);
      // Catch up with the base so the curves overlay from the start; if the base trains on, train along.
      if (base.step > 0) await api.train([id], base.step);
    });
  const resume = (id: string, b?: BackendRequest) => guard('Resume', () => api.resume(id, b));
  const exportWeights = (id: string) =>
    guard('Weights export', async () => {
      const r = runs.find((x) => x.id === id);
      const file: WeightsFile = { ...(await api.exportWeights(id)), runName: r?.name };
      downloadText(JSON.stringify(file), `${fileSafe(r?.name ?? id)}.step${file.step ?? 0}.weights.json`, 'application/json');
    });
  const readWeights = async (f: File): Promise<WeightsFile> => {
    let file: WeightsFile;
    try {
      file = JSON.parse(await f.text()) as WeightsFile;
    } catch {
      throw new Error(`${f.name} is not a JSON weights file`);
    }
    if (file?.format !== 'onerank-weights') throw new Error(`${f.name} is not a weights file exported from this playground`);
    return file;
  };
  const importWeights = (id: string, f: File) => guard('Weights import', async () => api.importWeights(id, await readWeights(f)));
  const importAsNewRun = (f: File) =>
    guard('Weights import', async () => {
      const file = await readWeights(f);
      const where = file.datasetKey ? parseDatasetKey(file.datasetKey) : { dataset: state.dataset, shop: state.shop };
      const id = await api.createRun(file.config, { name: `${file.runName ?? 'imported'} (imported)`, dataset: where.dataset, shop: where.shop });
      await api.importWeights(id, file);
      setState((s) => ({ ...s, config: { ...file.config }, dataset: where.dataset, shop: { ...where.shop } }));
    });

  const visible = runs.filter((r) => !hidden.has(r.id));
  const indexOf = (id: string) => runs.findIndex((r) => r.id === id);
  const toChart = (list: RunView[]): ChartRun[] => list.map((run) => ({ run, index: indexOf(run.id) }));
  // Each chart re-renders only when what it draws changed (step records arrive far more often than evals).
  const lossRuns = useStable(toChart(visible), visible.flatMap((r) => [r.id, r.name, r.color, r.history.steps, r.history.evals, indexOf(r.id)]));
  const evalRuns = useStable(toChart(visible), visible.flatMap((r) => [r.id, r.name, r.color, r.history.evals, indexOf(r.id)]));
  const probeRuns = useStable(toChart(visible), visible.flatMap((r) => [r.id, r.name, r.color, r.history.probes, indexOf(r.id)]));

  const rate = active ? throughput(active.history.steps, active.step, active.config.steps) : null;
  const exportable = () => visible.map((r) => ({ ...r }));

  return (
    <div className="train-panel">
      <aside className="panel train-side">
        <div className="playback">
          <button type="button" data-testid="train-start" onClick={play} disabled={working === 'Training' && training} title="train (the active run and its comparisons) up to the step budget">
            ▶ Play
          </button>
          <button type="button" data-testid="train-pause" onClick={api.pause} disabled={!training}>
            ❚❚ Pause
          </button>
          <button type="button" data-testid="train-step" onClick={step} disabled={training || working !== null}>
            +1 Step
          </button>
          <button type="button" data-testid="train-reset" onClick={reset} disabled={!active || training || working !== null}>
            ↺ Reset
          </button>
        </div>
        <div className="counters">
          <div>
            step <strong data-testid="step-counter">{active?.step ?? 0}</strong> / {active?.config.steps ?? state.config.steps}
          </div>
          <div data-testid="samples-per-sec">{rate?.samplesPerSec ? `${rate.samplesPerSec.toFixed(1)} requests/s` : '- requests/s'}</div>
          <div data-testid="eta">ETA {formatDuration(rate?.etaSec ?? null)}</div>
        </div>
        <div className="note">
          {!worker ? 'Starting the training worker...' : `Backend: ${backend?.backend ?? '?'}${backend?.adapter?.software ? ' (software adapter: slow)' : ''}`}
          {working && ` · ${working}...`}
        </div>
        {active && !matchesActive && (
          <div className="note changed" data-testid="settings-changed">
            Settings differ from the selected run ({active.datasetKey !== draftKey ? 'dataset or encoding' : describeChange(active.config, state.config)}): Play starts a new run.
          </div>
        )}
        {error && (
          <div className="error-box" data-testid="train-error">
            {error}
          </div>
        )}
        <ConfigControls config={state.config} tasks={tasks} onChange={onConfig} />
      </aside>
      <div className="train-main">
        <div className="panel">
          <div className="runs-head">
            <h2>Runs</h2>
            <div className="run-tools">
              <button type="button" data-testid="metrics-export-csv" onClick={() => downloadText(metricsCsv(exportable()), 'onerank-metrics.csv', 'text/csv')} disabled={visible.length === 0}>
                Metrics CSV
              </button>
              <button type="button" data-testid="metrics-export-json" onClick={() => downloadText(metricsJson(exportable()), 'onerank-runs.json', 'application/json')} disabled={visible.length === 0}>
                Runs JSON
              </button>
              <label className="file-button" title="create a run from a weights file, to inspect it without retraining">
                Import weights as a new run
                <input
                  type="file"
                  accept=".json,application/json"
                  data-testid="import-weights-new"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void importAsNewRun(f);
                    e.target.value = '';
                  }}
                />
              </label>
            </div>
          </div>
          <RunList
            runs={runs}
            activeRunId={activeRunId}
            hidden={hidden}
            onSelect={select}
            onToggleShown={(id) => setHidden((h) => (h.has(id) ? new Set([...h].filter((x) => x !== id)) : new Set([...h, id])))}
            onRename={api.renameRun}
            onDelete={(id) => void guard('Delete', () => api.deleteRun(id))}
            onResume={(id, b) => void resume(id, b)}
            onExportWeights={(id) => void exportWeights(id)}
            onImportWeights={(id, f) => void importWeights(id, f)}
          />
          <CompareForm base={active} onCompare={(c) => void compare(c)} />
        </div>
        {runs.length > 0 && (
          <div className="panel charts">
            {/* One view at a time: only the charts on screen are mounted and redrawn. */}
            <div className="chart-tabs" role="tablist">
              {CHART_VIEWS.map(([v, label]) => (
                <button key={v} type="button" role="tab" data-testid={`chart-view-${v}`} aria-selected={view === v} onClick={() => setView(v)}>
                  {label}
                </button>
              ))}
            </div>
            {view === 'curves' && (
              <>
                <LossCharts runs={lossRuns} tasks={tasks} />
                <MetricCharts runs={evalRuns} tasks={tasks} />
                <MetricTable runs={evalRuns} tasks={tasks} />
              </>
            )}
            {view === 'seesaw' && (
              <>
                <SeesawCharts runs={evalRuns} tasks={tasks} />
                <MetricTable runs={evalRuns} tasks={tasks} />
              </>
            )}
            {view === 'gradients' && <GradConflictChart runs={probeRuns} tasks={tasks} />}
          </div>
        )}
      </div>
    </div>
  );
}
