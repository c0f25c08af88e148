// A map as the panels draw and export it: labeled rows and columns of numbers, with an optional 0/1 mask.
// Pure helpers (stats, mean over heads, CSV), so the same numbers feed the canvas, the test attributes and
// the exported files.
import { csvLine } from '../../engine/data/synthetic';

export interface LabeledMap {
  title: string;
  /** What the rows and columns are, e.g. 'query' and 'key'. */
  rowAxis: string;
  colAxis: string;
  rows: string[];
  cols: string[];
  /** [rows][cols] */
  values: number[][];
  /** [rows][cols] 0/1; 0 = this cell is not allowed (masked), drawn hatched and exported blank. */
  mask?: number[][];
}

export interface MapStats {
  /** Cells the mask forbids. */
  maskedCells: number;
  /** Largest value over allowed cells (0 for an empty map). */
  maxValue: number;
  /** Allowed cells whose value is not 0. */
  nonzeroCells: number;
}

export function isMasked(m: LabeledMap, r: number, c: number): boolean {
  return m.mask !== undefined && m.mask[r][c] === 0;
}

export function mapStats(m: LabeledMap): MapStats {
  let maskedCells = 0;
  let maxValue = 0;
  let nonzeroCells = 0;
  m.values.forEach((row, r) =>
    row.forEach((v, c) => {
      if (isMasked(m, r, c)) maskedCells++;
      else {
        if (v !== 0) nonzeroCells++;
        if (v > maxValue) maxValue = v;
      }
    }),
  );
  return { maskedCells, maxValue, nonzeroCells };
}

/** Element-wise mean of equally shaped matrices (the mean over heads). */
export function meanOf(maps: number[][][]): number[][] {
  if (maps.length === 0) return [];
  return maps[0].map((row, r) => row.map((_, c) => maps.reduce((s, m) => s + m[r][c], 0) / maps.length));
}

/** One row per map row, the column labels as header; masked cells are left blank (no weight exists there). */
export function mapToCsv(m: LabeledMap): string {
  const lines = [csvLine([`${m.rowAxis} \\ ${m.colAxis}`, ...m.cols])];
  m.values.forEach((row, r) => {
    lines.push(csvLine([m.rows[r], ...row.map((v, c) => (isMasked(m, r, c) ? '' : String(v)))]));
  });
  return lines.join('\n') + '\n';
}

/** 'Layer 1, head 2 (step 40)' -> 'layer-1-head-2-step-40'. */
export function fileStem(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'map'
  );
}

/** Shows a weight exactly enough to compare cells (attention weights are in [0, 1]). */
export function formatWeight(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 0.001 && a < 1000) return v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return v.toExponential(3);
}
