// Vocabularies: token -> id with 0 = padding, 1 = out-of-vocabulary, 2.. = known values ordered by
// training count (most frequent first; ties by first appearance), so the same rows always give the same ids.

export const PAD_ID = 0;
export const OOV_ID = 1;

/** Counts string tokens in encounter order. */
export class TokenCounter {
  private readonly counts = new Map<string, number>();
  add(token: string, n = 1): void {
    this.counts.set(token, (this.counts.get(token) ?? 0) + n);
  }
  /** Known tokens (count >= minCount), most frequent first; Map iteration order breaks ties by first encounter. */
  vocabulary(minCount: number): string[] {
    const entries = [...this.counts.entries()].filter(([, n]) => n >= minCount);
    // Array.prototype.sort is stable, so equal counts keep encounter order.
    entries.sort((a, b) => b[1] - a[1]);
    return entries.map(([t]) => t);
  }
}

export interface Vocabulary {
  /** Readable value per id: ['<pad>', '<oov>', ...known]. */
  values: string[];
  index: Map<string, number>;
}

export function makeVocabulary(known: string[]): Vocabulary {
  const values = ['<pad>', '<oov>', ...known];
  const index = new Map<string, number>();
  known.forEach((t, i) => index.set(t, i + 2));
  return { values, index };
}

/** A vocabulary rebuilt from its readable values (a FeatureSpec's vocab: '<pad>', '<oov>', ...known), same ids. */
export function vocabularyOf(values: readonly string[]): Vocabulary {
  return makeVocabulary(values.slice(2));
}

/** Maps a column's dictionary (token id -> string) to vocabulary ids (unknown -> OOV). */
export function idsForDict(vocab: Vocabulary, dict: readonly string[]): Int32Array {
  const out = new Int32Array(dict.length);
  for (let i = 0; i < dict.length; i++) out[i] = vocab.index.get(dict[i]) ?? OOV_ID;
  return out;
}
