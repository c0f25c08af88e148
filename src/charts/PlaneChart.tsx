// Seesaw view (b): two tasks' validation metrics as a plane. Each run is a trajectory (one point per
// evaluation, joined in step order); the Pareto front across all runs marks the trade-off a model family
// reaches. A run that moves right while falling is trading task B for task A.
import { memo, useMemo } from 'react';
import { CartesianGrid, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { downsample } from './downsample';
import { paretoFront } from './pareto';
import { useTaskDeferred } from './useTaskDeferred';
import { useWidth } from './useWidth';

export interface Trajectory {
  id: string;
  label: string;
  color: string;
  /** In step order; x = task A's metric, y = task B's, step for the tooltip. */
  points: { x: number; y: number; step: number }[];
}

interface Props {
  trajectories: Trajectory[];
  xLabel: string;
  yLabel: string;
  height?: number;
}

export const PlaneChart = memo(function PlaneChart({ trajectories, xLabel, yLabel, height = 280 }: Props) {
  const drawn = useMemo(
    () =>
      trajectories.map((t) => {
        const finite = t.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
        return { ...t, drawn: downsample(finite.map((p) => ({ ...p, x: p.x, y: p.y }))) as { x: number; y: number; step: number }[] };
      }),
    [trajectories],
  );
  const front = useMemo(() => paretoFront(drawn.flatMap((t) => t.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)))), [drawn]);
  const { ref, width } = useWidth<HTMLDivElement>();
  const shown = useTaskDeferred(useMemo(() => ({ drawn, front }), [drawn, front]));
  return (
    <div ref={ref} style={{ minHeight: height }}>
      {shown && <ScatterChart width={width} height={height} margin={{ top: 8, right: 16, bottom: 14, left: 4 }}>
        <CartesianGrid stroke="#eef0f5" />
        <XAxis type="number" dataKey="x" name={xLabel} domain={['auto', 'auto']} tick={{ fontSize: 11 }} tickFormatter={(v: number) => v.toFixed(3)} label={{ value: xLabel, position: 'insideBottom', offset: -4, fontSize: 11 }} />
        <YAxis type="number" dataKey="y" name={yLabel} domain={['auto', 'auto']} tick={{ fontSize: 11 }} width={52} tickFormatter={(v: number) => v.toFixed(3)} label={{ value: yLabel, angle: -90, position: 'insideLeft', fontSize: 11 }} />
        <Tooltip isAnimationActive={false} formatter={(v: unknown) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
        {shown.drawn.map((t) => (
          <Scatter key={t.id} className={`series-${t.id}`} name={t.label} data={t.drawn} fill={t.color} line={{ stroke: t.color, strokeWidth: 1.4 }} lineType="joint" shape="circle" isAnimationActive={false} />
        ))}
        {shown.front.length > 0 && (
          <Scatter className="series-pareto" name="Pareto front (all runs)" data={shown.front} fill="none" line={{ stroke: '#1c2333', strokeDasharray: '4 3', strokeWidth: 1.2 }} lineType="joint" shape="diamond" isAnimationActive={false} />
        )}
      </ScatterChart>}
    </div>
  );
});
