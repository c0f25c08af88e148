// The Pareto front of a two-task plane: the points no other point beats on both tasks at once.
// Both axes are "higher is better" (AUC, GAUC); a point on the front can only gain on one task by losing on
// the other, which is exactly the seesaw trade-off the plane is there to show.

export interface PlanePoint {
  x: number;
  y: number;
}

/** Non-dominated points, sorted by x ascending (so y descends along the front). Ties on both axes keep one. */
export function paretoFront<P extends PlanePoint>(points: readonly P[]): P[] {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  // Sweep from the largest x down, keeping a point when its y beats every y seen so far (all of which have a
  // larger or equal x): then nothing dominates it.
  const sorted = [...finite].sort((a, b) => b.x - a.x || b.y - a.y);
  const front: P[] = [];
  let bestY = -Infinity;
  for (const p of sorted) {
    if (p.y > bestY) {
      front.push(p);
      bestY = p.y;
    }
  }
  return front.reverse();
}

/** True when `a` is at least as good as `b` on both axes and better on one. */
export function dominates(a: PlanePoint, b: PlanePoint): boolean {
  return a.x >= b.x && a.y >= b.y && (a.x > b.x || a.y > b.y);
}
