// The training loop's one object: a model, its optimizer, the loss's temperature and a seeded batch order.
// It owns no UI and emits nothing by itself: the CLI and the training worker drive it (runTraining below).
// Every step: one tidy-scoped forward/backward, a finiteness check on values read back asynchronously, and only
// then the update, so a bad step leaves the weights exactly as they were (no copy needed).
import * as tf from '@tensorflow/tfjs';
import { taskWeightsOf, type Config } from '../config';
import { mulberry32, shuffleInPlace, type Rng } from '../data/rng';
import { metaOf, sliceBatch, type Batch, type DatasetMeta, type EncodedDataset } from '../data/types';
import { batchArrays, batchTensorList, batchToTensors, buildModel, disposeBatch, stableName } from '../model';
import type { BatchTensors, RankingModel } from '../model/types';
import { rankingLoss, Temperature, type LossWeights } from './loss';
import { auc, taskMetrics, type TaskMetrics } from './metrics';
import { checkBestBy, isNewBest, selectionScore } from './checkpoint';
import { dropIds, seenUsers, unseenItemShare, userIdColumn } from './ids';
import { installFastKernels } from './fastKernels';
import { FlatAdam } from './flatAdam';
import { StepRecorder } from './stepRecorder';
import type { Recording } from '../kernels/recordedStep';
import { setFusedKernels } from '../kernels/webgpu';
import { dropoutSeedOf, setDropoutSeed } from '../kernels/dropout';
import { adamScalarsAt, clearLatch, newLatch, stepScalars, sumOfSquares } from '../kernels/stepTail';
import { channelFlow, gradientConflict } from './probes';

export interface StepRecord {
  step: number;
  /** Total loss of the step's batch. */
  loss: number;
  /** Per-task BCE (unweighted). */
  taskLoss: number[];
  /** Per-task InfoNCE. */
  infoNce: number[];
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** The InfoNCE temperature used in this step. */
  temperature: number;
  /** Requests per second over this step (batch prep, forward, backward, update). */
  samplesPerSec: number;
  /** Passes over the training split so far (step x batch / training requests): the curves' second axis. */
  epoch: number;
  /** True when the step was a replay of the recorded step (webgpu; kernels/recordedStep.ts), not planned by TF.js. */
  replayed?: boolean;
}

export interface EvalRecord {
  step: number;
  tasks: TaskMetrics[];
  /** Per-task validation loss BCE_k + alpha * InfoNCE_k over the whole split (BCE per real candidate, InfoNCE per request with both classes). */
  valLoss: number[];
  valBce: number[];
  valInfoNce: number[];
  /** Requests evaluated. */
  requests: number;
  /** AUC by whether the request's user was seen in training; null when the data has no user ids. */
  coldStart: ColdStart | null;
  /** Share of the evaluated candidates whose item was never seen in training; null when the data has no item ids. */
  unseenItemShare: number | null;
}

/** Cold-start evaluation: a user is "seen" when its id has a row of its own (not OOV) in the trained vocabulary. */
export interface ColdStart {
  /** Share of evaluated requests whose user was not seen in training. */
  unseenUserShare: number;
  /** Per task: AUC over the candidates of requests whose user was seen / not seen (NaN: none, or one class). */
  seenUserAuc: number[];
  unseenUserAuc: number[];
}

/** The best validation step so far (see checkpoint.ts): its metrics and selection score. */
export interface BestCheckpoint {
  step: number;
  score: number;
  tasks: TaskMetrics[];
}

export interface ProbeRecord {
  step: number;
  /** K x K cosine of task gradients on the shared trunk. */
  cosine: number[][];
  /** Norm of each task's trunk gradient. */
  gradNorm: number[];
  /** [k][j] = norm of task k's loss gradient reaching channel h_j; null for the baselines. */
  channelFlow: number[][] | null;
}

/** One request's attention maps as plain arrays (for the attention panel). */
export interface AttentionSnapshot {
  /** Dataset request index. */
  request: number;
  tokens: string[];
  mask: number[][];
  /** [layer][head][T][T] */
  trunk: number[][][][];
  /** [task][head][N] (absent when candidate-aware contextualization is off) */
  candidate?: number[][][];
  /** [head][K][K] (absent without cross-task attention) */
  crossTask?: number[][][];
  taskMask?: number[][];
  /** [N] 1 = real candidate */
  candMask: number[];
  /** [N][K] */
  probabilities: number[][];
  labels: number[][];
}

export interface WeightsFile {
  format: 'onerank-weights';
  version: 1;
  config: Config;
  datasetName: string;
  tasks: string[];
  step?: number;
  variables: { name: string; shape: number[]; data: number[] }[];
}

