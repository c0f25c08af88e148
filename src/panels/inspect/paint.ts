// Canvas drawing of a LabeledMap, shared by the on-screen heatmaps and the PNG export, and the download helpers.
import { downloadBlob } from '../../charts/exportChart';
import { HATCH_RGB, MASKED_RGB, rgbCss, weightColor, type Rgb } from './colors';
import { fileStem, isMasked, mapStats, mapToCsv, type LabeledMap } from './maps';

/** A cell's color from its value, the map's max and its position (the mask grid colors by key kind). */
export type CellColor = (v: number, max: number, r: number, c: number) => Rgb;

/** Paints the cells at (x0, y0), `cell` px each; masked cells are light gray with a diagonal hatch. */
export function paintCells(ctx: CanvasRenderingContext2D, m: LabeledMap, cell: number, color: CellColor = weightColor, x0 = 0, y0 = 0): void {
  const { maxValue } = mapStats(m);
  m.values.forEach((row, r) =>
    row.forEach((v, c) => {
      const x = x0 + c * cell;
      const y = y0 + r * cell;
      if (isMasked(m, r, c)) {
        ctx.fillStyle = rgbCss(MASKED_RGB);
        ctx.fillRect(x, y, cell, cell);
        if (cell >= 5) {
          ctx.strokeStyle = rgbCss(HATCH_RGB);
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(x + 1, y + cell - 1);
          ctx.lineTo(x + cell - 1, y + 1);
          ctx.stroke();
        }
      } else {
        ctx.fillStyle = rgbCss(color(v, maxValue, r, c));
        ctx.fillRect(x, y, cell, cell);
      }
    }),
  );
}

/** The map with its title and axis labels on one canvas (what "Export PNG" saves). */
export function renderMapCanvas(m: LabeledMap, color: CellColor = weightColor, cell = 16): HTMLCanvasElement {
  const font = `${Math.max(9, Math.min(12, cell - 3))}px system-ui, sans-serif`;
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.font = font;
  const widest = (xs: string[]) => xs.reduce((w, s) => Math.max(w, probe.measureText(s).width), 0);
  const left = Math.ceil(widest(m.rows)) + 10;
  const top = Math.ceil(widest(m.cols)) + 30;
  const canvas = document.createElement('canvas');
  canvas.width = left + m.cols.length * cell + 10;
  canvas.height = top + m.rows.length * cell + 10;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#1c2333';
  ctx.font = `bold 13px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.fillText(m.title, 4, 4);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  m.rows.forEach((s, r) => ctx.fillText(s, left - 5, top + r * cell + cell / 2));
  m.cols.forEach((s, c) => {
    ctx.save();
    ctx.translate(left + c * cell + cell / 2, top - 5);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    ctx.fillText(s, 0, 0);
    ctx.restore();
  });
  paintCells(ctx, m, cell, color, left, top);
  return canvas;
}

export async function exportPng(m: LabeledMap, color?: CellColor): Promise<void> {
  const canvas = renderMapCanvas(m, color);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the PNG');
  downloadBlob(blob, `${fileStem(m.title)}.png`);
}

export function exportCsv(m: LabeledMap): void {
  downloadBlob(new Blob([mapToCsv(m)], { type: 'text/csv' }), `${fileStem(m.title)}.csv`);
}
