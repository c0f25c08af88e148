// Linear scales and "nice" ticks for the lightweight SVG charts (pure, unit-tested).

/** Rounded tick values covering [min, max], about `count` of them (1, 2, 2.5 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const first = Math.ceil(min / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export type DomainEnd = number | 'auto' | 'dataMin' | 'dataMax' | ((dataEnd: number) => number);

/** Resolves a [lo, hi] domain spec against the data's extent; pads a flat range so lines stay visible. */
export function resolveDomain(spec: [DomainEnd, DomainEnd], dataMin: number, dataMax: number): [number, number] {
  const end = (e: DomainEnd, data: number, side: 'lo' | 'hi'): number => {
    if (typeof e === 'number') return e;
    if (typeof e === 'function') return e(data);
    if (e === 'auto') {
      const pad = (dataMax - dataMin) * 0.05;
      return side === 'lo' ? data - pad : data + pad;
    }
    return data;
  };
  let lo = end(spec[0], dataMin, 'lo');
  let hi = end(spec[1], dataMax, 'hi');
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const d = Math.abs(lo) * 0.05 || 0.5;
    lo -= d;
    hi += d;
  }
  return lo < hi ? [lo, hi] : [hi, lo];
}

export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Short tick label: integers as is, else up to 3 significant decimals. */
export function tickLabel(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? Number(v.toFixed(2)).toString() : Number(v.toPrecision(3)).toString();
}

/** How a chart's y axis is set. */
export interface YAxisOptions {
  /** Log10 scale (loss): points <= 0 are left out. */
  log?: boolean;
  /** Follow the visible data: leave out the first `skipFraction` of the x range (the first steps' high loss). */
  follow?: boolean;
  /** The share of the x range left out when following (default FOLLOW_SKIP). */
  skip?: number;
  /** Hard limits (AUC lives in [0, 1]). */
  clamp?: [number, number];
  /** The narrowest y range shown, so noise on a flat line does not fill the chart (AUC: 0.05). */
  minSpan?: number;
}

/** The share of the x range left out when following the data: the first steps, before the loss settles. */
export const FOLLOW_SKIP = 0.1;

/** x range of a chart: the data's, and a single step opens to [x, x + 1] (steps are never negative). */
export function xDomain(xMin: number, xMax: number): [number, number] {
  if (!Number.isFinite(xMin)) return [0, 1];
  return xMin === xMax ? [xMin, xMin + 1] : [xMin, xMax];
}

/**
 * The y domain (in the axis's own units: log10 of y on a log axis) of some series, from the points that are drawn:
 * all of them, or when following, those after the first FOLLOW_SKIP of the x range (lines above it are clipped).
 */
export function yDomainOf(series: readonly (readonly { x: number; y: number }[])[], opts: YAxisOptions, spec: [DomainEnd, DomainEnd] = ['auto', 'auto']): [number, number] {
  let xMin = Infinity;
  let xMax = -Infinity;
  for (const s of series)
    for (const p of s) {
      xMin = Math.min(xMin, p.x);
      xMax = Math.max(xMax, p.x);
    }
  const from = opts.follow && xMax > xMin ? xMin + (opts.skip ?? FOLLOW_SKIP) * (xMax - xMin) : -Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (let i = 0; i < s.length; i++) {
      const p = s[i];
      // The last point of a series always counts (the newest value must be on screen).
      if (p.x < from && i !== s.length - 1) continue;
      if (opts.log && !(p.y > 0)) continue;
      const y = opts.log ? Math.log10(p.y) : p.y;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  if (!Number.isFinite(lo)) return opts.log ? [-1, 0] : [0, 1];
  let [a, b] = resolveDomain(opts.log ? ['auto', 'auto'] : spec, lo, hi);
  const span = opts.minSpan ?? 0;
  if (b - a < span) {
    const mid = (a + b) / 2;
    [a, b] = [mid - span / 2, mid + span / 2];
  }
  if (opts.clamp && !opts.log) {
    const [cl, ch] = opts.clamp;
    if (a < cl) [a, b] = [cl, Math.min(ch, cl + (b - a))];
    if (b > ch) [a, b] = [Math.max(cl, ch - (b - a)), ch];
  }
  return [a, b];
}

/** Tick label on a log axis (ticks sit at log10 values). */
export function logTickLabel(t: number): string {
  return tickLabel(Number((10 ** t).toPrecision(2)));
}
