// One line chart of several series that each bring their own x values (runs at different steps overlay
// cleanly). Drawn as plain SVG: a chart re-renders in well under a millisecond per hundred points, so live
// updates never block the page (recharts 3 updates its internal store synchronously and took 100-300 ms per
// chart update on a loaded 2-core machine, far over a frame). Series are downsampled (LTTB) before drawing.
import { memo, useId, useMemo, useState } from 'react';
import { drawnPoints, type XY } from './downsample';
import { linear, logTickLabel, niceTicks, tickLabel, xDomain, yDomainOf, type DomainEnd, type YAxisOptions } from './scale';
import { useMountStagger } from './useMountStagger';
import { useWidth } from './useWidth';

export interface Series {
  /** Stable id (also a CSS class on the line: `series-<id>`). */
  id: string;
  label: string;
  color: string;
  points: readonly XY[];
  /** Dashed (validation, or a second run of the same task). */
  dashed?: boolean;
  width?: number;
  /** Never draw dots (dense per-step series). */
  noDots?: boolean;
  /** Line opacity (a faint raw series under its smoothed version). */
  opacity?: number;
}

interface Props {
  series: Series[];
  height?: number;
  xLabel?: string;
  yDomain?: [DomainEnd, DomainEnd];
  title?: string;
  /** Draw dots when a series has at most this many drawn points (sparse eval curves read better with dots). */
  dotsBelow?: number;
  /** Log scale, following the visible data, hard limits, narrowest range (see scale.ts). */
  yAxis?: YAxisOptions;
}

const NO_AXIS_OPTIONS: YAxisOptions = {};

/** The drawn version of each series (finite points, downsampled); memoize on the series array. */
export function drawnSeries(series: Series[]): (Series & { drawn: readonly XY[] })[] {
  return series.map((s) => ({ ...s, drawn: drawnPoints(s.points) }));
}

const M = { top: 8, right: 12, bottom: 24, left: 46 };
const AUTO: [DomainEnd, DomainEnd] = ['auto', 'auto'];

export function pathOf(points: readonly XY[], x: (v: number) => number, y: (v: number) => number): string {
  let d = '';
  for (let i = 0; i < points.length; i++) d += `${i === 0 ? 'M' : 'L'}${x(points[i].x).toFixed(1)},${y(points[i].y).toFixed(1)}`;
  return d;
}