/** Training stopped because a loss or the gradient went NaN or infinite; the weights are the last good ones. */
export class TrainingFault extends Error {
  constructor(
    readonly step: number,
    /** The task whose loss went bad, or null when only the total / gradient did. */
    readonly task: string | null,
    readonly quantity: string,
    readonly value: number,
  ) {
    super(
      `Training stopped at step ${step}: ${task === null ? quantity : `task '${task}' ${quantity}`} is ${value}. ` +
        'The update was not applied, so the weights are those of the last good step. Try a lower lr, a clipNorm, or check the data.',
    );
    this.name = 'TrainingFault';
  }
}

/** Keys that change what the weights mean: importing across a difference is refused. */
const ARCHITECTURE_KEYS = [
  'model', 'd', 'layers', 'heads', 'ffnRatio', 'scorer', 'ablation', 'candidateContext',
  'experts', 'expertHidden', 'towerHidden', 'pleSharedExperts', 'pleTaskExperts', 'pleLevels',
] as const satisfies readonly (keyof Config)[];

const TEMPERATURE_NAME = 'loss/logTemperature';
/** The embedding tables' names (tokenizer.ts): the item table and the context / candidate categorical tables. */
const EMBEDDING_TABLE = /^tokenizer\/(item$|(ctx|cand)\/(cat|multi)\/)/;
/** Evaluation batches are at least this many requests: no gradient is kept, so memory allows more. */
const MIN_EVAL_BATCH = 256;

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Seeded epoch order over the training split: shuffle, take consecutive batches, reshuffle when short. */
class BatchOrder {
  private order: Int32Array;
  private at = 0;
  constructor(
    private readonly rows: Int32Array,
    private readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    this.order = shuffleInPlace(Int32Array.from(rows), rng);
  }
  next(): Int32Array {
    const B = Math.min(this.batchSize, this.rows.length);
    if (this.at + B > this.order.length) {
      shuffleInPlace(this.order, this.rng);
      this.at = 0;
    }
    const out = this.order.subarray(this.at, this.at + B);
    this.at += B;
    return out;
  }
}

/** A step on its way: submitted to the device, its scalars not read yet. */
interface Submitted {
  step: number;
  rows: number;
  submittedAt: number;
  replayed: boolean;
  values: Promise<Float32Array>;
}

interface PreparedBatch {
  rows: number;
  batch: Batch;
  arrays: ArrayBufferView[];
}

export class Trainer {
  step = 0;
  readonly meta: DatasetMeta;
  readonly weights: LossWeights;
  private optimizer: FlatAdam;
  private readonly batches: BatchOrder;
  private readonly trainables: tf.Variable[];
  /** Replays the step's GPU work once recorded (webgpu): see stepRecorder.ts. */
  private readonly recorder: StepRecorder;
  private readonly userCol: number;
  private readonly idRng: Rng;
  private probeBatch: BatchTensors | null = null;
  /** The best evaluation so far, its weights (every trainable, in order) and evaluations since it. */
  best: BestCheckpoint | null = null;
  /** Read back to memory (one readback per new best): no GPU memory held, no tensor count that grows. */
  private bestWeights: Float32Array[] | null = null;
  private sinceBest = 0;
  /** A step trainStep({ ahead }) submitted and has not read yet. */
  private inFlight: Submitted | null = null;
  /** The next step's batch, built for a step that could not go ahead (it is the next step's all the same). */
  private nextBatch: PreparedBatch | null = null;
  /** When the last step's scalars were read (a step submitted ahead is timed from there). */
  private lastReadAt = 0;
  /** How long the last step took, from its submission (or the previous read) to its read (ms; Infinity: none yet). */
  lastStepMs = Infinity;
  /** webgpu: the device flag a bad step sets (kernels/stepTail.ts), so a step already submitted behind it changes nothing. */
  private latch: tf.Tensor1D | null = null;

  private constructor(
    readonly dataset: EncodedDataset,
    readonly config: Config,
    readonly model: RankingModel,
    readonly temperature: Temperature,
  ) {
    this.meta = metaOf(dataset);
    this.weights = { taskWeights: taskWeightsOf(config, dataset.tasks.length), alpha: config.alpha };
    // Separate streams for training order and the probe batch, so probing never shifts the training order.
    this.batches = new BatchOrder(dataset.trainIdx, config.batchSize, mulberry32(config.seed ^ 0x5eed0001));
    this.trainables = [...model.variables, temperature.logT];
    this.userCol = userIdColumn(dataset);
    this.idRng = mulberry32(config.seed ^ 0x1dd0_0003); // its own stream: id dropout never shifts the batch order
    this.optimizer = this.newOptimizer();
    this.recorder = new StepRecorder(() => this.config.recordStep && this.optimizer.inPlace());
  }

