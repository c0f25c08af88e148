// Features -> tokens (ONERANK.md "Data layout" and section 1).
//   SD token  s   = bias + sum of context embeddings (categorical, mean-pooled multi, linear numeric)   [B, d]
//   history   h_p = item(id_p) + pos_p   (learned positions)                                           [B, H, d]
//   candidate c_i = bias + item(id_i) + sum of candidate feature embeddings (NO position)             [B, N, d]
// One SD token summarizes every context feature [ours]: s is the situational descriptor vector that section 3
// projects (q_k = LN(f_k(s))), and it keeps the sequence short (the benchmark counts 1 context token).
import * as tf from '@tensorflow/tfjs';
import type { BatchTensors } from './types';
import type { DatasetMeta, FeatureSpec } from '../data/types';
import { tableRows } from './embeddingIds';
import { effectiveHistoryLen } from './mask';
import type { Params } from './params';

export const EMBED_STD = 0.1;

/**
 * The categorical features of one side and kind: one table per feature (rows = that feature's vocabulary),
 * looked up with ONE gather into their concatenation (the batch's ids come shifted by each table's offset:
 * model/embeddingIds.ts).
 */
class CategoricalGroup {
  readonly tables: tf.Variable[];

  constructor(p: Params, scope: string, readonly specs: FeatureSpec[], d: number) {
    this.tables = specs.map((s) => p.normal(`${scope}/${s.name}`, [tableRows(s), d], EMBED_STD));
  }

  get size(): number {
    return this.specs.length;
  }

  private table(): tf.Tensor2D {
    return (this.tables.length === 1 ? this.tables[0] : tf.concat(this.tables, 0)) as tf.Tensor2D;
  }

  /** ids [..., F] -> embeddings [..., F, d] */
  embed(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.table(), ids);
  }

  /** ids [..., F, M], which slots hold one [..., F, M] and how many [..., F, 1] -> per-feature mean [..., F, d] */
  embedMulti(ids: tf.Tensor, present: tf.Tensor, count: tf.Tensor): tf.Tensor {
    const e = tf.gather(this.table(), ids); // [..., F, M, d]
    return tf.div(tf.sum(tf.mul(e, present.expandDims(-1)), -2), count);
  }
}

/** The features of one side: categorical + multi + numeric, summed into one d-vector per token. */
class FeatureSide {
  private readonly cat: CategoricalGroup;
  private readonly multi: CategoricalGroup;
  private readonly num: tf.Variable | null; // [Fn, d]
  readonly bias: tf.Variable; // [d]: also tells the token's kind apart (SD vs candidate)

  constructor(p: Params, scope: string, cat: FeatureSpec[], multi: FeatureSpec[], num: FeatureSpec[], d: number) {
    this.bias = p.normal(`${scope}/bias`, [d], EMBED_STD);
    this.cat = new CategoricalGroup(p, `${scope}/cat`, cat, d);
    this.multi = new CategoricalGroup(p, `${scope}/multi`, multi, d);
    this.num = num.length ? p.normal(`${scope}/num`, [num.length, d], EMBED_STD) : null;
  }

  /** catIds [..., Fc], multi (ids and which slots hold one [..., Fm, M], counts [..., Fm, 1]), num [..., Fn] -> [..., d] */
  embed(catIds: tf.Tensor, multi: [tf.Tensor, tf.Tensor, tf.Tensor], num: tf.Tensor, lead: number[]): tf.Tensor {
    const d = this.bias.shape[0];
    const terms: tf.Tensor[] = [];
    if (this.cat.size) terms.push(tf.sum(this.cat.embed(catIds), -2));
    if (this.multi.size) terms.push(tf.sum(this.multi.embedMulti(...multi), -2));
    if (this.num) terms.push(tf.matMul(num.reshape([-1, this.num.shape[0]]), this.num).reshape([...lead, d]));
    const x = terms.length ? terms.reduce((a, b) => tf.add(a, b)) : tf.zeros([...lead, d]);
    return tf.add(x, this.bias);
  }
}

export class Tokenizer {
  readonly historyLen: number;
  private readonly context: FeatureSide;
  private readonly candidate: FeatureSide;
  /** Item ids, shared by history and candidates; null when the data has no item id column. */
  private readonly item: tf.Variable | null;
  private readonly position: tf.Variable | null; // [H, d]

  constructor(p: Params, meta: DatasetMeta, d: number) {
    const f = meta.features;
    this.historyLen = effectiveHistoryLen(meta);
    this.context = new FeatureSide(p, 'tokenizer/ctx', f.ctxCat, f.ctxMulti, f.ctxNum, d);
    this.candidate = new FeatureSide(p, 'tokenizer/cand', f.candCat, f.candMulti, f.candNum, d);
    this.item = meta.itemVocabSize > 0 ? p.normal('tokenizer/item', [meta.itemVocabSize, d], EMBED_STD) : null;
    this.position = this.historyLen > 0 ? p.normal('tokenizer/histPos', [this.historyLen, d], EMBED_STD) : null;
  }

  /** The situational descriptor s [B, d] (also the SD token). */
  situation(bt: BatchTensors): tf.Tensor2D {
    return this.context.embed(bt.ctxCat, [bt.ctxMulti, bt.ctxMultiPresent, bt.ctxMultiCount], bt.ctxNum, [bt.B]) as tf.Tensor2D;
  }

  /** History tokens [B, H, d], or null when there is no history. */
  history(bt: BatchTensors): tf.Tensor3D | null {
    if (!this.item || !this.position) return null;
    return tf.add(tf.gather(this.item, bt.history), this.position) as tf.Tensor3D;
  }

  /** Candidate tokens c [B, N, d]. */
  candidates(bt: BatchTensors): tf.Tensor3D {
    const N = bt.candMask.shape[1];
    const c = this.candidate.embed(bt.candCat, [bt.candMulti, bt.candMultiPresent, bt.candMultiCount], bt.candNum, [bt.B, N]);
    return (this.item ? tf.add(c, tf.gather(this.item, bt.candItem)) : c) as tf.Tensor3D;
  }
}
