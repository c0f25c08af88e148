// A separate test file, expressed in the TRAINING file's vocabularies and standardization, and joined to the
// training requests as the evaluation split. The data layer encodes one file at a time (each with its own
// vocabularies), so this maps the test file's ids through their strings to the training ids and re-standardizes
// numbers with the training mean/std. [Stopgap: belongs in src/engine/data once it can encode a second file
// against a first one's vocabularies.] Known approximations: a missing number in the test file lands on the
// training value of the test file's mean (not exactly 0), and test tokens that only appear in the test file's
// own (1%) validation rows were already OOV there.
import type { EncodedDataset, FeatureSpec, RequestArrays } from '../src/engine/data/types';

const OOV_ID = 1;

/** test id -> train id for one vocabulary (0 = padding stays 0; unknown strings become OOV). */
function idMap(testVocab: readonly string[] | undefined, trainVocab: readonly string[] | undefined, what: string): Int32Array {
  if (!testVocab || !trainVocab) throw new Error(`Cannot map the test file's '${what}' ids: the encoder kept no vocabulary for it`);
  const trainId = new Map(trainVocab.map((v, i) => [v, i]));
  const out = new Int32Array(testVocab.length);
  for (let i = 0; i < testVocab.length; i++) out[i] = i <= OOV_ID ? i : (trainId.get(testVocab[i]) ?? OOV_ID);
  return out;
}

/** Remaps ids of a [R, (N,) F, (M)] array in place; the feature of element e is (e / per) % F. */
function remapIds(arr: Int32Array, maps: Int32Array[], per: number): void {
  const F = maps.length;
  for (let e = 0; e < arr.length; e++) arr[e] = maps[Math.floor(e / per) % F][arr[e]] ?? OOV_ID;
}

function restandardize(arr: Float32Array, test: FeatureSpec[], train: FeatureSpec[]): void {
  const F = test.length;
  for (let e = 0; e < arr.length; e++) {
    const f = e % F;
    const raw = arr[e] * (test[f].std ?? 1) + (test[f].mean ?? 0);
    arr[e] = (raw - (train[f].mean ?? 0)) / (train[f].std ?? 1);
  }
}

/** [R, n, w] -> [R, N, w], padding candidate slots with zeros (n <= N). */
function padCandidates<T extends Int32Array | Float32Array>(arr: T, R: number, n: number, N: number): T {
  if (n === N) return arr;
  const w = R * n === 0 ? 0 : arr.length / (R * n);
  const out = new (arr.constructor as { new (len: number): T })(R * N * w);
  for (let r = 0; r < R; r++) out.set(arr.subarray(r * n * w, (r + 1) * n * w), r * N * w);
  return out;
}

function sameFeatures(a: FeatureSpec[], b: FeatureSpec[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i].name && f.kind === b[i].kind);
}

/** The test dataset's requests in the training dataset's id space and shapes. */
export function inTrainVocabulary(train: EncodedDataset, test: EncodedDataset): RequestArrays {
  const fa = train.features;
  const fb = test.features;
  for (const g of ['ctxCat', 'ctxNum', 'ctxMulti', 'candCat', 'candNum', 'candMulti'] as const) {
    if (!sameFeatures(fa[g], fb[g])) throw new Error(`The test file's ${g} features (${fb[g].map((f) => f.name)}) differ from the training file's (${fa[g].map((f) => f.name)})`);
  }
  if (test.tasks.join(',') !== train.tasks.join(',')) throw new Error(`The test file's tasks [${test.tasks}] differ from the training file's [${train.tasks}]`);
  if (test.historyLen !== train.historyLen || test.multiLen !== train.multiLen) throw new Error('The test file was encoded with a different history length or multiLen');
  if (test.maxCandidates > train.maxCandidates) throw new Error(`The test file has ${test.maxCandidates} candidates per request, the training file ${train.maxCandidates}`);
  const R = test.numRequests;
  const M = test.multiLen;
  const n = test.maxCandidates;
  const N = train.maxCandidates;
  const maps = (g: 'ctxCat' | 'ctxMulti' | 'candCat' | 'candMulti') => fb[g].map((f, i) => idMap(f.vocab, fa[g][i].vocab, f.name));
  const ctxCat = test.ctxCat.slice();
  remapIds(ctxCat, maps('ctxCat'), 1);
  const ctxMulti = test.ctxMulti.slice();
  remapIds(ctxMulti, maps('ctxMulti'), M);
  const candCat = test.candCat.slice();
  remapIds(candCat, maps('candCat'), 1);
  const candMulti = test.candMulti.slice();
  remapIds(candMulti, maps('candMulti'), M);
  const ctxNum = test.ctxNum.slice();
  restandardize(ctxNum, fb.ctxNum, fa.ctxNum);
  const candNum = test.candNum.slice();
  restandardize(candNum, fb.candNum, fa.candNum);
  const items = train.itemVocabSize > 0 ? idMap(test.itemVocab, train.itemVocab, 'item id') : null;
  const history = test.history.slice();
  const candItem = test.candItem.slice();
  if (items) {
    remapIds(history, [items], 1);
    remapIds(candItem, [items], 1);
  }
  return {
    numRequests: R,
    ctxCat,
    ctxNum,
    ctxMulti,
    history,
    candItem: padCandidates(candItem, R, n, N),
    candCat: padCandidates(candCat, R, n, N),
    candNum: padCandidates(candNum, R, n, N),
    candMulti: padCandidates(candMulti, R, n, N),
    candMask: padCandidates(test.candMask, R, n, N),
    labels: padCandidates(test.labels, R, n, N),
    user: test.user.map((u) => (u < 0 ? u : u + 1_000_000_000)), // test users are GAUC groups of their own
    time: test.time,
  };
}

function concat<T extends Int32Array | Float32Array | Float64Array>(a: T, b: T): T {
  const out = new (a.constructor as { new (len: number): T })(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Every request of the training file is trained on; the test file's requests are the evaluation split. */
export function withHeldOut(train: EncodedDataset, test: RequestArrays): EncodedDataset {
  const R = train.numRequests;
  const arrays = ['ctxCat', 'ctxNum', 'ctxMulti', 'history', 'candItem', 'candCat', 'candNum', 'candMulti', 'candMask', 'labels', 'user', 'time'] as const;
  const joined = Object.fromEntries(arrays.map((k) => [k, concat(train[k] as never, test[k] as never)])) as unknown as Omit<RequestArrays, 'numRequests'>;
  return {
    ...train,
    ...joined,
    numRequests: R + test.numRequests,
    trainIdx: Int32Array.from({ length: R }, (_, i) => i),
    valIdx: Int32Array.from({ length: test.numRequests }, (_, i) => R + i),
  };
}