  /**
   * Adam with each variable's decoupled weight decay (AdamW) factor: matrices and embedding tables shrink by
   * lr * weightDecay per step (not biases, norms or T), the embedding tables (ids' rows) by lr * embDecay more.
   */
  private newOptimizer(): FlatAdam {
    const { lr, weightDecay, embDecay } = this.config;
    const keep = this.trainables.map((v) => {
      const decayed = v.shape.length >= 2 ? 1 - lr * weightDecay : 1;
      return decayed * (EMBEDDING_TABLE.test(stableName(v)) ? 1 - lr * embDecay : 1);
    });
    return new FlatAdam(this.trainables, lr, keep);
  }

  static create(dataset: EncodedDataset, cfg: Config): Trainer {
    if (dataset.trainIdx.length === 0) throw new Error(`Dataset '${dataset.name}' has no training requests`);
    checkBestBy(cfg.bestBy, dataset.tasks);
    installFastKernels();
    const model = buildModel(cfg, metaOf(dataset));
    return new Trainer(dataset, cfg, model, new Temperature(cfg.temperature));
  }

  get tasks(): string[] {
    return this.meta.tasks;
  }

  /** The recorded step's state: dispatches per replayed step (0: steps go through TF.js) and why not, if refused. */
  get recordedStep(): { dispatches: number; refusal: string } {
    return { dispatches: this.recorder.dispatches, refusal: this.recorder.refusal };
  }

  /**
   * One optimizer step on the next training batch. Throws TrainingFault (weights untouched) on NaN / Inf.
   *
   * With `ahead`, the step after it is submitted before this one's scalars are read, so the GPU runs it while the
   * CPU waits for the readback and builds the next batch (only where both are replays of the recorded step; else
   * nothing goes ahead). The caller promises to call trainStep (or settle) next, with nothing in between that reads
   * the model: no evaluation, probe, export or import (they throw while a step is in flight). A bad step holds the
   * one behind it on the device (the latch, kernels/stepTail.ts), so a fault still leaves the weights of the last
   * good step; the batch of the step behind it is then skipped, as its update was.
   */
  async trainStep(opts: { ahead?: boolean } = {}): Promise<StepRecord> {
    const current = this.inFlight ?? this.submit(this.step + 1);
    this.inFlight = null;
    if (opts.ahead && current.replayed) this.inFlight = this.submit(current.step + 1, true);
    let values: Float32Array;
    try {
      values = await current.values;
    } catch (e) {
      await this.dropInFlight();
      throw e;
    }
    const readAt = now();
    const K = this.tasks.length;
    const [lossV, bceV, nceV, normV, tV] = [values[0], values.subarray(1, 1 + K), values.subarray(1 + K, 1 + 2 * K), values[1 + 2 * K], values[2 + 2 * K]];
    const step = current.step;
    const fault = this.faultOf(step, lossV, bceV, nceV, normV);
    if (fault) {
      this.optimizer.rewind(); // the device skipped the update; Adam's step count follows
      await this.dropInFlight();
      if (this.latch) clearLatch(this.latch); // the next step may update again
      throw fault;
    }
    this.step = step;
    // A step submitted ahead ran while the previous one was read: its time starts at that read.
    const started = Math.max(current.submittedAt, this.lastReadAt);
    this.lastReadAt = readAt;
    this.lastStepMs = readAt - started;
    return {
      step,
      loss: lossV,
      taskLoss: Array.from(bceV),
      infoNce: Array.from(nceV),
      gradNorm: normV,
      temperature: tV,
      samplesPerSec: current.rows / Math.max((readAt - started) / 1000, 1e-9),
      epoch: (step * current.rows) / this.dataset.trainIdx.length,
      replayed: current.replayed,
    };
  }

  /** Reads the step a trainStep({ ahead }) left in flight (null: none): its record, or its TrainingFault. */
  async settle(): Promise<StepRecord | null> {
    return this.inFlight ? this.trainStep() : null;
  }

  /** True while a step submitted ahead has not been read (see trainStep). */
  get stepInFlight(): boolean {
    return this.inFlight !== null;
  }

  private requireSettled(what: string): void {
    if (this.inFlight) throw new Error(`Trainer: ${what} while step ${this.inFlight.step} is in flight (call settle() first)`);
  }

  /**
   * Submits step `step` to the device: its scalars' promise, everything submitted before it first waits.
   * `onlyReplay`: unless the step would be a replay, nothing is submitted (null) and its batch waits for the next.
   */
  private submit(step: number): Submitted;
  private submit(step: number, onlyReplay: true): Submitted | null;
  private submit(step: number, onlyReplay = false): Submitted | null {
    setFusedKernels(this.config.fused); // the fused path is chosen per forward pass, from this run's config
    const next = (this.nextBatch ??= this.buildBatch());
    // The step's dropout seed (kernels/dropout.ts), an input like the batch: a new mask every step, also in a replay.
    const seed = Float32Array.of(dropoutSeedOf(this.config.seed, step));
    // Asked before Adam counts the step (nextStep), with [c1, c2]'s size only: ready() looks at sizes.
    const recording = this.recorder.ready([...next.arrays, new Float32Array(2), seed]);
    if (onlyReplay && !recording) return null;
    this.nextBatch = null;
    const submittedAt = now();
    const values = this.deviceStep(next.batch, [...next.arrays, this.optimizer.nextStep(), seed], recording);
    values.catch(() => {}); // trainStep reads it (and throws its error); never unhandled meanwhile
    return { step, rows: next.rows, submittedAt, replayed: recording !== null, values };
  }

