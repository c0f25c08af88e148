// Seesaw view (a): each task's validation metric against its own best so far. A task at 0 is at its best;
// a task dipping below 0 while another sits at 0 is the seesaw: one task improving at another's expense.
import type { XY } from './downsample';

/** y - max(y so far), per point (NaN points are skipped and do not move the best). */
export function relativeToBest(points: readonly XY[]): XY[] {
  const out: XY[] = [];
  let best = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.y)) continue;
    best = Math.max(best, p.y);
    out.push({ x: p.x, y: p.y - best });
  }
  return out;
}
