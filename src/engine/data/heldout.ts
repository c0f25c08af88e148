// A held-out test file next to the training file's own split: the training file's requests keep their train /
// validation split (the validation split picks the best checkpoint and drives early stopping), and the test file's
// requests (encoded with the training vocabularies: encodeWithVocabulary) are scored at the end, at the best and
// the last step. Picking the checkpoint on the test file would leak it into the result.
import { REQUEST_ARRAY_KEYS as ARRAYS, type EncodedDataset, type RequestArrays } from './types';

function concat<T extends Int32Array | Float32Array | Float64Array>(a: T, b: T): T {
  const out = new (a.constructor as { new (len: number): T })(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The training dataset with the test requests appended: trainIdx and valIdx stay the training file's split, testIdx
 * = every test request. `test` must share the training shapes (encodeWithVocabulary guarantees it). User keys are
 * per file, so the test file's are shifted past the training file's to keep the GAUC groups of the two files apart.
 */
export function withHeldOut(train: EncodedDataset, test: RequestArrays): EncodedDataset {
  const R = train.numRequests;
  for (const k of ARRAYS) {
    const perRequest = (a: RequestArrays) => (a.numRequests === 0 ? 0 : a[k].length / a.numRequests);
    if (test.numRequests > 0 && R > 0 && perRequest(test) !== perRequest(train)) {
      throw new Error(`withHeldOut: the test requests' ${k} has ${perRequest(test)} values per request, the training ones ${perRequest(train)}`);
    }
  }
  const userShift = train.user.reduce((m, u) => Math.max(m, u), -1) + 1;
  const testUser = test.user.map((u) => (u < 0 ? u : u + userShift));
  const joined = Object.fromEntries(ARRAYS.map((k) => [k, concat(train[k] as never, (k === 'user' ? testUser : test[k]) as never)])) as unknown as Omit<RequestArrays, 'numRequests'>;
  return {
    ...train,
    ...joined,
    numRequests: R + test.numRequests,
    trainIdx: train.trainIdx,
    valIdx: train.valIdx,
    testIdx: Int32Array.from({ length: test.numRequests }, (_, i) => R + i),
  };
}
