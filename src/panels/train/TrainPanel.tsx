// "Train & compare": the settings of the next run (in the URL), play / pause / step / reset, the runs, and the
// live charts. Runs train in the worker; this panel only sends commands and draws what the run store holds.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApp } from '../../app/AppContext';
import { settingTooltip } from '../../app/glossary';
import { useDatasets } from '../../app/datasets';
import { datasetLabel, splitByDataset } from '../../app/runGroups';
import { describeChange, useRuns, type RunView } from '../../app/runs';
import type { BackendRequest } from '../../engine/backendReport';
import { configProblems, type Config } from '../../engine/config';
import { downloadBlob, downloadText } from '../../charts/exportChart';
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

const INTRO_KEY = 'onerank.intro';

/**
 * The first run a newcomer gets from one button: small enough that a curve moves within seconds on a CPU
 * (wasm) or a software GPU, large enough to learn the built-in world (its AUC climbs within the 200 steps).
 * Measured in Node on wasm (this 2-core box): world + encoding 1.6 s, one evaluation of the default 20%
 * validation share 1.9 s, a step 0.2 s; so a 10% share, evaluated every 20 steps, keeps evaluation from
 * holding the first curve back (an evaluation also runs when the run opens).
 */
export const QUICK_START: Partial<Config> = { d: 16, layers: 1, heads: 2, batchSize: 32, steps: 200, evalEvery: 20, probeEvery: 0, valFraction: 0.1 };

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
  const { datasets } = useDatasets();
  const [pausing, setPausing] = useState(false);
  // The intro stays above the first runs until the reader hides it (remembered in this browser).
  const [introHidden, setIntroHidden] = useState(() => localStorage.getItem(INTRO_KEY) === 'hidden');
  /** New runs made while others trained: each starts when nothing trains any more. */
  const [queue, setQueue] = useState<string[]>([]);
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
  // Charts show one dataset's runs (its tasks are the panels); runs of other datasets are listed, not drawn.
  const shownDataset = active?.dataset ?? state.dataset;
  const { shown: sameData, others: otherData } = useMemo(() => splitByDataset(runs, shownDataset), [runs, shownDataset]);
  const storedTasks = datasets?.find((d) => d.id === shownDataset)?.tasks;
  const tasksRaw = active?.tasks.length ? active.tasks : (sameData.find((r) => r.tasks.length)?.tasks ?? storedTasks ?? DEFAULT_TASKS);
  const problems = configProblems(state.config);
  const invalid = Object.values(problems).join('; ');
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
    if (invalid) throw new Error(`these settings cannot build a model: ${invalid}`);
    if (!active || !matchesActive) return [await api.createRun(state.config)];
    return group.filter((r) => r.status === 'idle' || r.status === 'training').map((r) => r.id);
  };

  const play = () =>
    guard('Training', async () => {
      if (active && matchesActive && (active.status === 'fault' || active.status === 'interrupted')) return api.resume(active.id);
      // While runs train, new settings make a run that waits its turn (one at a time keeps each one fast).
      if (training && (!active || !matchesActive)) {
        const [id] = await targetRuns();
        setQueue((q) => [...q, id]);
        return;
      }
      await api.train(await targetRuns());
    });
  const quickStart = () =>
    guard('Training', async () => {
      const config = { ...state.config, ...QUICK_START };
      setState((s) => ({ ...s, config, dataset: 'shop', shop: {} }));
      const id = await api.createRun(config, { name: 'first OneRank run', dataset: 'shop', shop: {} });
      await api.train([id]);
    });
  const pause = () => {
    setPausing(true);
    setQueue([]);
    void api.pause(group.map((r) => r.id)).finally(() => setPausing(false));
  };
  // The queue moves when nothing trains (and the user did not just pause).
  useEffect(() => {
    if (training || pausing || working !== null || queue.length === 0) return;
    const [next, ...rest] = queue;
    setQueue(rest);
    if (runs.some((r) => r.id === next)) void guard('Training', () => api.train([next]));
  }, [training, pausing, working, queue, runs, api, guard]);
  const step = () => guard('Step', async () => api.step(await targetRuns()));
  const reset = () => guard('Reset', async () => Promise.all(group.map((r) => api.reset(r.id))));
  // A comparison never touches the sidebar: it copies the selected run, which stays selected, so the next run
  // still trains with the settings on the left (and Play trains the base with its comparisons).
  const compare = (change: Partial<Config>) =>
    guard('Comparison', async () => {
      if (active) await api.compareRun(active.id, change);
    });
  const resume = (id: string, b?: BackendRequest) => guard('Resume', () => api.resume(id, b));
  const exportWeights = (id: string) =>
    guard('Weights export', async () => {
      const r = runs.find((x) => x.id === id);
      const file: WeightsFile = { ...(await api.exportWeights(id)), runName: r?.name };
      downloadText(JSON.stringify(file), `${fileSafe(r?.name ?? id)}.step${file.step ?? 0}.weights.json`, 'application/json');
    });
  const exportTorch = (id: string) =>
    guard('PyTorch export', async () => {
      const folder = `${fileSafe(runs.find((x) => x.id === id)?.name ?? id)}-pytorch`;
      downloadBlob(await api.exportTorch(id, folder), `${folder}.tar`);
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

  const visible = sameData.filter((r) => !hidden.has(r.id));
  const indexOf = (id: string) => runs.findIndex((r) => r.id === id);
  const toChart = (list: RunView[]): ChartRun[] => list.map((run) => ({ run, index: indexOf(run.id) }));
  // Each chart re-renders only when what it draws changed (step records arrive far more often than evals).
  const lossRuns = useStable(toChart(visible), visible.flatMap((r) => [r.id, r.name, r.color, r.history.steps, r.history.evals, indexOf(r.id)]));
  const evalRuns = useStable(toChart(visible), visible.flatMap((r) => [r.id, r.name, r.color, r.history.evals, indexOf(r.id)]));
  const probeRuns = useStable(toChart(visible), visible.flatMap((r) => [r.id, r.name, r.color, r.history.probes, indexOf(r.id)]));

  // While it trains: this session's speed and ETA. Stopped: the speed it last had, and no ETA (nothing is running).
  const rate = active ? throughput(active.history.steps, active.step, active.config.steps, active.status === 'training' ? active.trainingSince : 0) : null;
  const etaText = !active ? '-' : pausing ? 'pausing...' : active.status === 'training' ? formatDuration(rate?.etaSec ?? null) : active.step >= active.config.steps ? 'done' : `- (${active.status === 'idle' ? 'paused' : 'stopped'})`;
  const exportable = () => visible.map((r) => ({ ...r }));
  const lastStep = active?.history.steps[active.history.steps.length - 1];

  return (
    <div className="train-panel">
      <aside className="panel train-side">
        <div className="playback">
          <button
            type="button"
            data-testid="train-start"
            onClick={play}
            disabled={(working === 'Training' && training && matchesActive) || invalid !== ''}
            title={training && !matchesActive ? 'make a run with these settings; it starts when the runs now training stop' : 'train (the active run and its comparisons) up to the step budget'}
          >
            {training && active && !matchesActive ? '▶ Queue new run' : '▶ Play'}
          </button>
          <button type="button" data-testid="train-pause" data-pausing={pausing} onClick={pause} disabled={!training || pausing} title="stops after the step in flight; an evaluation due then waits for the next Play (same step, same weights)">
            {pausing ? '❚❚ Pausing...' : '❚❚ Pause'}
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
          <div data-testid="eta">ETA {etaText}</div>
          {lastStep && backend?.backend === 'webgpu' && (
            <div data-testid="step-path" data-replayed={lastStep.replayed ? 'true' : 'false'} title={settingTooltip('recordStep')}>
              {lastStep.replayed ? 'recorded step' : 'TF.js step'}
            </div>
          )}
        </div>
        <div className="note" data-testid="train-dataset" data-dataset={shownDataset}>
          Data: <strong>{datasetLabel(shownDataset, datasets)}</strong> ({tasks.join(', ')}){active ? '' : ' - change it in the Data tab'}
        </div>
        {queue.length > 0 && (
          <div className="note" data-testid="queued">
            {queue.length} run{queue.length === 1 ? '' : 's'} queued: {queue.length === 1 ? 'it starts' : 'they start'} when the runs now training stop.
          </div>
        )}
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
        {api.loaded && (runs.length === 0 || !introHidden) && (
          <div className="panel intro" data-testid="intro">
            {runs.length > 0 && (
              <button type="button" className="intro-hide" data-testid="intro-hide" onClick={() => (localStorage.setItem(INTRO_KEY, 'hidden'), setIntroHidden(true))}>
                hide
              </button>
            )}
            <strong>OneRank</strong> ranks the items a shop could show a user with one Transformer that predicts every task at once (here: will
            they click, add to cart, order?). Each candidate item gets one token per task, and the tasks read each other through cross-task
            attention. This page trains it right here in your browser on a small built-in shop world (500 users with their histories, 3,000
            requests of 10 candidate items each), and shows how each task learns. Nothing leaves your machine.
            {runs.length === 0 && (
              <div>
                <button type="button" className="intro-start" data-testid="quick-start" onClick={quickStart} disabled={working !== null}>
                  ▶ Train a small OneRank now
                </button>{' '}
                <span className="note">d 16, 1 layer, 200 steps; or set your own on the left and press Play.</span>
              </div>
            )}
          </div>
        )}
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
            datasetName={(id) => datasetLabel(id, datasets)}
            drawnDataset={shownDataset}
            activeRunId={activeRunId}
            hidden={hidden}
            onSelect={select}
            onToggleShown={(id) => setHidden((h) => (h.has(id) ? new Set([...h].filter((x) => x !== id)) : new Set([...h, id])))}
            onRename={api.renameRun}
            onDelete={(id) => void guard('Delete', () => api.deleteRun(id))}
            onResume={(id, b) => void resume(id, b)}
            onExportWeights={(id) => void exportWeights(id)}
            onExportTorch={(id) => void exportTorch(id)}
            onImportWeights={(id, f) => void importWeights(id, f)}
          />
          <CompareForm base={active} dataset={state.dataset} onCompare={(c) => void compare(c)} />
        </div>
        {otherData.length > 0 && (
          <div className="note" data-testid="other-dataset-runs" data-count={otherData.length}>
            Charts show the runs on {datasetLabel(shownDataset, datasets)}. Not drawn here: {otherData.length} run{otherData.length === 1 ? '' : 's'} on{' '}
            {[...new Set(otherData.map((r) => datasetLabel(r.dataset, datasets)))].join(', ')} (other tasks); select one to see its charts.
          </div>
        )}
        {sameData.length > 0 && (
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
