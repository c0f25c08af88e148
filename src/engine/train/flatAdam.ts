// Adam over every variable at once. tf.train.adam updates each variable with its own ~14 small ops, so a
// 65-variable OneRank paid ~900 GPU programs per step for the update alone, and on WebGPU the step time is
// dispatch, not arithmetic. Here the gradients are concatenated into one vector and the moments live in two flat
// variables. On webgpu (fused kernels) the update is written in place (kernels/adam.ts): one program per four
// variables, moments included, every buffer keeping its identity, which the recorded step needs. Elsewhere it is ~8 ops
// on the whole vector plus a slice and a subtract per variable.
// Same rule and constants as tf.train.adam (bias-corrected moments, epsilon = the backend's epsilon), followed by
// the decoupled weight decay (AdamW) of each variable: x <- (x - step) * keep, keep = 1 - lr * rate.
import * as tf from '@tensorflow/tfjs';
import { ADAM_GROUP, adamGroupInPlace, canUpdateInPlace } from '../kernels/adam';
import { fusedAvailable } from '../kernels/webgpu';

export class FlatAdam {
  private readonly m: tf.Variable<tf.Rank.R1>;
  private readonly v: tf.Variable<tf.Rank.R1>;
  private readonly sizes: number[];
  /** Each variable's first index in the flat gradient and moments. */
  private readonly offsets: number[];
  private readonly keep: number[];
  private t = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly lr: number,
    /** Per variable, the weight decay's factor 1 - lr * rate (default: 1 = no decay). */
    keep?: readonly number[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = tf.backend().epsilon(),
  ) {
    this.sizes = variables.map((x) => x.size);
    this.offsets = this.sizes.map((_, i) => this.sizes.slice(0, i).reduce((a, b) => a + b, 0));
    this.keep = keep ? [...keep] : variables.map(() => 1);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    // tidy: the zeros tensors go, the variables (sharing their data) stay.
    [this.m, this.v] = tf.tidy(() => [tf.variable(tf.zeros<tf.Rank.R1>([total]), false), tf.variable(tf.zeros<tf.Rank.R1>([total]), false)]);
  }

  /** The gradients as one vector, in the optimizer's variable order: grads[name] for each variable. */
  flatten(grads: Readonly<Record<string, tf.Tensor>>): tf.Tensor1D {
    return tf.tidy((): tf.Tensor1D => {
      const parts = this.variables.map((x) => {
        const g = grads[x.name];
        if (!g) throw new Error(`FlatAdam: no gradient for variable '${x.name}'`);
        return g.reshape([-1]) as tf.Tensor1D;
      });
      return parts.length === 1 ? parts[0] : tf.concat(parts);
    });
  }

  /**
   * Counts the next step and returns its bias corrections [c1, c2] = [lr / (1 - b1^t), 1 / (1 - b2^t)]: the one
   * per-step number of the update, which the device reads from a tensor (`hyper` in apply).
   */
  nextStep(): Float32Array {
    this.t += 1;
    return Float32Array.of(this.lr / (1 - this.beta1 ** this.t), 1 / (1 - this.beta2 ** this.t));
  }

  /** True when apply() writes in place here (webgpu with the fused kernels, no variable's data shared). */
  inPlace(): boolean {
    const backend = tf.backend();
    return fusedAvailable() && [this.m, this.v, ...this.variables].every((x) => canUpdateInPlace(backend, x));
  }

  /**
   * One Adam step with gradient `flat * scale` (scale is the clip factor, a number or a device scalar; 1 = none).
   * With `ok` (a bool scalar on the device), the step applies only where ok is true: else the moments and the
   * variables keep their exact values (the gradient may be NaN; it never reaches them), and rewind() undoes t.
   * `hyper` is this step's [c1, c2] from nextStep() as a tensor; without it, apply counts the step itself.
   */
  apply(flat: tf.Tensor1D, scale: number | tf.Scalar = 1, ok?: tf.Scalar, hyper?: tf.Tensor1D): void {
    tf.tidy(() => {
      const h = hyper ?? tf.tensor1d(this.nextStep());
      if (this.inPlace()) return this.applyInPlace(flat, typeof scale === 'number' ? tf.scalar(scale) : scale, ok ?? tf.scalar(true, 'bool'), h);
      const { beta1: b1, beta2: b2 } = this;
      const [c1, c2] = [h.slice(0, 1).reshape([]), h.slice(1, 1).reshape([])];
      const scaled = scale === 1 ? flat : tf.mul(flat, scale);
      const g = ok ? tf.where(ok, scaled, 0) : scaled;
      const m: tf.Tensor1D = tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1));
      const v: tf.Tensor1D = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2));
      this.m.assign(ok ? tf.where(ok, m, this.m) : m);
      this.v.assign(ok ? tf.where(ok, v, this.v) : v);
      // lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t).
      const raw = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), this.epsilon));
      const step = (ok ? tf.where(ok, raw, 0) : raw) as tf.Tensor1D;
      const parts = this.variables.length === 1 ? [step] : tf.split(step, this.sizes);
      this.variables.forEach((x, i) => {
        const next = tf.sub(x, parts[i].reshape(x.shape));
        const keep = this.keep[i];
        x.assign(keep === 1 ? next : tf.mul(next, ok ? tf.where(ok, keep, 1) : keep));
      });
    });
  }

  private applyInPlace(flat: tf.Tensor1D, scale: tf.Scalar, ok: tf.Scalar, hyper: tf.Tensor1D): void {
    // The step's scalars in one buffer: a program binds at most 8 storage buffers.
    this.applyWithAux(flat, tf.concat([scale.reshape([1]), tf.cast(ok, 'float32').reshape([1]), hyper]) as tf.Tensor1D, 0);
  }

  /**
   * The in-place update (only where inPlace()) with its four scalars [clip factor, ok, c1, c2] read on the device
   * from `aux` at `auxAt`: a vector a program wrote (kernels/stepTail.ts), so no program assembles them.
   */
  applyWithAux(flat: tf.Tensor1D, aux: tf.Tensor1D, auxAt: number): void {
    const consts = { beta1: this.beta1, beta2: this.beta2, eps: this.epsilon };
    const slots = this.variables.map((x, i) => ({ x, offset: this.offsets[i], keep: this.keep[i] }));
    for (let i = 0; i < slots.length; i += ADAM_GROUP) adamGroupInPlace(tf.backend(), slots.slice(i, i + ADAM_GROUP), flat, this.m, this.v, aux, consts, auxAt);
  }

  /** Takes back the step count of an apply() that `ok` turned into a no-op. */
  rewind(): void {
    this.t -= 1;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
