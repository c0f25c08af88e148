// One line chart of several series that each bring their own x values (runs at different steps overlay
// cleanly). Series are downsampled (LTTB) before drawing and animation is off, so thousands of steps redraw
// in a few milliseconds.
import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { downsample, finitePoints, type XY } from './downsample';
import { useTaskDeferred } from './useTaskDeferred';
import { useWidth } from './useWidth';

type DomainEnd = number | 'auto' | 'dataMin' | 'dataMax' | ((dataEnd: number) => number);

export interface Series {
  /** Stable id (also a CSS class on the line: `series-<id>`). */
  id: string;
  label: string;
  color: string;
  points: readonly XY[];
  /** Dashed (validation, or a second run of the same task). */
  dashed?: boolean;
  width?: number;
}

interface Props {
  series: Series[];
  height?: number;
  xLabel?: string;
  yDomain?: [DomainEnd, DomainEnd];
  title?: string;
  /** Draw dots when a series has at most this many drawn points (sparse eval curves read better with dots). */
  dotsBelow?: number;
}

/** The drawn version of each series (finite points, downsampled); memoize on the series array. */
export function drawnSeries(series: Series[]): (Series & { drawn: readonly XY[] })[] {
  return series.map((s) => ({ ...s, drawn: downsample(finitePoints(s.points)) }));
}

const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 || Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v));

export const SeriesChart = memo(function SeriesChart({ series, height = 190, xLabel = 'step', yDomain = ['auto', 'auto'], title, dotsBelow = 30 }: Props) {
  const current = useMemo(() => drawnSeries(series), [series]);
  const deferred = useTaskDeferred(current);
  const drawn = deferred ?? [];
  const empty = drawn.every((s) => s.drawn.length === 0);
  const { ref, width } = useWidth<HTMLDivElement>();
  return (
    <div className="series-chart" data-title={title} ref={ref} style={{ minHeight: height }}>
      {title && <div className="series-chart-title">{title}</div>}
      {deferred && <LineChart width={width} height={height} margin={{ top: 6, right: 12, bottom: 2, left: 0 }}>
          <CartesianGrid stroke="#eef0f5" />
          <XAxis type="number" dataKey="x" domain={['dataMin', 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
          <YAxis type="number" domain={yDomain} tick={{ fontSize: 11 }} width={48} tickFormatter={(v: number) => (Math.abs(v) >= 100 ? String(Math.round(v)) : Number(v.toFixed(3)).toString())} />
          {!empty && <Tooltip isAnimationActive={false} formatter={fmt} labelFormatter={(l) => `${xLabel} ${l}`} />}
          {drawn.map((s) => (
            <Line
              key={s.id}
              className={`series-${s.id}`}
              data={s.drawn as XY[]}
              dataKey="y"
              name={s.label}
              type="linear"
              stroke={s.color}
              strokeWidth={s.width ?? 1.6}
              strokeDasharray={s.dashed ? '5 3' : undefined}
              dot={s.drawn.length <= dotsBelow ? { r: 2 } : false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
      </LineChart>}
    </div>
  );
});
