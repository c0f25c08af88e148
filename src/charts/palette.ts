// Chart colours that stay apart for colour-blind readers too (tested in tests/unit/app-palette.test.ts by
// simulating protanopia, deuteranopia and tritanopia, Machado et al. 2009, and measuring the distance in CIELAB).
// Runs and tasks get different palettes, and a chart colours by one of them only (the other is dashes or panels).

/** Runs: Okabe-Ito's colour-blind-safe set (its yellow, too light on white, last); assigned in creation order. */
export const RUN_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#882255', '#999933', '#F0E442'];

/** Tasks (where a chart colours by task): Paul Tol's muted scheme, dark to light, apart from the run colours' order. */
export const TASK_PALETTE = ['#332288', '#CC6677', '#117733', '#DDCC77', '#88CCEE', '#AA4499', '#44AA99', '#999999'];

export type Cvd = 'protanopia' | 'deuteranopia' | 'tritanopia';

// Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB.
const MACHADO: Record<Cvd, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

function linearRgb(hex: string): number[] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255].map((c) => toLinear(c / 255));
}

/** CIELAB (D65) of a linear RGB colour. */
function lab(rgb: number[]): [number, number, number] {
  const [r, g, b] = rgb.map((c) => Math.min(1, Math.max(0, c)));
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** How a colour looks (as CIELAB) to normal vision or under a colour-vision deficiency. */
export function seenAs(hex: string, cvd?: Cvd): [number, number, number] {
  const rgb = linearRgb(hex);
  if (!cvd) return lab(rgb);
  const m = MACHADO[cvd];
  return lab(m.map((row) => row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]));
}

/** CIE76 colour difference between two colours as seen (about 2.3 = just noticeable; 20+ = clearly different). */
export function deltaE(a: string, b: string, cvd?: Cvd): number {
  const p = seenAs(a, cvd);
  const q = seenAs(b, cvd);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
