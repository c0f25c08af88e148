// Keeps charts cheap: a series of thousands of steps is drawn from at most a few hundred points.
// Largest-Triangle-Three-Buckets (Steinarsson 2013) keeps the visual shape (peaks, dips, the seesaw) that a plain
// "every k-th point" would miss, and always keeps the first and the last point (the newest value must show).

export interface XY {
  x: number;
  y: number;
}

/** The default cap per series: enough for a smooth line, small enough that a re-render stays far below a frame. */
export const MAX_POINTS = 300;

/** Drops points whose y is not a finite number (NaN AUC when a class is missing, a diverged loss). */
export function finitePoints(points: readonly XY[]): XY[] {
  return points.filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x));
}

/** LTTB: returns `points` itself when it already has <= maxPoints points, else maxPoints points of it. */
export function downsample(points: readonly XY[], maxPoints = MAX_POINTS): readonly XY[] {
  const n = points.length;
  if (maxPoints < 3) throw new Error(`downsample: maxPoints must be >= 3 (got ${maxPoints})`);
  if (n <= maxPoints) return points;
  const out: XY[] = [points[0]];
  // Interior points fall in maxPoints - 2 buckets; from each keep the point that makes the largest triangle with
  // the point kept before and the average of the next bucket.
  const bucket = (n - 2) / (maxPoints - 2);
  let kept = 0;
  for (let b = 0; b < maxPoints - 2; b++) {
    const start = Math.floor(b * bucket) + 1;
    const end = Math.floor((b + 1) * bucket) + 1;
    const nextStart = end;
    const nextEnd = Math.min(n, Math.floor((b + 2) * bucket) + 1);
    let ax = 0;
    let ay = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      ax += points[i].x;
      ay += points[i].y;
    }
    const count = Math.max(1, nextEnd - nextStart);
    ax /= count;
    ay /= count;
    const px = points[kept].x;
    const py = points[kept].y;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const area = Math.abs((px - ax) * (points[i].y - py) - (px - points[i].x) * (ay - py));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(points[best]);
    kept = best;
  }
  out.push(points[n - 1]);
  return out;
}

/** The drawn points of each series, by the identity of its points array (series are immutable snapshots). */
const drawnCache = new WeakMap<readonly XY[], readonly XY[]>();

/**
 * What a chart draws of `points`: its finite points, downsampled. Cached per points array, so the chart and the
 * frame's data list (which states how many points are drawn) compute it once per update, not once each.
 */
export function drawnPoints(points: readonly XY[]): readonly XY[] {
  let drawn = drawnCache.get(points);
  if (!drawn) {
    drawn = downsample(finitePoints(points));
    drawnCache.set(points, drawn);
  }
  return drawn;
}
