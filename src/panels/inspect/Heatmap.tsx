// One map on a <canvas> (fast at T ~ 70), axis labels as HTML around it, the exact value on hover, and export.
// Test-facing data attributes carry the real content: masked-cell count, max weight, non-zero cells.
import { useEffect, useRef, useState } from 'react';
import { weightColor } from './colors';
import { formatWeight, isMasked, mapStats, type LabeledMap } from './maps';
import { exportCsv, exportPng, paintCells, type CellColor } from './paint';

export interface HeatmapProps {
  map: LabeledMap;
  testId?: string;
  /** Pixels per cell. */
  cell?: number;
  /** Axis labels (off for the small multiples). */
  labels?: boolean;
  color?: CellColor;
  /** Extra data-* attributes (e.g. { layer: 0, head: 'mean' }). */
  data?: Record<string, string | number>;
  exportable?: boolean;
  /** Hover text; the default says query, key and the exact value. */
  describe?: (r: number, c: number) => string;
  onHover?: (cell: { r: number; c: number } | null) => void;
  onClick?: () => void;
}

export function Heatmap({ map, testId = 'heatmap', cell = 10, labels = true, color = weightColor, data = {}, exportable = true, describe, onHover, onClick }: HeatmapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ r: number; c: number } | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const stats = mapStats(map);
  const nRows = map.rows.length;
  const nCols = map.cols.length;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(nCols * cell * dpr);
    canvas.height = Math.round(nRows * cell * dpr);
    // A software canvas: a GPU-backed one waits on the GPU process, which WebGPU training keeps busy (long tasks).
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, nCols * cell, nRows * cell);
    paintCells(ctx, map, cell, color);
  }, [map, cell, color, nRows, nCols]);

  const cellAt = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left) / cell);
    const r = Math.floor((e.clientY - rect.top) / cell);
    return r >= 0 && r < nRows && c >= 0 && c < nCols ? { r, c } : null;
  };
  const setCell = (h: { r: number; c: number } | null) => {
    setHover(h);
    onHover?.(h);
  };

  const hoverText = hover
    ? describe
      ? describe(hover.r, hover.c)
      : `${map.rowAxis} ${map.rows[hover.r]} \u2192 ${map.colAxis} ${map.cols[hover.c]}: ` +
        (isMasked(map, hover.r, hover.c) ? 'masked (may not attend)' : formatWeight(map.values[hover.r][hover.c]))
    : '';
  const font = Math.max(7, Math.min(11, cell - 1));
  const dataAttrs = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, String(v)]));

  return (
    <figure
      className="heatmap"
      data-testid={testId}
      data-masked-cells={stats.maskedCells}
      data-max-weight={stats.maxValue}
      data-nonzero-cells={stats.nonzeroCells}
      data-rows={nRows}
      data-cols={nCols}
      {...dataAttrs}
    >
      <figcaption>
        <span className="heatmap-title">{map.title}</span>
        {exportable && (
          <span className="heatmap-export">
            <button
              data-testid="export-png"
              onClick={() => exportPng(map, color).then(() => setExportError(null), (e: Error) => setExportError(e.message))}
              title="Save this map, with its labels, as a PNG image"
            >
              PNG
            </button>
            <button data-testid="export-csv" onClick={() => exportCsv(map)} title="Save the numbers as CSV (masked cells blank)">
              CSV
            </button>
          </span>
        )}
      </figcaption>
      <div className="heatmap-body" style={{ gridTemplateColumns: labels ? 'auto auto' : 'auto' }}>
        {labels && <div />}
        {labels && (
          <div className="heatmap-cols" style={{ fontSize: font }}>
            {map.cols.map((s, c) => (
              <span key={c} style={{ width: cell }} className={hover?.c === c ? 'hot' : undefined} title={s}>
                {s}
              </span>
            ))}
          </div>
        )}
        {labels && (
          <div className="heatmap-rows" style={{ fontSize: font }}>
            {map.rows.map((s, r) => (
              <span key={r} style={{ height: cell, lineHeight: `${cell}px` }} className={hover?.r === r ? 'hot' : undefined} title={s}>
                {s}
              </span>
            ))}
          </div>
        )}
        <canvas
          ref={canvasRef}
          style={{ width: nCols * cell, height: nRows * cell, cursor: onClick ? 'pointer' : 'crosshair' }}
          onMouseMove={(e) => setCell(cellAt(e))}
          onMouseLeave={() => setCell(null)}
          onClick={onClick}
        />
      </div>
      {labels && (
        <div className="heatmap-hover" data-testid="heatmap-hover">
          {hoverText || '\u00a0'}
        </div>
      )}
      {exportError && <div className="error-box">{exportError}</div>}
    </figure>
  );
}
