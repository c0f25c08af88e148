// The decoupled paradigm the paper compares against: towers(encoder(x)). The encoder is OneRank's tokenizer and
// trunk, WITHOUT task tokens (each group is just c_i, under the same structured mask); a candidate's
// representation is [trunk output at c_i ; mean of the trunk outputs over the real context tokens] (2d), and a
// multi-task head (Shared-Bottom, MMoE, PLE) turns it into K logits.
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config';
import type { DatasetMeta } from '../../data/types';
import { act, applyTaskLinear, dropout, logitOf, taskLinear, type TaskLinear } from '../layers';
import { structuredMask, tokenLayout, type TokenLayout } from '../mask';
import { Params } from '../params';
import { Tokenizer } from '../tokenizer';
import { assembleSequence, attentionBias, groupOutputs, keyPadding, Trunk } from '../trunk';
import type { BatchTensors, ForwardOptions, ForwardOutput, RankingModel } from '../types';

/** A multi-task head: x [R, in] -> logits [R, K]. */
export interface Head {
  run(x: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

export interface HeadContext {
  p: Params;
  cfg: Config;
  K: number;
  inDim: number;
  positiveRate: number[];
  /** Reproducible dropout seeds. */
  seed: () => number;
}

/**
 * K task towers, one batched matMul per layer: x [K, R, in] -> [R, K]. Every model starts at the base rate: the
 * biases start at logit(rate) and the output weights at a tenth of the usual std, so p is within 2% (LogLoss) of
 * the positive rate at step 0 (at full std MMoE's and PLE's step-0 LogLoss sat above that). Not at 0: measured,
 * zero output weights slowed PLE's click in train-learns below AUC 0.75.
 */
export class Towers {
  private readonly hidden: TaskLinear; // [K, in, towerHidden]
  private readonly out: TaskLinear; // [K, towerHidden, 1]

  constructor(p: Params, name: string, inDim: number, ctx: HeadContext) {
    const { K, cfg } = ctx;
    this.hidden = taskLinear(p, `${name}/hidden`, K, inDim, cfg.towerHidden);
    this.out = {
      w: p.weight(`${name}/out/w`, [K, cfg.towerHidden, 1], 0.1),
      b: p.values(`${name}/out/b`, [K, 1, 1], ctx.positiveRate.map(logitOf)),
    };
  }

  run(x: tf.Tensor3D): tf.Tensor2D {
    const [K, R] = x.shape;
    return applyTaskLinear(act(applyTaskLinear(x, this.hidden)), this.out).reshape([K, R]).transpose() as tf.Tensor2D;
  }
}

/** Broadcasts a shared input to every task: [R, in] -> [K, R, in]. */
export function perTask(x: tf.Tensor2D, K: number): tf.Tensor3D {
  return tf.broadcastTo(x.expandDims(0), [K, ...x.shape]) as tf.Tensor3D;
}

export class TowerModel implements RankingModel {
  readonly variables: tf.Variable[];
  readonly trunkVariables: tf.Variable[];
  readonly layout: TokenLayout;
  readonly mask: number[][];
  private readonly params: Params;
  private readonly tokenizer: Tokenizer;
  private readonly trunk: Trunk;
  private readonly head: Head;
  private readonly maskTensor: tf.Tensor2D;
  private readonly eyeTensor: tf.Tensor2D;
  private dropoutCalls = 0;
  private readonly seed = () => this.config.seed * 100_003 + ++this.dropoutCalls;

  constructor(
    readonly kind: Config['model'],
    readonly config: Config,
    readonly meta: DatasetMeta,
    makeHead: (ctx: HeadContext) => Head,
  ) {
    const cfg = config;
    if (cfg.d % cfg.heads !== 0) throw new Error(`d = ${cfg.d} must be divisible by heads = ${cfg.heads}`);
    this.layout = tokenLayout(meta, cfg); // no task tokens for the baselines
    this.mask = structuredMask(this.layout);
    const p = (this.params = new Params(kind, cfg.seed));
    const seed = this.seed;
    this.tokenizer = new Tokenizer(p, meta, cfg.d);
    this.trunk = new Trunk(p, cfg, seed);
    this.head = makeHead({ p, cfg, K: meta.tasks.length, inDim: 2 * cfg.d, positiveRate: meta.positiveRate, seed });
    this.variables = p.all;
    this.trunkVariables = p.group('tokenizer', 'trunk');
    this.maskTensor = tf.keep(tf.tensor2d(this.mask));
    this.eyeTensor = tf.keep(tf.eye(this.layout.T) as tf.Tensor2D);
  }

  forward(bt: BatchTensors, opts: ForwardOptions): ForwardOutput {
    return tf.tidy((): tf.TensorContainer => {
      const { layout, config } = this;
      const [B, N] = bt.candMask.shape;
      const d = config.d;
      const capture = opts.capture ?? false;
      const s = this.tokenizer.situation(bt);
      const x = assembleSequence(s, this.tokenizer.history(bt), this.tokenizer.candidates(bt), null); // [B, T, d]
      const keyReal = keyPadding(bt, layout); // [B, T]
      const trunk = this.trunk.run(x, attentionBias(this.maskTensor, this.eyeTensor, keyReal), opts.training, capture);
      const cand = groupOutputs(trunk.out, layout).reshape([B, N, d]); // trunk output at c_i
      const ctxReal = keyReal.slice([0, 0], [B, layout.numCtx]).expandDims(2); // [B, Tc, 1]
      const ctxOut = trunk.out.slice([0, 0, 0], [B, layout.numCtx, d]);
      const pooled = tf.div(tf.sum(tf.mul(ctxOut, ctxReal), 1), tf.sum(ctxReal, 1)); // [B, d] (SD is always real)
      const rep = tf.concat([cand, tf.broadcastTo(pooled.expandDims(1), [B, N, d])], 2).reshape([B * N, 2 * d]);
      const input = dropout(rep as tf.Tensor2D, config.dropout, opts.training, this.seed);
      const logits = this.head.run(input, opts.training).reshape([B, N, this.meta.tasks.length]) as tf.Tensor3D;
      if (!capture) return { logits };
      const attention = { tokens: layout.tokens.map((t) => t.label), mask: this.mask, trunk: trunk.maps! };
      return { logits, attention } as unknown as tf.TensorContainer;
    }) as unknown as ForwardOutput;
  }

  dispose(): void {
    this.params.dispose();
    this.maskTensor.dispose();
    this.eyeTensor.dispose();
  }
}
