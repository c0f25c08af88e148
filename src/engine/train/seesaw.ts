// The seesaw, measured: a task falling below its own best while another task sets a new best. The app's
// seesaw chart draws the same quantity (each task relative to its best so far); this finds its largest
// instance, so a demo's text and a test can state it as a number.

export interface MetricPoint {
  step: number;
  /** One value per task (e.g. validation AUC), in task order. */
  values: readonly number[];
}

export interface SeesawEvent {
  step: number;
  /** Index of the task that set a new best at this step. */
  rose: number;
  /** Index of the task that sat below its own best at this step. */
  fell: number;
  /** How far `fell` was below its best so far (> 0). */
  drop: number;
  /** How much `rose` gained over its previous best. */
  gain: number;
}

/**
 * The largest drop of one task below its best so far, at a point where another task set a new best
 * (null when no task ever fell while another rose). Non-finite values are skipped.
 */
export function largestSeesaw(points: readonly MetricPoint[]): SeesawEvent | null {
  const K = points[0]?.values.length ?? 0;
  const best: number[] = new Array<number>(K).fill(-Infinity);
  let out: SeesawEvent | null = null;
  for (const p of points) {
    const prev = [...best];
    for (let k = 0; k < K; k++) if (Number.isFinite(p.values[k])) best[k] = Math.max(best[k], p.values[k]);
    for (let rose = 0; rose < K; rose++) {
      // A first value is not a "new best" that anything was traded for.
      if (!(prev[rose] > -Infinity) || !(p.values[rose] > prev[rose])) continue;
      for (let fell = 0; fell < K; fell++) {
        if (fell === rose || !Number.isFinite(p.values[fell])) continue;
        const drop = best[fell] - p.values[fell];
        if (drop > 0 && (out === null || drop > out.drop)) out = { step: p.step, rose, fell, drop, gain: p.values[rose] - prev[rose] };
      }
    }
  }
  return out;
}
