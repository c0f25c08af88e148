// What the dataset-summary panel and inspect-data show: sizes, request shape, positive rates, features.
import type { EncodedDataset, FeatureKind, FeatureSide } from './types';

export interface DatasetSummary {
  name: string;
  /** Candidate rows encoded (real candidates). */
  rows: number;
  requests: number;
  trainRequests: number;
  valRequests: number;
  candidatesPerRequest: { mean: number; max: number; capacity: number };
  tasks: { name: string; positives: number; positiveRate: number; trainPositiveRate: number }[];
  features: { name: string; kind: FeatureKind; side: FeatureSide; cardinality: number }[];
  historyLen: number;
  /** Mean number of real (non-padding) history items per request. */
  meanHistory: number;
  itemVocabSize: number;
  /** Distinct users (0 when there is no user column). */
  users: number;
}

export function summarize(ds: EncodedDataset): DatasetSummary {
  const N = ds.maxCandidates;
  const K = ds.tasks.length;
  let rows = 0;
  let maxCands = 0;
  const positives = new Array<number>(K).fill(0);
  for (let q = 0; q < ds.numRequests; q++) {
    let n = 0;
    for (let i = 0; i < N; i++) {
      if (!ds.candMask[q * N + i]) continue;
      n++;
      for (let k = 0; k < K; k++) positives[k] += ds.labels[(q * N + i) * K + k];
    }
    rows += n;
    maxCands = Math.max(maxCands, n);
  }
  let histItems = 0;
  for (let j = 0; j < ds.history.length; j++) if (ds.history[j] !== 0) histItems++;
  const users = new Set<number>();
  for (const u of ds.user) if (u >= 0) users.add(u);
  const f = ds.features;
  return {
    name: ds.name,
    rows,
    requests: ds.numRequests,
    trainRequests: ds.trainIdx.length,
    valRequests: ds.valIdx.length,
    candidatesPerRequest: { mean: ds.numRequests ? rows / ds.numRequests : 0, max: maxCands, capacity: N },
    tasks: ds.tasks.map((name, k) => ({ name, positives: positives[k], positiveRate: rows ? positives[k] / rows : 0, trainPositiveRate: ds.positiveRate[k] })),
    features: [...f.ctxCat, ...f.ctxNum, ...f.ctxMulti, ...f.candCat, ...f.candNum, ...f.candMulti].map((s) => ({
      name: s.name,
      kind: s.kind,
      side: s.side,
      cardinality: s.vocabSize,
    })),
    historyLen: ds.historyLen,
    meanHistory: ds.numRequests ? histItems / ds.numRequests : 0,
    itemVocabSize: ds.itemVocabSize,
    users: users.size,
  };
}