  /** The next training batch, its ids dropped as configured, with its arrays as the device takes them. */
  private buildBatch(): PreparedBatch {
    const rows = this.batches.next();
    const batch = sliceBatch(this.dataset, rows);
    dropIds(batch, this.meta, this.userCol, this.config.idDropout, this.idRng);
    return { rows: rows.length, batch, arrays: batchArrays(batch, this.meta).map((a) => a.values) };
  }

  /** Waits out the step in flight behind a failed one and forgets it: the latch kept it from changing anything. */
  private async dropInFlight(): Promise<void> {
    const behind = this.inFlight;
    this.inFlight = null;
    if (!behind) return;
    await behind.values.catch(() => {});
    this.optimizer.rewind();
  }

  /**
   * The step's device work (forward, backward, guarded update) and its scalars [loss, BCE (K), InfoNCE (K),
   * gradient norm, temperature] (on webgpu, Adam's four device scalars follow: kernels/stepTail.ts): replayed from
   * `recording` where one applies (kernels/recordedStep.ts), else through TF.js, recorded when the StepRecorder
   * asks. `inputs`: the batch's arrays, Adam's [c1, c2] and the dropout seed. All is submitted before it first waits.
   */
  private async deviceStep(batch: Batch, inputs: ArrayBufferView[], recording: Recording | null): Promise<Float32Array> {
    if (recording) return recording.run(inputs);
    const [hyper, seed] = inputs.slice(-2) as Float32Array[];
    const bt = batchToTensors(batch, this.meta);
    const [hyperT, seedT] = [tf.tensor1d(hyper), tf.tensor1d(seed)];
    const step = () => this.tensorStep(bt, hyperT, seedT);
    if (this.recorder.wants()) return this.recorder.capture([...batchTensorList(bt), hyperT, seedT], step);
    const scalars = step();
    disposeBatch(bt);
    tf.dispose([hyperT, seedT]);
    const values = (await scalars.data()) as Float32Array;
    scalars.dispose();
    return values;
  }

  /** Forward and backward: the total loss and the flat gradient (the per-task parts land in `kept`). */
  private forwardBackward(bt: BatchTensors, kept: { bce?: tf.Tensor1D; infoNce?: tf.Tensor1D; temperature?: tf.Scalar }) {
    return tf.tidy(() => {
      const vg = tf.variableGrads(() => {
        const { logits } = this.model.forward(bt, { training: true });
        // The temperature is computed inside f, so its variable (log T) is on the tape and learns.
        const T = this.temperature.value();
        kept.temperature = tf.keep(T);
        const parts = rankingLoss(logits, bt.labels, bt.candMask, T, this.weights);
        kept.bce = tf.keep(parts.bce);
        kept.infoNce = tf.keep(parts.infoNce);
        return parts.total;
      }, this.trainables);
      // One vector for the norm and the update (a few GPU programs instead of a few per variable).
      const flat = this.optimizer.flatten(vg.grads);
      return { value: vg.value, flat, temperature: kept.temperature! };
    });
  }

  /** One step through TF.js: its scalars as one vector (see deviceStep), the update encoded behind them. */
  private tensorStep(bt: BatchTensors, hyper: tf.Tensor1D, dropoutSeed: tf.Tensor1D): tf.Tensor1D {
    // variableGrads disposes everything f made except its result: keep the per-task parts out of it.
    const kept: { bce?: tf.Tensor1D; infoNce?: tf.Tensor1D; temperature?: tf.Scalar } = {};
    setDropoutSeed(dropoutSeed);
    let grads;
    try {
      grads = this.forwardBackward(bt, kept);
    } finally {
      setDropoutSeed(null);
    }
    const { value, flat, temperature } = grads;
    const [bce, infoNce] = [kept.bce!, kept.infoNce!];
    // No CPU round trip between the backward pass and the update: the update is encoded right behind it and
    // applies only when every scalar is finite (`ok`, on the device; else the weights and Adam's moments keep their
    // exact values), with the clip factor from the norm on the device too. The scalars are read after, to report
    // and to raise TrainingFault, so a bad step still leaves the weights exactly as they were. The decoupled weight
    // decay (AdamW) rides in the optimizer's update (its per-variable `keep` factors).
    const clip = this.config.clipNorm;
    let scalars: tf.Tensor1D;
    if (this.optimizer.inPlace()) {
      // webgpu: the norm, the scalars, the clip factor and `ok` in three programs (kernels/stepTail.ts); Adam reads
      // its four scalars from the same vector, which is also what is read back.
      const latch = (this.latch ??= newLatch());
      scalars = tf.tidy(() => stepScalars({ value, bce, infoNce, sumSq: sumOfSquares(flat), temperature, hyper, latch }, clip));
      this.optimizer.applyWithAux(flat, scalars, adamScalarsAt(bce.size));
    } else {
      scalars = tf.tidy(() => {
        const norm = tf.norm(flat) as tf.Scalar;
        const all = tf.concat([value.reshape([1]), bce, infoNce, norm.reshape([1]), temperature.reshape([1])]) as tf.Tensor1D;
        const ok = tf.all(tf.isFinite(all)) as tf.Scalar;
        const scale = clip > 0 ? (tf.minimum(1, tf.div(clip, norm)) as tf.Scalar) : 1; // norm 0: clip / 0 = inf -> 1
        this.optimizer.apply(flat, scale, ok, hyper);
        return all;
      });
    }
    tf.dispose([value, bce, infoNce, temperature, flat]);
    return scalars;
  }

