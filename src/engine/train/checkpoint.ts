// The best checkpoint of a run: the evaluation with the highest selection score (the mean validation AUC over
// tasks, or one chosen task's AUC). Pure, so the trainer (which keeps that step's weights) and the page (which
// marks it on the curves and in the run table, from the run's evaluation history) pick the same step.

/** One evaluated task, as the engine (name) or the page (task) records it. */
export interface ScoredTask {
  name?: string;
  task?: string;
  auc: number;
}

/**
 * The score that picks the best checkpoint: bestBy '' = the mean AUC over the tasks that have one (a task whose
 * split holds one class has none), else that task's AUC. NaN when there is nothing to score.
 */
export function selectionScore(tasks: readonly ScoredTask[], bestBy: string): number {
  if (bestBy !== '') return tasks.find((t) => (t.name ?? t.task) === bestBy)?.auc ?? NaN;
  const aucs = tasks.map((t) => t.auc).filter(Number.isFinite);
  return aucs.length === 0 ? NaN : aucs.reduce((a, b) => a + b, 0) / aucs.length;
}

/** Refuses a bestBy that names no task (before a run starts, not after it trained). */
export function checkBestBy(bestBy: string, tasks: readonly string[]): void {
  if (bestBy !== '' && !tasks.includes(bestBy)) {
    throw new Error(`bestBy '${bestBy}' is not a task of this dataset (tasks: ${tasks.join(', ')}); leave it empty for the mean AUC`);
  }
}

/** Whether `score` beats the best so far: strictly higher (the earlier step wins a tie); any number beats none. */
export function isNewBest(score: number, best: number | null): boolean {
  if (best === null) return true;
  if (!Number.isFinite(score)) return false;
  return !Number.isFinite(best) || score > best;
}

/** The best of a run's evaluations (in step order), by the same rule the trainer applies as they come. */
export function bestEvaluation<E extends { tasks: readonly ScoredTask[] }>(evals: readonly E[], bestBy: string): E | null {
  let best: E | null = null;
  let bestScore: number | null = null;
  for (const e of evals) {
    const s = selectionScore(e.tasks, bestBy);
    if (isNewBest(s, bestScore)) {
      best = e;
      bestScore = s;
    }
  }
  return best;
}
