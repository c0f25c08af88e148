// The live training charts: per-task training and validation loss, per-task AUC and GAUC (one small chart per
// task, one color per run), and the per-task table of the latest validation metrics.
import { memo, useMemo, useState } from 'react';
import type { RunView } from '../../app/runs';
import { bestEvaluation } from '../../engine/train/checkpoint';
import { ChartFrame, type LegendItem, type SeriesSummary } from '../../charts/ChartFrame';
import { drawnPoints } from '../../charts/downsample';
import { SeriesChart, type Series } from '../../charts/SeriesChart';
import type { YAxisOptions } from '../../charts/scale';
import type { EvalRecord } from '../../workers/runProtocol';

/** AUC and GAUC live in [0, 1]; a range narrower than 0.05 would blow noise up to fill the chart. */
export const AUC_AXIS: YAxisOptions = { clamp: [0, 1], minSpan: 0.05 };
import { evalPoints, smoothed, trainLossPoints } from './series';

export interface ChartRun {
  run: RunView;
  /** Index among all runs (stable CSS-safe id part). */
  index: number;
}

interface Built {
  perTask: Series[][];
  summary: SeriesSummary[];
}

/** One legend entry per run (its color and name, which says what it changes), then what solid and dashed mean. */
export function runLegend(runs: ChartRun[], solid: string, dashed: string): LegendItem[] {
  return [
    ...runs.map(({ run }) => ({ label: run.name, color: run.color, group: 'runs' as const })),
    { label: solid, color: '#5b6478', group: 'lines' },
    { label: dashed, color: '#5b6478', dashed: true, group: 'lines' },
  ];
}

function summaryOf(id: string, s: Series): SeriesSummary {
  return { id, label: s.label, points: s.points.length, drawn: drawnPoints(s.points).length };
}

function build(runs: ChartRun[], tasks: string[], make: (r: ChartRun, k: number) => { key: string; series: Series }[]): Built {
  const summary: SeriesSummary[] = [];
  const perTask = tasks.map((task, k) =>
    runs.flatMap((r) =>
      make(r, k).map(({ key, series }) => {
        summary.push(summaryOf(`${r.run.id}:${task}:${key}`, series));
        return series;
      }),
    ),
  );
  return { perTask, summary };
}

export const LossCharts = memo(function LossCharts({ runs, tasks }: { runs: ChartRun[]; tasks: string[] }) {
  // The first steps' loss is far above the rest: by default the range follows the data after them.
  const [full, setFull] = useState(false);
  const [log, setLog] = useState(false);
  const yAxis: YAxisOptions = useMemo(() => ({ follow: !full, log }), [full, log]);
  const built = useMemo(
    () =>
      build(runs, tasks, ({ run, index }, k) => [
        { key: 'train', series: { id: `r${index}-t${k}-train`, label: `${run.name} train`, color: run.color, points: trainLossPoints(run.history.steps, k), width: 1, noDots: true, opacity: 0.35 } },
        // The per-batch loss is noisy: its moving average carries the trend.
        { key: 'smooth', series: { id: `r${index}-t${k}-smooth`, label: `${run.name} train (smoothed)`, color: run.color, points: smoothed(trainLossPoints(run.history.steps, k)), width: 2, noDots: true } },
        { key: 'val', series: { id: `r${index}-t${k}-val`, label: `${run.name} val`, color: run.color, points: evalPoints(run.history.evals, k, 'logloss'), dashed: true, width: 2 } },
      ]),
    [runs, tasks],
  );
  const xLabel = epochAxis(runs);
  return (
    <ChartFrame
      testId="loss-chart"
      title="Loss per task"
      term="LogLoss"
      fileStem="loss"
      summary={built.summary}
      legend={useMemo(() => runLegend(runs, 'training BCE (faint: per step; solid: its moving average)', 'validation BCE'), [runs])}
      controls={
        <>
          <label className="note" title="a log axis shows the late, small changes of the loss as clearly as the early, large ones">
            <input type="checkbox" data-testid="loss-log" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
          </label>
          <button type="button" data-testid="loss-range" data-full={full} onClick={() => setFull((f) => !f)} title="the y range follows the data after the first steps; this shows every step">
            {full ? 'follow the data' : 'full range'}
          </button>
        </>
      }
    >
      <div className="small-multiples">
        {tasks.map((t, k) => (
          <SeriesChart key={t} title={t} series={built.perTask[k]} yAxis={yAxis} xLabel={xLabel} />
        ))}
      </div>
    </ChartFrame>
  );
});