  private faultOf(step: number, loss: number, bce: ArrayLike<number>, nce: ArrayLike<number>, norm: number): TrainingFault | null {
    for (let k = 0; k < this.tasks.length; k++) {
      if (!Number.isFinite(bce[k])) return new TrainingFault(step, this.tasks[k], 'BCE loss', bce[k]);
      if (!Number.isFinite(nce[k])) return new TrainingFault(step, this.tasks[k], 'InfoNCE loss', nce[k]);
    }
    if (!Number.isFinite(loss)) return new TrainingFault(step, null, 'the total loss', loss);
    if (!Number.isFinite(norm)) return new TrainingFault(step, null, 'the gradient norm', norm);
    return null;
  }

  /** Forward passes over the given requests in batches, without gradients. */
  private async *inferBatches(requests: ArrayLike<number>, withLoss: boolean) {
    const size = Math.max(this.config.batchSize, MIN_EVAL_BATCH);
    setFusedKernels(this.config.fused);
    for (let start = 0; start < requests.length; start += size) {
      const rows = Array.prototype.slice.call(requests, start, Math.min(start + size, requests.length)) as number[];
      const batch = sliceBatch(this.dataset, rows);
      const bt = batchToTensors(batch, this.meta);
      const out = tf.tidy(() => {
        const { logits } = this.model.forward(bt, { training: false });
        const probs = tf.sigmoid(logits);
        if (!withLoss) return { probs };
        const parts = rankingLoss(logits, bt.labels, bt.candMask, this.temperature.value(), this.weights);
        return { probs, bce: parts.bce, infoNce: parts.infoNce };
      });
      disposeBatch(bt);
      const probs = (await out.probs.data()) as Float32Array;
      const bce = out.bce ? await out.bce.data() : null;
      const infoNce = out.infoNce ? await out.infoNce.data() : null;
      tf.dispose(Object.values(out) as tf.Tensor[]);
      yield { rows, batch, probs, bce, infoNce };
    }
  }

  /**
   * Metrics per task on the validation split (real candidates only; GAUC groups by user, else by request).
   * `stop`, asked before each batch (it may await, e.g. to let a worker's messages in), abandons the evaluation
   * when true (null: nothing recorded, the best checkpoint as it was).
   */
  evaluate(): Promise<EvalRecord>;
  evaluate(stop: () => boolean | Promise<boolean>): Promise<EvalRecord | null>;
  async evaluate(stop?: () => boolean | Promise<boolean>): Promise<EvalRecord | null> {
    this.requireSettled('evaluate');
    const rec = await this.metricsOn(this.dataset.valIdx, stop);
    if (rec) await this.noteEvaluation(rec);
    return rec;
  }

  /** The same metrics on other requests (a held-out test file's): the best checkpoint and early stopping never see them. */
  async evaluateOn(requests: ArrayLike<number>): Promise<EvalRecord> {
    this.requireSettled('evaluateOn');
    return (await this.metricsOn(requests))!;
  }

