// Tiny deterministic datasets for model and trainer tests: a DatasetMeta with chosen shapes and a random Batch.
import { DEFAULT_CONFIG, type Config } from '../../../src/engine/config';
import type { Batch, DatasetMeta, FeatureSpec } from '../../../src/engine/data/types';
import { mulberry32 } from '../../../src/engine/model/random';

export interface TinyMetaOptions {
  /** Number of tasks (named t0, t1, ...) or their names. Default 3: click, cart, order. */
  tasks?: number | string[];
  historyLen?: number; // default 4
  maxCandidates?: number; // default 3
  itemVocabSize?: number; // default 12 (0 = no item id column)
  multiLen?: number; // default 3
  /** Feature counts per group (defaults 2, 1, 1, 1, 1, 1). */
  ctxCat?: number;
  ctxNum?: number;
  ctxMulti?: number;
  candCat?: number;
  candNum?: number;
  candMulti?: number;
  /** Vocabulary size of every categorical / multi feature, including pad and OOV. Default 7. */
  vocabSize?: number;
  positiveRate?: number[];
}

export function tinyMeta(o: TinyMetaOptions = {}): DatasetMeta {
  const tasks = Array.isArray(o.tasks)
    ? o.tasks
    : o.tasks === undefined
      ? ['click', 'cart', 'order']
      : Array.from({ length: o.tasks }, (_, k) => `t${k}`);
  const V = o.vocabSize ?? 7;
  const spec = (prefix: string, n: number, kind: FeatureSpec['kind'], side: FeatureSpec['side']): FeatureSpec[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `${prefix}${i}`,
      kind,
      side,
      vocabSize: kind === 'numeric' ? 0 : V,
      ...(kind === 'numeric' ? { mean: 0, std: 1 } : {}),
    }));
  return {
    name: 'tiny',
    tasks,
    features: {
      ctxCat: spec('user', o.ctxCat ?? 2, 'categorical', 'context'),
      ctxNum: spec('age', o.ctxNum ?? 1, 'numeric', 'context'),
      ctxMulti: spec('tags', o.ctxMulti ?? 1, 'multi', 'context'),
      candCat: spec('brand', o.candCat ?? 1, 'categorical', 'candidate'),
      candNum: spec('price', o.candNum ?? 1, 'numeric', 'candidate'),
      candMulti: spec('cats', o.candMulti ?? 1, 'multi', 'candidate'),
    },
    itemVocabSize: o.itemVocabSize ?? 12,
    historyLen: o.historyLen ?? 4,
    maxCandidates: o.maxCandidates ?? 3,
    multiLen: o.multiLen ?? 3,
    positiveRate: o.positiveRate ?? tasks.map((_, k) => 0.3 / (k + 1)),
  };
}

export interface RandomBatchOptions {
  seed?: number; // default 1
  /** Real candidates per request are drawn in [minCandidates, N]; the rest are padding. Default N (no padding). */
  minCandidates?: number;
}

/** A random Batch of B requests that respects the id conventions (0 = pad, 1 = OOV, ids < vocabSize). */
export function randomBatch(meta: DatasetMeta, B: number, o: RandomBatchOptions = {}): Batch {
  const rand = mulberry32(o.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const f = meta.features;
  const { historyLen: H, maxCandidates: N, multiLen: M } = meta;
  const K = meta.tasks.length;
  const minC = Math.min(o.minCandidates ?? N, N);
  const ids = (n: number, specs: FeatureSpec[], per = 1) => Int32Array.from({ length: n }, (_, i) => int(1, specs[Math.floor(i / per) % specs.length].vocabSize - 1));
  const multi = (rows: number, specs: FeatureSpec[]) => {
    const out = new Int32Array(rows * specs.length * M);
    for (let r = 0; r < rows; r++)
      specs.forEach((s, fi) => {
        const used = int(0, M);
        for (let m = 0; m < used; m++) out[(r * specs.length + fi) * M + m] = int(1, s.vocabSize - 1);
      });
    return out;
  };
  const normal = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);

  const history = new Int32Array(B * H);
  if (meta.itemVocabSize > 0)
    for (let b = 0; b < B; b++) {
      const used = int(0, H); // left-padded: the real items are the last `used`
      for (let p = H - used; p < H; p++) history[b * H + p] = int(1, meta.itemVocabSize - 1);
    }
  const candMask = new Float32Array(B * N);
  for (let b = 0; b < B; b++) {
    const real = int(minC, N);
    for (let i = 0; i < real; i++) candMask[b * N + i] = 1;
  }
  const candItem = Int32Array.from({ length: B * N }, (_, j) =>
    candMask[j] ? (meta.itemVocabSize > 0 ? int(1, meta.itemVocabSize - 1) : 1) : 0,
  );
  const candCat = ids(B * N * f.candCat.length, f.candCat);
  const candNum = normal(B * N * f.candNum.length);
  const candMulti = multi(B * N, f.candMulti);
  const labels = Float32Array.from({ length: B * N * K }, (_, j) => (rand() < meta.positiveRate[j % K] ? 1 : 0));
  // Padded candidate slots carry nothing.
  for (let j = 0; j < B * N; j++)
    if (!candMask[j]) {
      candCat.fill(0, j * f.candCat.length, (j + 1) * f.candCat.length);
      candNum.fill(0, j * f.candNum.length, (j + 1) * f.candNum.length);
      candMulti.fill(0, j * f.candMulti.length * M, (j + 1) * f.candMulti.length * M);
      labels.fill(0, j * K, (j + 1) * K);
    }
  return {
    numRequests: B,
    ctxCat: ids(B * f.ctxCat.length, f.ctxCat),
    ctxNum: normal(B * f.ctxNum.length),
    ctxMulti: multi(B, f.ctxMulti),
    history,
    candItem,
    candCat,
    candNum,
    candMulti,
    candMask,
    labels,
    user: Int32Array.from({ length: B }, (_, b) => b % 3),
    time: Float64Array.from({ length: B }, (_, b) => b),
  };
}

/** DEFAULT_CONFIG at a tiny size (d 8, 1 layer, 2 heads), consistent with the meta's (or dataset's) shapes. */
export function tinyConfig(meta: Pick<DatasetMeta, 'historyLen' | 'maxCandidates' | 'multiLen'>, overrides: Partial<Config> = {}): Config {
  return {
    ...DEFAULT_CONFIG,
    d: 8,
    layers: 1,
    heads: 2,
    ffnRatio: 2,
    dropout: 0,
    experts: 2,
    expertHidden: 8,
    towerHidden: 4,
    historyLen: meta.historyLen,
    maxCandidates: meta.maxCandidates,
    multiLen: meta.multiLen,
    ...overrides,
  };
}
