// The seesaw views: (a) each task against its own best so far, (b) a two-task plane with every run's
// trajectory and the Pareto front across runs, (c) gradient conflict and gradient flow into each h_j.
import { memo, useMemo, useState } from 'react';
import { ChartFrame, type LegendItem, type SeriesSummary } from '../../charts/ChartFrame';
import { drawnPoints } from '../../charts/downsample';
import { PlaneChart, type Trajectory } from '../../charts/PlaneChart';
import { SeriesChart, type Series } from '../../charts/SeriesChart';
import { flowPoints, METRIC_LABEL, pairCosinePoints, planePoints, relativePoints, TASK_COLORS, taskPairs } from './series';
import { runLegend, type ChartRun } from './TrainCharts';

type Metric = 'auc' | 'gauc';

/** Seesaw (a) is <= 0 by construction: show 0 at the top and at least a little room below. */
const RELATIVE_DOMAIN: [(v: number) => number, number] = [(min: number) => Math.min(min * 1.1, -0.01), 0];
const COSINE_DOMAIN: [number, number] = [-1, 1];

const summaryOf = (id: string, s: { label: string; points: readonly { x: number; y: number }[] }): SeriesSummary => ({
  id,
  label: s.label,
  points: s.points.length,
  drawn: drawnPoints(s.points).length,
});

function MetricPick({ value, onChange, testId }: { value: Metric; onChange: (m: Metric) => void; testId: string }) {
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as Metric)}>
      <option value="auc">AUC</option>
      <option value="gauc">GAUC</option>
    </select>
  );
}

export const SeesawCharts = memo(function SeesawCharts({ runs, tasks }: { runs: ChartRun[]; tasks: string[] }) {
  const [metric, setMetric] = useState<Metric>('auc');
  const [taskA, setTaskA] = useState(0);
  const [taskB, setTaskB] = useState(Math.min(2, tasks.length - 1));
  const a = Math.min(taskA, tasks.length - 1);
  const b = Math.min(taskB, tasks.length - 1);

  // (a): one line per task, colored by task; runs after the first are dashed, named in the legend.
  const relative = useMemo(() => {
    const series: Series[] = [];
    const summary: SeriesSummary[] = [];
    runs.forEach(({ run, index }, i) =>
      tasks.forEach((t, k) => {
        const s: Series = { id: `r${index}-t${k}-rel`, label: `${t} (${run.name})`, color: TASK_COLORS[k % TASK_COLORS.length], points: relativePoints(run.history.evals, k, metric), dashed: i > 0 };
        series.push(s);
        summary.push(summaryOf(`${run.id}:${t}:relative`, s));
      }),
    );
    return { series, summary };
  }, [runs, tasks, metric]);

  const plane = useMemo(() => {
    const trajectories: Trajectory[] = runs.map(({ run, index }) => ({ id: `r${index}-plane`, label: run.name, color: run.color, points: planePoints(run.history.evals, a, b, metric) }));
    return { trajectories, summary: trajectories.map((t, i) => summaryOf(`${runs[i].run.id}:plane`, t)) };
  }, [runs, a, b, metric]);

  const legend: LegendItem[] = useMemo(
    () => [
      ...tasks.map((t, k) => ({ label: `${t} (left chart)`, color: TASK_COLORS[k % TASK_COLORS.length], group: 'tasks' as const })),
      ...runs.map(({ run }) => ({ label: `${run.name} (right chart)`, color: run.color, group: 'runs' as const })),
      ...runs.map(({ run }, i) => ({ label: `left chart: ${run.name}`, color: '#5b6478', dashed: i > 0, group: 'lines' as const })),
      { label: 'Pareto front (all runs)', color: '#1c2333', dashed: true, group: 'lines' as const },
    ],
    [tasks, runs],
  );

  const taskSelect = (value: number, set: (k: number) => void, testId: string) => (
    <select data-testid={testId} value={value} onChange={(e) => set(Number(e.target.value))}>
      {tasks.map((t, k) => (
        <option key={t} value={k}>
          {t}
        </option>
      ))}
    </select>
  );

  return (
    <ChartFrame
      testId="seesaw-chart"
      title="Seesaw"
      term="seesaw"
      fileStem="seesaw"
      summary={[...relative.summary, ...plane.summary]}
      legend={legend}
      controls={<MetricPick value={metric} onChange={setMetric} testId="seesaw-metric" />}
      help={`Left: each task's validation ${METRIC_LABEL[metric]} minus its own best so far (0 = at its best). One task falling while another is at 0 is the seesaw. Right: two tasks against each other; each run's trajectory and the Pareto front across all runs.`}
    >
      <div className="seesaw-grid">
        <SeriesChart title={`${METRIC_LABEL[metric]} - best so far`} series={relative.series} yDomain={RELATIVE_DOMAIN} height={280} />
        <div>
          <div className="series-chart-title">
            plane: {taskSelect(a, setTaskA, 'seesaw-task-a')} vs {taskSelect(b, setTaskB, 'seesaw-task-b')}
          </div>
          <PlaneChart trajectories={plane.trajectories} xLabel={`${tasks[a]} ${METRIC_LABEL[metric]}`} yLabel={`${tasks[b]} ${METRIC_LABEL[metric]}`} />
        </div>
      </div>
    </ChartFrame>
  );
});

