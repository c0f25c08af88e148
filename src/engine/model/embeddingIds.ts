// Ids as the embedding lookups read them, worked out on the CPU while the batch is built (model/index.ts batchArrays).
// The categorical features of one side and kind share ONE lookup into their tables' concatenation (tokenizer.ts), so
// feature f's ids are shifted by the rows of the tables before it; a multi-valued feature is the mean of its
// non-empty slots (id 0 = empty): which slots hold an id, and how many (at least 1). These were GPU programs every
// step (an int add per group; greater, a sum and a maximum for the mean's mask and divisor) on numbers the CPU has.
// The mean itself stays sum(e * present) / count on the device, the same operations as before in the same order,
// so the numbers did not move.
import type { FeatureSpec } from '../data/types';

/** Rows of feature f's table: its vocabulary (at least 2: the unknown id 0 and one more). */
export const tableRows = (spec: FeatureSpec): number => Math.max(spec.vocabSize, 2);

/** Where each feature's table starts in the concatenation of the group's tables. */
export function tableOffsets(specs: readonly FeatureSpec[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const s of specs) {
    offsets.push(at);
    at += tableRows(s);
  }
  return offsets;
}

/** ids [..., F, inner] (inner = 1 for single-valued features) -> the same ids shifted by their feature's offset. */
export function offsetIds(ids: Int32Array, offsets: readonly number[], inner: number): Int32Array {
  const out = new Int32Array(ids.length);
  const F = offsets.length;
  for (let i = 0; i < ids.length; i++) out[i] = ids[i] + offsets[Math.floor(i / inner) % F];
  return out;
}

/** ids [..., M] of multi-valued slots (0 = empty) -> 1 where a slot holds an id, else 0 [..., M]. */
export function slotPresent(ids: Int32Array): Float32Array {
  // A plain loop: Float32Array.from(ids, f) took 5 ms for a `large` batch's 98,304 slots (the step is 45 ms).
  const out = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = ids[i] > 0 ? 1 : 0;
  return out;
}

/** ids [..., M] -> how many slots hold an id, at least 1 (the mean's divisor) [..., 1]. */
export function slotCounts(ids: Int32Array, M: number): Float32Array {
  const out = new Float32Array(M > 0 ? ids.length / M : 0);
  for (let r = 0; r < out.length; r++) {
    let count = 0;
    for (let m = 0; m < M; m++) if (ids[r * M + m] > 0) count += 1;
    out[r] = Math.max(count, 1);
  }
  return out;
}