  private async metricsOn(val: ArrayLike<number>, stop?: () => boolean | Promise<boolean>): Promise<EvalRecord | null> {
    const K = this.tasks.length;
    const N = this.meta.maxCandidates;
    let real = 0;
    for (let i = 0; i < val.length; i++) for (let n = 0; n < N; n++) real += this.dataset.candMask[val[i] * N + n] > 0 ? 1 : 0;
    const probs = Array.from({ length: K }, () => new Float32Array(real));
    const labels = Array.from({ length: K }, () => new Float32Array(real));
    const groups = new Float64Array(real);
    const seen = seenUsers(this.dataset, val); // per request
    const seenCand = new Uint8Array(real); // per candidate: its request's user was seen
    // A batch's BCE is a mean over its real candidates and its InfoNCE a mean over its requests with both classes
    // (per task): each is weighted by that count, so the split's figure is the same mean over the whole split.
    const bceSum = new Array(K).fill(0);
    const nceSum = new Array(K).fill(0);
    const nceCount = new Array(K).fill(0);
    let at = 0;
    let start0 = 0; // the batch's first request, as an index into the split
    if (await stop?.()) return null;
    for await (const b of this.inferBatches(val, true)) {
      const start = at;
      const usable = new Array(K).fill(0);
      for (let r = 0; r < b.rows.length; r++) {
        const user = b.batch.user[r];
        const group = user >= 0 ? user : -1 - b.rows[r]; // unknown users: each request is its own group
        const first = at;
        const userSeen = seen ? seen[start0 + r] : 0;
        for (let n = 0; n < N; n++) {
          if (!(b.batch.candMask[r * N + n] > 0)) continue;
          for (let k = 0; k < K; k++) {
            probs[k][at] = b.probs[(r * N + n) * K + k];
            labels[k][at] = b.batch.labels[(r * N + n) * K + k];
          }
          seenCand[at] = userSeen;
          groups[at++] = group;
        }
        for (let k = 0; k < K; k++) {
          let positives = 0;
          for (let i = first; i < at; i++) positives += labels[k][i] > 0.5 ? 1 : 0;
          if (positives > 0 && positives < at - first) usable[k]++;
        }
      }
      for (let k = 0; k < K; k++) {
        bceSum[k] += b.bce![k] * (at - start);
        nceSum[k] += b.infoNce![k] * usable[k];
        nceCount[k] += usable[k];
      }
      start0 += b.rows.length;
      if (await stop?.()) return null; // before the next batch is computed (the generator's tensors are all freed)
    }
    const valBce = bceSum.map((s) => s / Math.max(at, 1));
    const valInfoNce = nceSum.map((s, k) => s / Math.max(nceCount[k], 1));
    const rec: EvalRecord = {
      step: this.step,
      tasks: this.tasks.map((name, k) => taskMetrics(name, probs[k], labels[k], groups)),
      valLoss: valBce.map((b, k) => b + this.weights.alpha * valInfoNce[k]),
      valBce,
      valInfoNce,
      requests: val.length,
      coldStart: seen ? coldStartOf(seen, seenCand, probs, labels) : null,
      unseenItemShare: unseenItemShare(this.dataset, val),
    };
    return rec;
  }

  /** Keeps the weights of a new best evaluation (checkpoint.ts's rule); counts evaluations without one. */
  private async noteEvaluation(rec: EvalRecord): Promise<void> {
    const score = selectionScore(rec.tasks, this.config.bestBy);
    if (isNewBest(score, this.best?.score ?? null)) {
      const flat = tf.tidy(() => tf.concat(this.trainables.map((v) => v.reshape([-1]))));
      const all = (await flat.data()) as Float32Array;
      flat.dispose();
      let at = 0;
      this.bestWeights = this.trainables.map((v) => all.subarray(at, (at += v.size)));
      this.best = { step: rec.step, score, tasks: rec.tasks };
      this.sinceBest = 0;
    } else if (rec.step !== this.best?.step) {
      this.sinceBest++;
    }
  }

  /** Early stopping: `patience` evaluations in a row brought no new best (never when patience is 0). */
  get stalled(): boolean {
    return this.config.patience > 0 && this.sinceBest >= this.config.patience;
  }

  /** Loads the best checkpoint's weights into the model (the step counter stays). False when there is none yet. */
  restoreBest(): boolean {
    this.requireSettled('restoreBest');
    const best = this.bestWeights;
    if (!best) return false;
    tf.tidy(() => this.trainables.forEach((v, i) => v.assign(tf.tensor(best[i], v.shape, 'float32'))));
    return true;
  }

  private forgetBest(): void {
    this.bestWeights = null;
    this.best = null;
    this.sinceBest = 0;
  }

  /** Probabilities for the given dataset requests: [n, N, K] (padded candidates included; see candMask). */
  async predict(requestIdx: ArrayLike<number>): Promise<Float32Array> {
    this.requireSettled('predict');
    const per = this.meta.maxCandidates * this.tasks.length;
    const out = new Float32Array(requestIdx.length * per);
    let at = 0;
    for await (const b of this.inferBatches(requestIdx, false)) {
      out.set(b.probs, at);
      at += b.rows.length * per;
    }
    return out;
  }

  /** A fixed batch of training requests for the probes (its own seeded stream), so probe curves compare like with like. */
  private probeTensors(): BatchTensors {
    if (!this.probeBatch) {
      const rows = shuffleInPlace(Int32Array.from(this.dataset.trainIdx), mulberry32(this.config.seed ^ 0x9e0b0002));
      const B = Math.min(this.config.batchSize, rows.length);
      this.probeBatch = batchToTensors(sliceBatch(this.dataset, rows.subarray(0, B)), this.meta);
    }
    return this.probeBatch;
  }