export const SeriesChart = memo(function SeriesChart({ series, height = 190, xLabel = 'step', yDomain = AUTO, title, dotsBelow = 30, yAxis = NO_AXIS_OPTIONS }: Props) {
  const log = yAxis.log === true;
  // On a log axis a line is drawn through log10(y); points <= 0 have no place there.
  const drawn = useMemo(() => drawnSeries(log ? series.map((s) => ({ ...s, points: s.points.filter((p) => p.y > 0).map((p) => ({ x: p.x, y: Math.log10(p.y) })) })) : series), [series, log]);
  const { ref, width } = useWidth<HTMLDivElement>();
  const [hoverX, setHoverX] = useState<number | null>(null);
  const geom = useMemo(() => {
    let xMin = Infinity;
    let xMax = -Infinity;
    for (const s of drawn)
      for (const p of s.drawn) {
        xMin = Math.min(xMin, p.x);
        xMax = Math.max(xMax, p.x);
      }
    const empty = !Number.isFinite(xMin);
    const xd = xDomain(xMin, xMax);
    // The series are already in axis units (log10 on a log axis): the domain is taken without a second log.
    const yd = empty ? ([0, 1] as [number, number]) : yDomainOf(drawn.map((s) => s.drawn), { ...yAxis, log: false, clamp: log ? undefined : yAxis.clamp }, log ? AUTO : yDomain);
    const x = linear(xd, [M.left, width - M.right]);
    const y = linear(yd, [height - M.bottom, M.top]);
    return { empty, xd, yd, x, y, xTicks: niceTicks(xd[0], xd[1], Math.max(2, Math.floor(width / 70))).filter((t) => Number.isInteger(t)), yTicks: niceTicks(yd[0], yd[1], 4) };
  }, [drawn, width, height, yDomain, yAxis, log]);
  const clipId = `clip-${useId().replace(/[^\w-]/g, '')}`;
  const { x, y } = geom;
  const ready = useMountStagger();
  const nearest = (s: (typeof drawn)[number]) => {
    if (hoverX === null || s.drawn.length === 0) return null;
    let best = s.drawn[0];
    for (const p of s.drawn) if (Math.abs(p.x - hoverX) < Math.abs(best.x - hoverX)) best = p;
    return best;
  };
  return (
    <div className="series-chart" data-title={title} ref={ref}>
      {title && <div className="series-chart-title">{title}</div>}
      {!ready && <div style={{ height }} />}
      {ready && <svg
        className="chart-surface"
        width={width}
        height={height}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const px = e.clientX - r.left;
          setHoverX(geom.xd[0] + ((px - M.left) / Math.max(1, width - M.left - M.right)) * (geom.xd[1] - geom.xd[0]));
        }}
        onMouseLeave={() => setHoverX(null)}
      >
        <g className="grid" stroke="#eef0f5">
          {geom.yTicks.map((t) => (
            <line key={`y${t}`} x1={M.left} x2={width - M.right} y1={y(t)} y2={y(t)} />
          ))}
        </g>
        <g className="axis" fontSize={10} fill="#5b6478">
          <line x1={M.left} x2={width - M.right} y1={height - M.bottom} y2={height - M.bottom} stroke="#9aa3b5" />
          <line x1={M.left} x2={M.left} y1={M.top} y2={height - M.bottom} stroke="#9aa3b5" />
          {geom.xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={height - M.bottom + 12} textAnchor="middle">
              {tickLabel(t)}
            </text>
          ))}
          {geom.yTicks.map((t) => (
            <text key={`yl${t}`} x={M.left - 4} y={y(t) + 3} textAnchor="end">
              {log ? logTickLabel(t) : tickLabel(t)}
            </text>
          ))}
          <text x={width - M.right} y={height - 2} textAnchor="end">
            {xLabel}
          </text>
        </g>
        {/* Lines outside a range that follows the data are cut at the plot's edge. */}
        <clipPath id={clipId}>
          <rect x={M.left} y={M.top} width={Math.max(0, width - M.left - M.right)} height={Math.max(0, height - M.top - M.bottom)} />
        </clipPath>
        {drawn.map((s) => (
          <g key={s.id} className={`series series-${s.id}`} clipPath={`url(#${clipId})`}>
            <path className="line-curve" d={pathOf(s.drawn, x, y)} fill="none" stroke={s.color} strokeOpacity={s.opacity} strokeWidth={s.width ?? 1.6} strokeDasharray={s.dashed ? '5 3' : undefined}>
              <title>{s.label}</title>
            </path>
            {!s.noDots && s.drawn.length <= dotsBelow && s.drawn.map((p, i) => <circle key={i} className="line-dot" cx={x(p.x)} cy={y(p.y)} r={2} fill={s.color} />)}
          </g>
        ))}
        {hoverX !== null && !geom.empty && (
          <g className="hover" pointerEvents="none">
            <line x1={x(hoverX)} x2={x(hoverX)} y1={M.top} y2={height - M.bottom} stroke="#c5cad6" />
            {drawn.map((s) => {
              const p = nearest(s);
              return p ? <circle key={s.id} cx={x(p.x)} cy={y(p.y)} r={3} fill="none" stroke={s.color} /> : null;
            })}
          </g>
        )}
      </svg>}
      {hoverX !== null && !geom.empty && (
        <div className="chart-readout">
          {drawn.map((s) => {
            const p = nearest(s);
            return p ? (
              <span key={s.id} style={{ color: s.color }}>
                {s.label}: {tickLabel(Number((log ? 10 ** p.y : p.y).toPrecision(4)))} @ {p.x}
              </span>
            ) : null;
          })}
        </div>
      )}
    </div>
  );
});
