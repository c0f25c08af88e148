// Ranking metrics over read-back predictions (TF.js has none). Pure functions over arrays: they run on the
// main thread, in a worker or in Node, and stay fast at 100k predictions (one sort, no per-pair loops).

type Scores = ArrayLike<number>;
type Labels = ArrayLike<number>;

/** Keeps probabilities away from 0 and 1 so one confident mistake costs a large but finite log loss. */
export const LOGLOSS_EPS = 1e-7;

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative, ties
 * counting one half (the Mann-Whitney U statistic with average ranks). NaN when a class is missing.
 */
export function auc(scores: Scores, labels: Labels): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`auc: ${n} scores but ${labels.length} labels`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  // Walk runs of equal scores; every member of a run gets the run's average (1-based) rank.
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (labels[order[i]] > 0.5) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Group AUC: the AUC inside each group (a user, or a request when users are unknown), averaged with weights =
 * the group's sample count. Groups whose labels are all one class have no AUC and are skipped.
 * NaN when no group has both classes.
 */
export function gauc(scores: Scores, labels: Labels, groups: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n || groups.length !== n) throw new Error('gauc: scores, labels and groups differ in length');
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(groups[i]);
    if (list) list.push(i);
    else members.set(groups[i], [i]);
  }
  let weighted = 0;
  let weight = 0;
  for (const rows of members.values()) {
    let positives = 0;
    for (const r of rows) if (labels[r] > 0.5) positives++;
    if (positives === 0 || positives === rows.length) continue;
    const a = auc(
      rows.map((r) => scores[r]),
      rows.map((r) => labels[r]),
    );
    weighted += rows.length * a;
    weight += rows.length;
  }
  return weight === 0 ? NaN : weighted / weight;
}

/** Mean binary cross-entropy of probabilities, clipped to [eps, 1 - eps]. */
export function logLoss(probs: Scores, labels: Labels, eps = LOGLOSS_EPS): number {
  const n = probs.length;
  if (labels.length !== n) throw new Error(`logLoss: ${n} predictions but ${labels.length} labels`);
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]));
    sum += labels[i] > 0.5 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / n;
}

export function positiveRate(labels: Labels): number {
  if (labels.length === 0) return NaN;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) positives++;
  return positives / labels.length;
}

/** Log loss of always predicting the positive rate: the floor a model must beat to have learned anything. */
export function constantLogLoss(labels: Labels, eps = LOGLOSS_EPS): number {
  const p = Math.min(1 - eps, Math.max(eps, positiveRate(labels)));
  const r = positiveRate(labels);
  return -(r * Math.log(p) + (1 - r) * Math.log(1 - p));
}

export interface TaskMetrics {
  name: string;
  auc: number;
  gauc: number;
  logloss: number;
  positiveRate: number;
  constantLogloss: number;
  /** Number of (real) candidates scored. */
  count: number;
}

/** All metrics of one task at once. */
export function taskMetrics(name: string, probs: Scores, labels: Labels, groups: ArrayLike<number>): TaskMetrics {
  return {
    name,
    auc: auc(probs, labels),
    gauc: gauc(probs, labels, groups),
    logloss: logLoss(probs, labels),
    positiveRate: positiveRate(labels),
    constantLogloss: constantLogLoss(labels),
    count: probs.length,
  };
}
