// The contract between the data layer (which produces an EncodedDataset) and the model/trainer (which read
// Batches sliced from it). Everything is a flat typed array, request-major, so it crosses a worker boundary
// by transfer and goes to tf.tensor without copies.
//
// Id conventions for every vocabulary: 0 = padding (nothing there), 1 = out-of-vocabulary, 2.. = known values.

export type FeatureKind = 'categorical' | 'multi' | 'numeric';
/** context = constant within a request (feeds the situational descriptor); candidate = varies per candidate. */
export type FeatureSide = 'context' | 'candidate';

export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
  side: FeatureSide;
  /** Vocabulary size including padding (0) and OOV (1); 0 for numeric features. */
  vocabSize: number;
  /** For numeric features: the mean and std used for standardization (missing -> 0 after standardizing). */
  mean?: number;
  std?: number;
  /** Human-readable value for each id (index = id), for attention-map labels; optional. */
  vocab?: string[];
}

export interface FeatureGroups {
  ctxCat: FeatureSpec[];
  ctxNum: FeatureSpec[];
  ctxMulti: FeatureSpec[];
  candCat: FeatureSpec[];
  candNum: FeatureSpec[];
  candMulti: FeatureSpec[];
}

/** What a model needs to build its embedding tables; a dataset without its arrays. */
export interface DatasetMeta {
  name: string;
  /** Label columns in task order (cascade masks follow this order). */
  tasks: string[];
  /** Features in the order their columns appear in the request arrays, split by side and kind. */
  features: FeatureGroups;
  /** Candidate item id vocabulary (shared with the history sequence); 0 when there is no item id column. */
  itemVocabSize: number;
  /** Readable item id per vocabulary id (index = id: '<pad>', '<oov>', ...), for attention labels; optional. */
  itemVocab?: string[];
  /** History length H of the arrays (0 = no history column). */
  historyLen: number;
  /** Candidates per request N of the arrays (1 when there is no request column). */
  maxCandidates: number;
  /** Tokens per multi-valued feature M. */
  multiLen: number;
  /** Positive rate per task over the training split (initializes the scorer bias). */
  positiveRate: number[];
}

/** The per-request arrays of RequestArrays (every field but numRequests). */
export const REQUEST_ARRAY_KEYS = ['ctxCat', 'ctxNum', 'ctxMulti', 'history', 'candItem', 'candCat', 'candNum', 'candMulti', 'candMask', 'labels', 'user', 'time'] as const;

/** A set of requests as arrays. R = number of requests. */
export interface RequestArrays {
  numRequests: number;
  ctxCat: Int32Array; // [R, features.ctxCat.length]
  ctxNum: Float32Array; // [R, features.ctxNum.length]
  ctxMulti: Int32Array; // [R, features.ctxMulti.length, M]
  history: Int32Array; // [R, H] item ids, oldest first, left-padded with 0
  candItem: Int32Array; // [R, N] (all 1 = OOV when there is no item id column; 0 = padded slot)
  candCat: Int32Array; // [R, N, features.candCat.length]
  candNum: Float32Array; // [R, N, features.candNum.length]
  candMulti: Int32Array; // [R, N, features.candMulti.length, M]
  /** 1 = a real candidate, 0 = padding (requests with fewer than N candidates). */
  candMask: Float32Array; // [R, N]
  labels: Float32Array; // [R, N, K]
  /** User index per request, for GAUC; -1 when unknown (GAUC then groups by request). */
  user: Int32Array; // [R]
  /** Request time order key (for the time split); row order when the file has none. */
  time: Float64Array; // [R]
}

export interface EncodedDataset extends DatasetMeta, RequestArrays {
  /** Request indices of each split. */
  trainIdx: Int32Array;
  valIdx: Int32Array;
  /** A held-out test file's requests (withHeldOut): scored at the end, never used to pick a checkpoint. */
  testIdx?: Int32Array;
}

/** A batch is just RequestArrays for B requests (numRequests = B). */
export type Batch = RequestArrays;

function gather<T extends Int32Array | Float32Array | Float64Array>(src: T, rows: ArrayLike<number>, width: number): T {
  const Ctor = src.constructor as { new (n: number): T };
  const out = new Ctor(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(src.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return out;
}

/** Copies the given requests out of a dataset into a Batch. */
export function sliceBatch(ds: DatasetMeta & RequestArrays, rows: ArrayLike<number>): Batch {
  const R = ds.numRequests;
  const w = (a: { length: number }) => (R === 0 ? 0 : a.length / R);
  return {
    numRequests: rows.length,
    ctxCat: gather(ds.ctxCat, rows, w(ds.ctxCat)),
    ctxNum: gather(ds.ctxNum, rows, w(ds.ctxNum)),
    ctxMulti: gather(ds.ctxMulti, rows, w(ds.ctxMulti)),
    history: gather(ds.history, rows, w(ds.history)),
    candItem: gather(ds.candItem, rows, w(ds.candItem)),
    candCat: gather(ds.candCat, rows, w(ds.candCat)),
    candNum: gather(ds.candNum, rows, w(ds.candNum)),
    candMulti: gather(ds.candMulti, rows, w(ds.candMulti)),
    candMask: gather(ds.candMask, rows, w(ds.candMask)),
    labels: gather(ds.labels, rows, w(ds.labels)),
    user: gather(ds.user, rows, 1),
    time: gather(ds.time, rows, 1),
  };
}

export function metaOf(ds: DatasetMeta): DatasetMeta {
  const { name, tasks, features, itemVocabSize, historyLen, maxCandidates, multiLen, positiveRate } = ds;
  return { name, tasks, features, itemVocabSize, historyLen, maxCandidates, multiLen, positiveRate };
}