export const GradConflictChart = memo(function GradConflictChart({ runs, tasks }: { runs: ChartRun[]; tasks: string[] }) {
  const pairs = useMemo(() => taskPairs(tasks.length), [tasks.length]);
  const built = useMemo(() => {
    const summary: SeriesSummary[] = [];
    const cosine = pairs.map(([p, q]) =>
      runs.map(({ run, index }) => {
        const s: Series = { id: `r${index}-p${p}${q}-cos`, label: run.name, color: run.color, points: pairCosinePoints(run.history.probes, p, q) };
        summary.push(summaryOf(`${run.id}:${tasks[p]}|${tasks[q]}:cosine`, s));
        return s;
      }),
    );
    const flow = tasks.map((t, j) =>
      runs.flatMap(({ run, index }) => {
        const own: Series = { id: `r${index}-h${j}-own`, label: `${run.name}: own loss`, color: run.color, points: flowPoints(run.history.probes, j, 'own') };
        const others: Series = { id: `r${index}-h${j}-others`, label: `${run.name}: from other tasks`, color: run.color, points: flowPoints(run.history.probes, j, 'others'), dashed: true };
        summary.push(summaryOf(`${run.id}:${t}:flow-own`, own), summaryOf(`${run.id}:${t}:flow-others`, others));
        return [own, others];
      }),
    );
    return { cosine, flow, summary };
  }, [runs, tasks, pairs]);
  const anyProbes = runs.some((r) => r.run.history.probes.length > 0);
  return (
    <ChartFrame
      testId="grad-conflict-chart"
      title="Gradient conflict and flow"
      fileStem="gradients"
      summary={built.summary}
      legend={useMemo(() => runLegend(runs, 'into h_j from its own loss', 'into h_j from the other tasks'), [runs])}
      help="Top: cosine between two tasks' gradients on the shared trunk (below 0 = they pull the shared weights apart). Bottom: gradient reaching each task channel h_j from its own loss (solid) and from the other tasks' losses (dashed; exactly 0 with cross-task detachment). Probed every probeEvery steps on a fixed batch."
    >
      {!anyProbes && <div className="note">No probes yet (probeEvery = 0 turns them off).</div>}
      <div className="small-multiples">
        {pairs.map(([p, q], i) => (
          <SeriesChart key={`${p}-${q}`} title={`cos(${tasks[p]}, ${tasks[q]})`} series={built.cosine[i]} yDomain={COSINE_DOMAIN} height={170} />
        ))}
      </div>
      <div className="small-multiples">
        {tasks.map((t, j) => (
          <SeriesChart key={t} title={`gradient into h_${t}`} series={built.flow[j]} height={170} />
        ))}
      </div>
    </ChartFrame>
  );
});
