// The live charts beside a demo's text: validation AUC per task over steps (one line per run), and the latest
// numbers as a table. The AUC axis zooms on the effect a demo teaches (a dip of 0.03 late in training): it follows
// the evaluations after the first third of the steps, with the full range one click away.
import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunView } from '../../app/runs';
import { yDomainOf, type YAxisOptions } from '../../charts/scale';

/** Where a demo's effect shows: after the first third of training (the climb from 0.5 would flatten it). */
export const DEMO_ZOOM: YAxisOptions = { follow: true, skip: 1 / 3, clamp: [0, 1], minSpan: 0.04 };

export function aucSeries(run: RunView, task: string): { step: number; auc: number }[] {
  return run.history.evals.flatMap((e) => {
    const t = e.tasks.find((x) => x.task === task);
    return t && Number.isFinite(t.auc) ? [{ step: e.step, auc: t.auc }] : [];
  });
}

export function AucChart({ runs, task, prefix }: { runs: RunView[]; task: string; prefix: string }) {
  const [full, setFull] = useState(false);
  const series = runs.map((r) => aucSeries(r, task));
  const key = JSON.stringify(series);
  const domain = useMemo(() => {
    const pts = (JSON.parse(key) as { step: number; auc: number }[][]).map((s) => s.map((p) => ({ x: p.step, y: p.auc })));
    return yDomainOf(pts, full ? { clamp: [0, 1], minSpan: 0.04 } : DEMO_ZOOM);
  }, [key, full]);
  return (
    <div data-testid="demo-chart" data-task={task} data-y-domain={domain.map((v) => v.toFixed(3)).join(',')}>
      <div className="note">
        validation AUC: {task}{' '}
        <button type="button" className="demo-zoom" data-testid="demo-zoom" onClick={() => setFull((f) => !f)} title="the axis zooms on the later steps, where the effect shows">
          {full ? 'zoom on the effect' : 'full range'}
        </button>
      </div>
      <LineChart width={400} height={200} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#dfe3ec" />
        <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDuplicatedCategory={false} fontSize={11} />
        <YAxis domain={domain} allowDataOverflow type="number" fontSize={11} width={44} tickFormatter={(v: number) => v.toFixed(2)} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(s) => `step ${s}`} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {runs.map((r, i) => (
          <Line
            key={r.id}
            data={series[i]}
            dataKey="auc"
            name={r.name.slice(prefix.length)}
            stroke={r.color}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </div>
  );
}

export function ResultsTable({ runs, prefix }: { runs: RunView[]; prefix: string }) {
  const tasks = runs.find((r) => r.tasks.length)?.tasks ?? [];
  return (
    <table data-testid="demo-results">
      <thead>
        <tr>
          <th>run</th>
          <th>step</th>
          {tasks.map((t) => (
            <th key={t}>AUC {t}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => {
          const last = r.history.evals.at(-1);
          return (
            <tr key={r.id} data-testid="demo-result-row" data-step={r.step}>
              <td style={{ color: r.color, fontWeight: 600 }}>{r.name.slice(prefix.length)}</td>
              <td>{r.step}</td>
              {tasks.map((t) => {
                const v = last?.tasks.find((x) => x.task === t)?.auc;
                return <td key={t}>{v === undefined ? '-' : v.toFixed(3)}</td>;
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