  /** Gradient-conflict and gradient-flow probes on the fixed probe batch. */
  async probe(): Promise<ProbeRecord> {
    this.requireSettled('probe');
    setFusedKernels(this.config.fused);
    const temperature = this.temperature.value();
    try {
      const inputs = { model: this.model, batch: this.probeTensors(), temperature, weights: this.weights };
      const conflict = await gradientConflict(inputs);
      const flow = await channelFlow(inputs);
      return { step: this.step, cosine: conflict.cosine, gradNorm: conflict.gradNorm, channelFlow: flow };
    } finally {
      temperature.dispose();
    }
  }

  /** Attention maps of one validation request (valRequest indexes the validation split), as plain arrays. */
  async captureAttention(valRequest: number): Promise<AttentionSnapshot> {
    const val = this.dataset.valIdx;
    if (!(valRequest >= 0 && valRequest < val.length)) throw new Error(`valRequest ${valRequest} is outside the validation split (0..${val.length - 1})`);
    const request = val[valRequest];
    const batch = sliceBatch(this.dataset, [request]);
    const bt = batchToTensors(batch, this.meta);
    const out = this.model.forward(bt, { training: false, capture: true });
    disposeBatch(bt);
    const probsT = tf.sigmoid(out.logits);
    const att = out.attention;
    try {
      if (!att) throw new Error(`The ${this.model.kind} model returned no attention maps`);
      const first = async <T>(t: tf.Tensor) => ((await t.array()) as T[])[0]; // drop the batch axis (B = 1)
      const N = this.meta.maxCandidates;
      const K = this.tasks.length;
      return {
        request,
        tokens: att.tokens,
        mask: att.mask,
        trunk: await Promise.all(att.trunk.map((layer) => Promise.all(layer.map((m) => first<number[][]>(m))))),
        ...(att.candidate ? { candidate: await Promise.all(att.candidate.map((m) => first<number[][]>(m))) } : {}),
        ...(att.crossTask ? { crossTask: await first<number[][][]>(att.crossTask) } : {}),
        ...(att.taskMask ? { taskMask: att.taskMask } : {}),
        candMask: Array.from(batch.candMask),
        probabilities: ((await probsT.array()) as number[][][])[0],
        labels: Array.from({ length: N }, (_, n) => Array.from(batch.labels.subarray(n * K, (n + 1) * K))),
      };
    } finally {
      tf.dispose([out.logits, probsT]);
      if (att) tf.dispose([...att.trunk.flat(), ...(att.candidate ?? []), ...(att.crossTask ? [att.crossTask] : [])]);
    }
  }

  /** Current InfoNCE temperature. */
  async currentTemperature(): Promise<number> {
    const t = this.temperature.value();
    const v = (await t.data())[0];
    t.dispose();
    return v;
  }

  private namedVariables(): { name: string; v: tf.Variable }[] {
    return [...this.model.variables.map((v) => ({ name: stableName(v), v })), { name: TEMPERATURE_NAME, v: this.temperature.logT }];
  }

  /** The current weights, or (which = 'best') those of the best checkpoint when there is one. */
  async exportWeights(which: 'last' | 'best' = 'last'): Promise<WeightsFile> {
    this.requireSettled('exportWeights');
    const best = which === 'best' && this.bestWeights && this.best ? { weights: this.bestWeights, step: this.best.step } : null;
    const variables = await Promise.all(
      this.namedVariables().map(async ({ name, v }, i) => {
        return { name, shape: [...v.shape], data: Array.from(best ? best.weights[i] : await v.data()) };
      }),
    );
    return {
      format: 'onerank-weights',
      version: 1,
      config: { ...this.config },
      datasetName: this.dataset.name,
      tasks: [...this.tasks],
      step: best ? best.step : this.step,
      variables,
    };
  }

