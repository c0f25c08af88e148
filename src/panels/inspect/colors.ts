// Color scales for the maps, pure so they are unit-tested and shared by the canvas drawing and the PNG export.

export type Rgb = [number, number, number];

// Viridis at 9 stops: perceptually uniform and readable in gray, so weight differences are honest, and its dark
// end is far from the masked-cell gray, so "0 because masked" and "0 because ignored" never look alike.
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Masked cells: light gray, drawn with a hatch on the canvas. */
export const MASKED_RGB: Rgb = [222, 224, 230];
export const HATCH_RGB: Rgb = [168, 172, 184];

/** t in [0, 1] (clamped; NaN reads as 0) -> viridis. */
export function viridis(t: number): Rgb {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as Rgb;
}

/** A weight on a map whose largest (unmasked) weight is `max`: 0 -> dark, max -> yellow. */
export function weightColor(v: number, max: number): Rgb {
  return viridis(max > 0 ? v / max : 0);
}

/** Gradient-flow cells: white at 0 exactly (so a detached edge reads as empty), warm as the norm grows. */
export function flowColor(v: number, max: number): Rgb {
  if (v === 0 || max <= 0) return [255, 255, 255];
  // sqrt: norms span orders of magnitude; small-but-real flow must still be visible.
  const t = Math.sqrt(Math.min(1, Math.abs(v) / max));
  return [255, Math.round(245 - 150 * t), Math.round(235 - 200 * t)];
}

export function rgbCss([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** Black or white text, whichever reads better on this background. */
export function inkOn([r, g, b]: Rgb): string {
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#1c2333' : '#ffffff';
}
