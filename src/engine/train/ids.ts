// User and item ids: what a model can know about them, and how training teaches it about the ones it cannot.
// The vocabularies are built on the training split (data/vocab.ts), so an id that is OOV (1) in an evaluation
// request is a user or item the model never saw in training: that is what cold-start evaluation splits on, and
// what id dropout imitates while training (some known ids shown as OOV, so the OOV row learns what "unseen" means).
import { OOV_ID } from '../data/vocab';
import type { Batch, DatasetMeta, RequestArrays } from '../data/types';
import type { Rng } from '../data/rng';

/**
 * The column of ctxCat that holds the user id, or -1. The encoder puts the user id first among the context
 * features when the data has a user column (data/encode.ts), which is when requests carry a user (user >= 0).
 */
export function userIdColumn(ds: DatasetMeta & Pick<RequestArrays, 'user'>): number {
  return ds.features.ctxCat.length > 0 && ds.user.some((u) => u >= 0) ? 0 : -1;
}

/** Replaces each real user id, candidate item id and history item id by OOV with probability p (in place). */
export function dropIds(batch: Batch, meta: DatasetMeta, userCol: number, p: number, rng: Rng): void {
  if (p <= 0) return;
  const drop = (a: Int32Array, at: number) => {
    if (a[at] > OOV_ID && rng() < p) a[at] = OOV_ID; // padding (0) stays padding; OOV stays OOV
  };
  const Fc = meta.features.ctxCat.length;
  if (userCol >= 0) for (let r = 0; r < batch.numRequests; r++) drop(batch.ctxCat, r * Fc + userCol);
  if (meta.itemVocabSize > 0) {
    for (let j = 0; j < batch.candItem.length; j++) drop(batch.candItem, j);
    for (let j = 0; j < batch.history.length; j++) drop(batch.history, j);
  }
}

/** Whether each of the given requests' user is known to the model (seen in training); null without user ids. */
export function seenUsers(ds: DatasetMeta & RequestArrays, requests: ArrayLike<number>): Uint8Array | null {
  const col = userIdColumn(ds);
  if (col < 0) return null;
  const Fc = ds.features.ctxCat.length;
  return Uint8Array.from({ length: requests.length }, (_, i) => (ds.ctxCat[requests[i] * Fc + col] === OOV_ID ? 0 : 1));
}

/** Share of the real candidates of the given requests whose item id is unknown to the model; null without item ids. */
export function unseenItemShare(ds: DatasetMeta & RequestArrays, requests: ArrayLike<number>): number | null {
  if (ds.itemVocabSize === 0) return null;
  const N = ds.maxCandidates;
  let real = 0;
  let unseen = 0;
  for (let i = 0; i < requests.length; i++) {
    for (let n = 0; n < N; n++) {
      const slot = requests[i] * N + n;
      if (!(ds.candMask[slot] > 0)) continue;
      real++;
      if (ds.candItem[slot] === OOV_ID) unseen++;
    }
  }
  return real === 0 ? null : unseen / real;
}
