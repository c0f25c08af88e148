// Seesaw view (b): two tasks' validation metrics as a plane. Each run is a trajectory (one point per
// evaluation, joined in step order, the last one larger); the Pareto front across all runs marks the trade-off
// reached so far. A run that moves right while falling is trading task B for task A. Plain SVG (see SeriesChart).
import { memo, useMemo } from 'react';
import { drawnPoints } from './downsample';
import { paretoFront } from './pareto';
import { linear, niceTicks, resolveDomain, tickLabel } from './scale';
import { pathOf } from './SeriesChart';
import { useMountStagger } from './useMountStagger';
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

const M = { top: 8, right: 14, bottom: 30, left: 52 };

export const PlaneChart = memo(function PlaneChart({ trajectories, xLabel, yLabel, height = 280 }: Props) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const geom = useMemo(() => {
    const drawn = trajectories.map((t) => ({ ...t, drawn: drawnPoints(t.points) as { x: number; y: number; step: number }[] }));
    const all = drawn.flatMap((t) => t.drawn);
    const front = paretoFront(all);
    const xs = all.map((p) => p.x);
    const ys = all.map((p) => p.y);
    const xd = all.length ? resolveDomain(['auto', 'auto'], Math.min(...xs), Math.max(...xs)) : ([0, 1] as [number, number]);
    const yd = all.length ? resolveDomain(['auto', 'auto'], Math.min(...ys), Math.max(...ys)) : ([0, 1] as [number, number]);
    return { drawn, front, xd, yd, x: linear(xd, [M.left, width - M.right]), y: linear(yd, [height - M.bottom, M.top]) };
  }, [trajectories, width, height]);
  const { x, y } = geom;
  const ready = useMountStagger();
  return (
    <div ref={ref} style={{ minHeight: height }}>
      {ready && <svg className="chart-surface" width={width} height={height}>
        <g fontSize={10} fill="#5b6478">
          {niceTicks(geom.yd[0], geom.yd[1], 4).map((t) => (
            <g key={`y${t}`}>
              <line x1={M.left} x2={width - M.right} y1={y(t)} y2={y(t)} stroke="#eef0f5" />
              <text x={M.left - 4} y={y(t) + 3} textAnchor="end">
                {tickLabel(t)}
              </text>
            </g>
          ))}
          {niceTicks(geom.xd[0], geom.xd[1], Math.max(2, Math.floor(width / 80))).map((t) => (
            <text key={`x${t}`} x={x(t)} y={height - M.bottom + 12} textAnchor="middle">
              {tickLabel(t)}
            </text>
          ))}
          <line x1={M.left} x2={width - M.right} y1={height - M.bottom} y2={height - M.bottom} stroke="#9aa3b5" />
          <line x1={M.left} x2={M.left} y1={M.top} y2={height - M.bottom} stroke="#9aa3b5" />
          <text x={(M.left + width - M.right) / 2} y={height - 4} textAnchor="middle">
            {xLabel}
          </text>
          <text transform={`translate(12 ${(M.top + height - M.bottom) / 2}) rotate(-90)`} textAnchor="middle">
            {yLabel}
          </text>
        </g>
        {geom.front.length > 1 && <path className="series-pareto" d={pathOf(geom.front, x, y)} fill="none" stroke="#1c2333" strokeDasharray="4 3" strokeWidth={1.2} />}
        {geom.drawn.map((t) => (
          <g key={t.id} className={`series series-${t.id}`}>
            <path className="line-curve" d={pathOf(t.drawn, x, y)} fill="none" stroke={t.color} strokeWidth={1.4} />
            {t.drawn.map((p, i) => (
              <circle key={i} cx={x(p.x)} cy={y(p.y)} r={i === t.drawn.length - 1 ? 4.5 : 2.5} fill={t.color}>
                <title>{`${t.label}, step ${p.step}: ${xLabel} ${p.x.toFixed(4)}, ${yLabel} ${p.y.toFixed(4)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>}
    </div>
  );
});
