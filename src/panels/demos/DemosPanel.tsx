// Guided demos: each one sets up its world and runs in one click and trains them, with its text (goal, steps,
// what to expect) beside the live charts.
import { useState } from 'react';
import { useApp } from '../../app/AppContext';
import { useRuns, type RunView } from '../../app/runs';
import { architectureOf } from '../inspect/architecture';
import { SHOP_CONTEXT, SHOP_TASKS } from '../inspect/architecture';
import { GradFlowTable, useGradientFlow } from '../inspect/GradFlowView';
import { usePanelVisible } from '../../app/visibility';
import { Heatmap } from '../inspect/Heatmap';
import { AucChart, ResultsTable } from './DemoCharts';
import { DEMOS, demoRunPrefix, planDemo, type Demo } from './demos';
import { DemoWords } from './DemoText';
import '../inspect/inspect.css';

function RunGradFlow({ run, prefix }: { run: RunView; prefix: string }) {
  const { flow, error } = useGradientFlow(run.id, run.step);
  return (
    <div>
      <div className="note" style={{ color: run.color, fontWeight: 600 }}>
        {run.name.slice(prefix.length)}
      </div>
      {error ? <div className="error-box">{error}</div> : flow ? <GradFlowTable flow={flow} /> : <div className="note">Measuring...</div>}
    </div>
  );
}

function RunMask({ run, prefix }: { run: RunView; prefix: string }) {
  const { layout, mask, maskKind } = architectureOf(run.config, { tasks: run.tasks.length ? run.tasks : SHOP_TASKS, contextFeatures: SHOP_CONTEXT });
  const labels = layout.tokens.map((t) => t.label);
  return (
    <Heatmap
      map={{ title: `${run.name.slice(prefix.length)}: ${maskKind} mask`, rowAxis: 'query', colAxis: 'key', rows: labels, cols: labels, values: mask, mask }}
      testId="demo-mask"
      cell={Math.max(2, Math.floor(240 / layout.T))}
      labels={false}
      exportable={false}
    />
  );
}

function DemoCard({ demo }: { demo: Demo }) {
  const { state, worker } = useApp();
  const { runs, createRun, train, pause, deleteRun } = useRuns();
  const visible = usePanelVisible();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const prefix = demoRunPrefix(demo);
  const mine = runs.filter((r) => r.name.startsWith(prefix));
  const training = mine.some((r) => r.status === 'training');

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      for (const r of mine) await deleteRun(r.id);
      const ids: string[] = [];
      for (const p of planDemo(demo, state)) ids.push(await createRun(p.config, { name: p.name, dataset: 'shop', shop: p.shop }));
      setBusy(false);
      await train(ids);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const trainOn = () => train(mine.map((r) => r.id)).catch((e: Error) => setError(e.message));

  return (
    <article className="demo" data-testid={`demo-${demo.id}`} data-runs={mine.length} data-min-step={mine.length ? Math.min(...mine.map((r) => r.step)) : 0}>
      <h3>{demo.title}</h3>
      <div className="demo-body">
        <div className="demo-text">
          <DemoWords demo={demo} mine={mine} prefix={prefix} />
          <div className="inspect-controls">
            <button data-testid="demo-start" disabled={busy || !worker || training} onClick={() => void start()}>
              {mine.length ? 'Start over' : 'Set up and train'}
            </button>
            {mine.length > 0 && !training && (
              <button data-testid="demo-train" disabled={busy} onClick={() => void trainOn()}>
                Train on
              </button>
            )}
            {training && (
              <button data-testid="demo-pause" onClick={() => void pause()}>
                Pause
              </button>
            )}
            {busy && <span className="note">Setting up {demo.runs.length} runs...</span>}
          </div>
          {error && <div className="error-box">{error}</div>}
        </div>
        {mine.length > 0 && visible && (
          <div className="demo-charts">
            <div className="inspect-grid">
              {demo.chartTasks.map((t) => (
                <AucChart key={t} runs={mine} task={t} prefix={prefix} />
              ))}
            </div>
            <ResultsTable runs={mine} prefix={prefix} />
            {demo.view === 'grad-flow' && (
              <div className="inspect-grid" style={{ marginTop: 8 }}>
                {mine.map((r) => (
                  <RunGradFlow key={r.id} run={r} prefix={prefix} />
                ))}
              </div>
            )}
            {demo.view === 'mask' && (
              <div className="inspect-grid" style={{ marginTop: 8 }}>
                {mine.map((r) => (
                  <RunMask key={r.id} run={r} prefix={prefix} />
                ))}
              </div>
            )}
          </div>
        )}
      </div>
    </article>
  );
}

export function DemosPanel() {
  return (
    <div className="panel">
      <h2>Guided demos</h2>
      <p className="note">
        Each demo builds its world and its runs in one click and trains them side by side. A link that shrinks the model (d, layers, steps ...) or the shop
        world (requests, candidates ...) gives smaller, faster demos.
      </p>
      <div className="demo-list" data-testid="demo-list">
        {DEMOS.map((d) => (
          <DemoCard key={d.id} demo={d} />
        ))}
      </div>
    </div>
  );
}
