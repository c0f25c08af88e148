// Adam over every variable at once. tf.train.adam updates each variable with its own ~14 small ops, so a
// 65-variable OneRank paid ~900 GPU programs per step for the update alone, and on WebGPU the step time is
// dispatch, not arithmetic. Here the gradients are concatenated into one vector, the moments live in two flat
// variables, and the update is ~8 ops on the whole vector plus one slice and one subtract per variable.
// Same rule and constants as tf.train.adam (bias-corrected moments, epsilon = the backend's epsilon).
import * as tf from '@tensorflow/tfjs';
import { canSubtractInPlace, subtractInPlace } from '../kernels/inPlace';
import { fusedAvailable } from '../kernels/webgpu';

export class FlatAdam {
  private readonly m: tf.Variable<tf.Rank.R1>;
  private readonly v: tf.Variable<tf.Rank.R1>;
  private readonly sizes: number[];
  private t = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = tf.backend().epsilon(),
  ) {
    this.sizes = variables.map((x) => x.size);
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
   * One Adam step with gradient `flat * scale` (scale is the clip factor, a number or a device scalar; 1 = none).
   * With `ok` (a bool scalar on the device), the step applies only where ok is true: else the moments and the
   * variables keep their exact values (the gradient may be NaN; it never reaches them), and rewind() undoes t.
   */
  apply(flat: tf.Tensor1D, scale: number | tf.Scalar = 1, ok?: tf.Scalar): void {
    this.t += 1;
    const { beta1: b1, beta2: b2 } = this;
    const c1 = this.lr / (1 - b1 ** this.t);
    const c2 = 1 / (1 - b2 ** this.t);
    tf.tidy(() => {
      const scaled = scale === 1 ? flat : tf.mul(flat, scale);
      const g = ok ? tf.where(ok, scaled, 0) : scaled;
      const m: tf.Tensor1D = tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1));
      const v: tf.Tensor1D = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2));
      this.m.assign(ok ? tf.where(ok, m, this.m) : m);
      this.v.assign(ok ? tf.where(ok, v, this.v) : v);
      // lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t).
      const raw = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), this.epsilon));
      const step = (ok ? tf.where(ok, raw, 0) : raw) as tf.Tensor1D;
      const backend = tf.backend();
      if (fusedAvailable() && this.variables.every((x) => canSubtractInPlace(backend, x))) {
        // webgpu: one program per variable, written into its own buffer (kernels/inPlace.ts), not a slice and a sub.
        let offset = 0;
        for (const x of this.variables) {
          subtractInPlace(backend, x, step, offset);
          offset += x.size;
        }
        return;
      }
      const parts = this.variables.length === 1 ? [step] : tf.split(step, this.sizes);
      this.variables.forEach((x, i) => x.assign(tf.sub(x, parts[i].reshape(x.shape))));
    });
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