export const MetricCharts = memo(function MetricCharts({ runs, tasks }: { runs: ChartRun[]; tasks: string[] }) {
  const built = useMemo(
    () =>
      build(runs, tasks, ({ run, index }, k) => [
        { key: 'auc', series: { id: `r${index}-t${k}-auc`, label: `${run.name} AUC`, color: run.color, points: evalPoints(run.history.evals, k, 'auc'), width: 2 } },
        { key: 'gauc', series: { id: `r${index}-t${k}-gauc`, label: `${run.name} GAUC`, color: run.color, points: evalPoints(run.history.evals, k, 'gauc'), dashed: true } },
        { key: 'best', series: bestMark(run, index, k) },
      ]),
    [runs, tasks],
  );
  const xLabel = epochAxis(runs);
  return (
    <ChartFrame testId="metric-chart" term="AUC" title="Validation AUC and GAUC per task" fileStem="auc-gauc" summary={built.summary} legend={useMemo(() => runLegend(runs, 'AUC', "GAUC (per-user AUC, weighted by the user's candidates)"), [runs])}>
      <div className="small-multiples">
        {tasks.map((t, k) => (
          <SeriesChart key={t} title={t} series={built.perTask[k]} yAxis={AUC_AXIS} xLabel={xLabel} />
        ))}
      </div>
    </ChartFrame>
  );
});

/** The run's best checkpoint (config.bestBy's rule) as one large dot on task k's AUC curve. */
function bestMark(run: RunView, index: number, k: number): Series {
  const best = bestEvaluation(run.history.evals, run.config.bestBy ?? '');
  const y = best?.tasks[k]?.auc;
  const points = best && y !== undefined && Number.isFinite(y) ? [{ x: best.step, y }] : [];
  return { id: `r${index}-t${k}-best`, label: `${run.name} best checkpoint (step ${best?.step ?? '-'})`, color: run.color, points, width: 5 };
}

/** 'step' plus how many steps make an epoch (a pass over the training split), from the first drawn run. */
export function epochAxis(runs: ChartRun[]): string {
  for (const { run } of runs) {
    const s = run.history.steps.at(-1);
    if (s?.epoch) return `step (1 epoch = ${(s.step / s.epoch).toFixed(1)} steps; now epoch ${s.epoch.toFixed(1)})`;
  }
  return 'step';
}

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(4));

/** The metric table's cold-start cell for task k: AUC over seen / new users' requests, the share of new users and of new candidate items. */
export function coldStartCell(e: Pick<EvalRecord, 'coldStart' | 'unseenItemShare'> | undefined, k: number): string {
  const cold = e?.coldStart;
  const items = e?.unseenItemShare;
  const itemShare = items === undefined || items === null ? '' : `, ${(100 * items).toFixed(0)}% new items`;
  return cold ? `${f3(cold.seenUserAuc[k])} / ${f3(cold.unseenUserAuc[k])} (${(100 * cold.unseenUserShare).toFixed(0)}% new users${itemShare})` : '-';
}

export const MetricTable = memo(function MetricTable({ runs, tasks }: { runs: ChartRun[]; tasks: string[] }) {
  return (
    <div className="chart-frame" data-testid="metric-table">
      <div className="chart-head">
        <h3>Latest validation metrics, and the best checkpoint</h3>
      </div>
      <table>
        <thead>
          <tr>
            <th>run</th>
            <th>step</th>
            <th>task</th>
            <th>AUC</th>
            <th>GAUC</th>
            <th>LogLoss</th>
            <th title="log loss of always predicting the positive rate">constant</th>
            <th>positive rate</th>
            <th title="the best checkpoint's AUC and its step (mean AUC over tasks, or the task set in bestBy)">best AUC (step)</th>
            <th title="AUC over requests whose user was seen in training / never seen (cold start); the share of new users and of candidate items never seen in training">AUC seen / new users</th>
          </tr>
        </thead>
        <tbody>
          {runs.flatMap(({ run }) => {
            const last = run.history.evals.at(-1);
            const best = bestEvaluation(run.history.evals, run.config.bestBy ?? '');
            return tasks.map((t, k) => {
              const m = last?.tasks[k];
              return (
                <tr key={`${run.id}-${t}`} data-run={run.id} data-task={t} data-step={last?.step ?? ''}>
                  {k === 0 && (
                    <td rowSpan={tasks.length} style={{ color: run.color, fontWeight: 600 }}>
                      {run.name}
                    </td>
                  )}
                  {k === 0 && <td rowSpan={tasks.length}>{last?.step ?? '-'}</td>}
                  <td>{t}</td>
                  <td data-metric="auc">{f3(m?.auc)}</td>
                  <td data-metric="gauc">{f3(m?.gauc)}</td>
                  <td data-metric="logloss" className={m && m.logloss < m.constantLogloss ? 'good' : undefined}>
                    {f3(m?.logloss)}
                  </td>
                  <td>{f3(m?.constantLogloss)}</td>
                  <td data-metric="positiveRate">{f3(m?.positiveRate)}</td>
                  <td data-metric="best" data-best-step={best?.step ?? ''}>
                    {f3(best?.tasks[k]?.auc)} ({best?.step ?? '-'})
                  </td>
                  <td data-metric="coldStart">{coldStartCell(last, k)}</td>
                </tr>
              );
            });
          })}
        </tbody>
      </table>
    </div>
  );
});