  /** Loads a WeightsFile into this trainer's model (and resets Adam's moments). Throws with what does not match. */
  importWeights(file: WeightsFile): void {
    this.requireSettled('importWeights');
    if (file?.format !== 'onerank-weights') throw new Error(`Not a weights file (format '${String(file?.format)}', expected 'onerank-weights')`);
    if (file.version !== 1) throw new Error(`Unsupported weights file version ${String(file.version)} (expected 1)`);
    const problems: string[] = [];
    if (file.tasks.join(',') !== this.tasks.join(',')) problems.push(`tasks [${file.tasks.join(', ')}] vs [${this.tasks.join(', ')}]`);
    for (const key of ARCHITECTURE_KEYS) {
      if (file.config[key] !== this.config[key]) problems.push(`config ${key}=${String(file.config[key])} vs ${String(this.config[key])}`);
    }
    const mine = this.namedVariables();
    const theirs = new Map(file.variables.map((v) => [v.name, v]));
    for (const { name, v } of mine) {
      const w = theirs.get(name);
      if (!w) problems.push(`missing variable '${name}'`);
      else if (w.shape.join('x') !== v.shape.join('x')) problems.push(`'${name}' has shape [${w.shape}] in the file but [${v.shape}] here`);
      else if (w.data.length !== v.size) problems.push(`'${name}' holds ${w.data.length} values, expected ${v.size}`);
    }
    const known = new Set(mine.map((m) => m.name));
    for (const name of theirs.keys()) if (!known.has(name)) problems.push(`unexpected variable '${name}'`);
    if (problems.length > 0) {
      const shown = problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; and ${problems.length - 8} more` : '');
      throw new Error(`These weights do not fit this model: ${shown}`);
    }
    tf.tidy(() => {
      for (const { name, v } of mine) v.assign(tf.tensor(theirs.get(name)!.data, v.shape, 'float32'));
    });
    // Adam's moments belong to the old trajectory.
    this.optimizer.dispose();
    this.optimizer = this.newOptimizer();
    this.forgetBest(); // the best checkpoint belongs to the old trajectory too
    if (typeof file.step === 'number') this.step = file.step;
  }

  dispose(): void {
    this.forgetBest();
    this.recorder.dispose();
    this.optimizer.dispose();
    this.latch?.dispose();
    this.latch = null;
    this.model.dispose();
    this.temperature.dispose();
    if (this.probeBatch) disposeBatch(this.probeBatch);
    this.probeBatch = null;
  }
}

export interface RunOptions {
  /** Train until trainer.step reaches this. */
  steps: number;
  /** Validate every N steps (and once at the end); 0 = only at the end. */
  evalEvery?: number;
  /** Probe every M steps; 0 / undefined = never. */
  probeEvery?: number;
  signal?: AbortSignal;
  onStep?: (r: StepRecord) => void | Promise<void>;
  onEval?: (r: EvalRecord) => void | Promise<void>;
  onProbe?: (r: ProbeRecord) => void | Promise<void>;
}

export interface RunResult {
  /** True when the signal stopped the run before `steps`. */
  aborted: boolean;
  /** True when early stopping (config.patience) ended the run before `steps`. */
  stoppedEarly: boolean;
  lastEval: EvalRecord | null;
  /** The best evaluation (its weights: trainer.restoreBest() / exportWeights('best')). */
  best: BestCheckpoint | null;
}

/**
 * The loop of the CLI commands and tests (the worker runs its own, runMethods.ts). A TrainingFault propagates
 * (weights stay good). Steps with nothing due after them (no probe, no evaluation, not the last) submit the next
 * step before their scalars are read (trainStep's `ahead`); `onStep` must not read the model.
 */
export async function runTraining(trainer: Trainer, o: RunOptions): Promise<RunResult> {
  let lastEval: EvalRecord | null = null;
  let evaluatedAt = -1;
  const evaluate = async () => {
    lastEval = await trainer.evaluate();
    evaluatedAt = trainer.step;
    await o.onEval?.(lastEval);
  };
  const result = (aborted: boolean, stoppedEarly: boolean): RunResult => ({ aborted, stoppedEarly, lastEval, best: trainer.best });
  while (trainer.step < o.steps) {
    if (o.signal?.aborted) {
      const rec = await trainer.settle();
      if (rec) await o.onStep?.(rec);
      return result(true, false);
    }
    const s = trainer.step + 1;
    const probeDue = !!o.probeEvery && s % o.probeEvery === 0;
    const evalDue = !!o.evalEvery && s % o.evalEvery === 0;
    const rec = await trainer.trainStep({ ahead: s < o.steps && !probeDue && !evalDue });
    await o.onStep?.(rec);
    if (probeDue) await o.onProbe?.(await trainer.probe());
    if (evalDue && s < o.steps) {
      await evaluate();
      if (trainer.stalled) return result(false, true);
    }
  }
  if (evaluatedAt !== trainer.step) await evaluate();
  return result(false, false);
}

/** AUC per task over the candidates of seen-user requests and of unseen-user requests. */
function coldStartOf(seen: Uint8Array, seenCand: Uint8Array, probs: Float32Array[], labels: Float32Array[]): ColdStart {
  const part = (want: number) => {
    const idx: number[] = [];
    for (let i = 0; i < seenCand.length; i++) if (seenCand[i] === want) idx.push(i);
    return probs.map((p, k) => auc(idx.map((i) => p[i]), idx.map((i) => labels[k][i])));
  };
  let unseen = 0;
  for (const s of seen) unseen += s ? 0 : 1;
  return { unseenUserShare: seen.length ? unseen / seen.length : 0, seenUserAuc: part(1), unseenUserAuc: part(0) };
}
