// A registry of named, seeded trainable variables. Every model builds its weights through one Params, which
// keeps the creation order (the stable order of RankingModel.variables) and the group each weight belongs to
// (tokenizer / trunk / head ...), so trunkVariables is just two groups.
import * as tf from '@tensorflow/tfjs';
import { hashSeed, mulberry32, normalSamples } from './random';

// TF.js variable names are global to the engine; a per-instance prefix lets two models (or two builds of one
// model) live side by side. stableName() strips it for export/import.
let instanceCounter = 0;

/** The variable's name without the per-instance prefix, e.g. 'trunk/l0/attn/wqkv'. */
export function stableName(v: tf.Variable): string {
  return v.name.slice(v.name.indexOf('/') + 1);
}

export class Params {
  readonly all: tf.Variable[] = [];
  private readonly prefix: string;

  constructor(
    kind: string,
    private readonly seed: number,
  ) {
    this.prefix = `${kind}#${++instanceCounter}`;
  }

  /** Variables created under the given top-level groups, in creation order. */
  group(...names: string[]): tf.Variable[] {
    return this.all.filter((v) => names.includes(stableName(v).split('/')[0]));
  }

  private add(name: string, shape: number[], values: Float32Array): tf.Variable {
    const init = tf.tensor(values, shape, 'float32');
    const v = tf.variable(init, true, `${this.prefix}/${name}`);
    init.dispose(); // the variable holds its own reference to the data
    this.all.push(v);
    return v;
  }

  /** N(0, std^2), drawn from this variable's own seeded stream. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.add(name, shape, normalSamples(mulberry32(hashSeed(this.seed, name)), n, std));
  }

  /** A linear map's weight [fanIn, fanOut] (or [K, fanIn, fanOut]) with std 1/sqrt(fanIn) * gain. */
  weight(name: string, shape: number[], gain = 1): tf.Variable {
    const fanIn = shape[shape.length - 2];
    return this.normal(name, shape, gain / Math.sqrt(Math.max(fanIn, 1)));
  }

  fill(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value));
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.fill(name, shape, 0);
  }

  ones(name: string, shape: number[]): tf.Variable {
    return this.fill(name, shape, 1);
  }

  values(name: string, shape: number[], values: ArrayLike<number>): tf.Variable {
    return this.add(name, shape, Float32Array.from(values));
  }

  dispose(): void {
    for (const v of this.all) v.dispose();
  }
}
