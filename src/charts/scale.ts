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
