// OneRank, the whole forward pass (read it beside ONERANK.md; each section lives in its own module):
//   1. tokens      s, IH, c_i (tokenizer.ts), t_k (taskTokens.ts);  X = [SD | IH | G_1..G_N], G_i = [c_i, t_1..t_K]
//   2. trunk       shared pre-norm Transformer under the structured mask (trunk.ts, mask.ts) -> r [B, N, K, d]
//   3. candidates  h_k = MHCA_k(LN(f_k(s)), {r[i][k]})  (candidateContext.ts)              -> h [B, K, d]
//   4+5. tasks     z = CrossTask(h) with mask A and per-edge detachment D (crossTask.ts)     -> z [B, K, d]
//   6. score       logit[i][k] = g_k z_k . r[i][k] / sqrt(d) + b_k (scorer.ts)              -> [B, N, K]
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config';
import type { DatasetMeta } from '../data/types';
import { CandidateContext } from './candidateContext';
import { CrossTaskAttention } from './crossTask';
import { attentionMask, detachMatrix, taskMask, tokenLayout, type TokenLayout } from './mask';
import { Params } from './params';
import { MatchingScorer, R_GAIN } from './scorer';
import { resolveSwitches, type Switches } from './switches';
import { TaskTokens } from './taskTokens';
import { Tokenizer } from './tokenizer';
import { assembleSequence, attentionBias, groupOutputs, keyPadding, Trunk } from './trunk';
import type { BatchTensors, CapturedAttention, ForwardOptions, ForwardOutput, RankingModel } from './types';

/** Every intermediate of one forward pass (for tests and probes; call inside tf.tidy). */
export interface OneRankParts {
  s: tf.Tensor2D; // [B, d] situational descriptor
  r: tf.Tensor4D; // [B, N, K, d] trunk output at the task tokens
  h: tf.Tensor3D; // [B, K, d] candidate-aware task channels (after channelTap)
  z: tf.Tensor3D; // [B, K, d] after cross-task interaction
  logits: tf.Tensor3D; // [B, N, K]
  attention?: CapturedAttention;
}

export class OneRank implements RankingModel {
  readonly kind = 'onerank' as const;
  readonly variables: tf.Variable[];
  readonly trunkVariables: tf.Variable[];
  readonly switches: Switches;
  readonly layout: TokenLayout;
  /** The trunk mask without padding [T][T], the cross-task mask A and the detachment matrix D. */
  readonly mask: number[][];
  readonly taskMask: number[][];
  readonly detach: number[][];

  readonly tokenizer: Tokenizer;
  readonly taskTokens: TaskTokens;
  private readonly params: Params;
  private readonly trunk: Trunk;
  private readonly candidateContext: CandidateContext;
  private readonly crossTask: CrossTaskAttention;
  private readonly scorer: MatchingScorer;
  private readonly maskTensor: tf.Tensor2D; // [T, T], built once per layout
  private readonly eyeTensor: tf.Tensor2D;
  private dropoutCalls = 0;

  constructor(
    readonly config: Config,
    readonly meta: DatasetMeta,
  ) {
    const cfg = config;
    const K = meta.tasks.length;
    if (cfg.d % cfg.heads !== 0) throw new Error(`d = ${cfg.d} must be divisible by heads = ${cfg.heads}`);
    this.switches = resolveSwitches(cfg, meta);
    this.layout = tokenLayout(meta, cfg);
    this.mask = attentionMask(this.layout, this.switches.attentionMask);
    this.taskMask = taskMask(this.switches.crossTaskMask, K, this.switches.customTaskMask);
    this.detach = detachMatrix(this.switches.detach, this.switches.detachEdges, K);

    const p = (this.params = new Params('onerank', cfg.seed));
    const seed = () => cfg.seed * 100_003 + ++this.dropoutCalls;
    this.tokenizer = new Tokenizer(p, meta, cfg.d);
    this.taskTokens = new TaskTokens(p, this.switches.taskTokens, K, cfg.d);
    this.trunk = new Trunk(p, cfg, seed, R_GAIN); // r starts small: the logits start near the base rate (scorer.ts)
    this.candidateContext = new CandidateContext(p, this.switches.candidateContext, K, cfg.d, cfg.heads);
    this.crossTask = new CrossTaskAttention(p, this.switches.crossTaskAttention, this.taskMask, this.detach, cfg.d, cfg.heads, cfg.ffnRatio);
    this.scorer = new MatchingScorer(p, cfg.scorer, meta.positiveRate, cfg.d);
    this.variables = p.all;
    this.trunkVariables = p.group('tokenizer', 'trunk');
    this.maskTensor = tf.keep(tf.tensor2d(this.mask));
    this.eyeTensor = tf.keep(tf.eye(this.layout.T) as tf.Tensor2D);
  }

  forward(batch: BatchTensors, opts: ForwardOptions): ForwardOutput {
    // tidy keeps every tensor reachable from the returned object (logits and the captured maps).
    return tf.tidy(() => {
      const { logits, attention } = this.forwardParts(batch, opts);
      return (attention ? { logits, attention } : { logits }) as unknown as tf.TensorContainer;
    }) as unknown as ForwardOutput;
  }

  forwardParts(bt: BatchTensors, opts: ForwardOptions): OneRankParts {
    const { layout } = this;
    const K = this.meta.tasks.length;
    const [B, N] = bt.candMask.shape;
    const capture = opts.capture ?? false;

    // 1. Tokens.
    const s = this.tokenizer.situation(bt); // [B, d]
    const cand = this.tokenizer.candidates(bt); // [B, N, d]
    const x = assembleSequence(s, this.tokenizer.history(bt), cand, this.taskTokens.tokens(cand)); // [B, T, d]

    // 2. Shared trunk under the structured mask; r[i][k] = output at t_k of group i.
    const bias = attentionBias(this.maskTensor, this.eyeTensor, keyPadding(bt, layout)); // mask [T, T] x real keys [B, T]
    const trunk = this.trunk.run(x, bias, opts.training, capture);
    const slots = groupOutputs(trunk.out, layout).slice([0, 0, 1, 0], [B, N, layout.taskSlots, this.config.d]);
    const r = (layout.taskSlots === K ? slots : tf.tile(slots, [1, 1, K, 1])) as tf.Tensor4D; // [B, N, K, d]

    // 3. Candidate-aware contextualization.
    const cc = this.candidateContext.run(s, r, bt.candMask, capture);
    const h = opts.channelTap ? (tf.add(cc.h, opts.channelTap) as tf.Tensor3D) : cc.h; // [B, K, d]

    // 4 + 5. Controlled cross-task interaction with gradient detachment.
    const ct = this.crossTask.run(h, capture);

    // 6. Matching scorer.
    const logits = this.scorer.score(ct.z, r);

    const attention: CapturedAttention | undefined = capture
      ? {
          tokens: layout.tokens.map((t) => t.label),
          mask: this.mask,
          trunk: trunk.maps!,
          candidate: cc.maps,
          crossTask: ct.map,
          taskMask: this.taskMask,
        }
      : undefined;
    return { s, r, h, z: ct.z, logits, attention };
  }

  dispose(): void {
    this.params.dispose();
    this.crossTask.dispose();
    this.maskTensor.dispose();
    this.eyeTensor.dispose();
  }
}

export function buildOneRank(cfg: Config, meta: DatasetMeta): OneRank {
  return new OneRank(cfg, meta);
}
