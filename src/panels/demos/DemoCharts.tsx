// The live charts beside a demo's text: validation AUC per task over steps (one line per run), and the latest
// numbers as a table.
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunView } from '../../app/runs';

export function aucSeries(run: RunView, task: string): { step: number; auc: number }[] {
  return run.history.evals.flatMap((e) => {
    const t = e.tasks.find((x) => x.task === task);
    return t && Number.isFinite(t.auc) ? [{ step: e.step, auc: t.auc }] : [];
  });
}

export function AucChart({ runs, task, prefix }: { runs: RunView[]; task: string; prefix: string }) {
  return (
    <div data-testid="demo-chart" data-task={task}>
      <div className="note">validation AUC: {task}</div>
      <LineChart width={400} height={200} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#dfe3ec" />
        <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDuplicatedCategory={false} fontSize={11} />
        <YAxis domain={['auto', 'auto']} fontSize={11} width={44} tickFormatter={(v: number) => v.toFixed(2)} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(s) => `step ${s}`} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {runs.map((r) => (
          <Line
            key={r.id}
            data={aucSeries(r, task)}
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
