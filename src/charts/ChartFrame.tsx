// A titled box around one or more charts, with PNG/SVG export of each and a machine-readable list of what the
// charts hold (series name -> number of data points), so tests and screen readers can check the data honestly.
import { useRef, type ReactNode } from 'react';
import { GlossaryLink } from '../app/Glossary';
import { downloadBlob, downloadText, pngBlob, svgText } from './exportChart';

export interface SeriesSummary {
  id: string;
  label: string;
  /** Data points in the series (before downsampling for drawing). */
  points: number;
  /** Points actually drawn (<= points). */
  drawn: number;
}

export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
  /** Which legend row it belongs to: what the colour means (runs or tasks) is never mixed in one row. */
  group?: 'runs' | 'tasks' | 'lines';
}

const GROUP_TITLE = { runs: 'Runs (colour):', tasks: 'Tasks (colour):', lines: 'Line style:' } as const;

interface Props {
  /** One HTML legend for the whole frame (cheaper than a measured legend per chart). */
  legend?: LegendItem[];
  testId: string;
  title: string;
  /** File name stem for exports. */
  fileStem: string;
  help?: ReactNode;
  summary: SeriesSummary[];
  children: ReactNode;
  controls?: ReactNode;
  /** A glossary entry for what the chart shows (its ? opens it). */
  term?: string;
}

export function ChartFrame({ testId, title, fileStem, help, summary, children, controls, legend, term }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const svgs = () => [...(box.current?.querySelectorAll<SVGSVGElement>('svg.chart-surface') ?? [])];
  const exportSvg = () => svgs().forEach((s, i) => downloadText(svgText(s), `${fileStem}${svgs().length > 1 ? `-${i + 1}` : ''}.svg`, 'image/svg+xml'));
  const exportPng = async () => {
    const all = svgs();
    for (let i = 0; i < all.length; i++) downloadBlob(await pngBlob(all[i]), `${fileStem}${all.length > 1 ? `-${i + 1}` : ''}.png`);
  };
  return (
    <div className="chart-frame" data-testid={testId} ref={box}>
      <div className="chart-head">
        <h3>
          {title}
          {term && <GlossaryLink term={term} />}
        </h3>
        <div className="chart-tools">
          {controls}
          <button type="button" onClick={() => void exportPng()} data-testid={`${testId}-png`} title="Download as PNG">
            PNG
          </button>
          <button type="button" onClick={exportSvg} data-testid={`${testId}-svg`} title="Download as SVG">
            SVG
          </button>
        </div>
      </div>
      {help && <div className="note chart-help">{help}</div>}
      {legend &&
        legend.length > 0 &&
        [...new Set(legend.map((l) => l.group))].map((g) => (
          <ul className="chart-legend" key={g ?? 'all'} data-group={g ?? ''}>
            {g && <li className="legend-group">{GROUP_TITLE[g]}</li>}
            {legend
              .filter((l) => l.group === g)
              .map((l) => (
                <li key={`${l.label}-${l.color}-${l.dashed ? 1 : 0}`} className="legend-item">
                  <svg width="22" height="8" aria-hidden="true">
                    <line x1="1" y1="4" x2="21" y2="4" stroke={l.color} strokeWidth="2" strokeDasharray={l.dashed ? '5 3' : undefined} />
                  </svg>
                  {l.label}
                </li>
              ))}
          </ul>
        ))}
      {children}
      <ul className="series-summary" hidden>
        {summary.map((s) => (
          <li key={s.id} data-series={s.id} data-label={s.label} data-points={s.points} data-drawn={s.drawn}>
            {s.label}: {s.points}
          </li>
        ))}
      </ul>
    </div>
  );
}
