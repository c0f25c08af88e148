import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from './helpers/backend';
import { FlatAdam } from '../../src/engine/train/flatAdam';

// FlatAdam must be tf.train.adam, only with fewer GPU programs: same trajectory on the same gradients.
describe('FlatAdam', () => {
  it('follows tf.train.adam step for step (several shapes, a clip scale, 20 steps)', async () => {
    const tf = await useBackend('cpu');
    const shapes = [[3, 4], [5], [2, 2, 3], [1]];
    const init = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 10 + i));
    const mine = init.map((t, i) => tf.variable(t.clone(), true, `flat_${i}`));
    const ref = init.map((t, i) => tf.variable(t.clone(), true, `ref_${i}`));
    const before0 = tf.memory().numTensors;
    const flat = new FlatAdam(mine, 0.05);
    const adam = tf.train.adam(0.05);
    // A loss with different curvature per variable, so the moments differ between variables.
    const loss = (vs: TF.Variable[]) => () =>
      vs.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, i + 0.5)), i + 1))).reduce((a, b) => tf.add(a, b)) as TF.Scalar;
    for (let step = 0; step < 20; step++) {
      const scale = step % 3 === 0 ? 0.5 : 1;
      tf.tidy(() => {
        const a = tf.variableGrads(loss(mine), mine);
        flat.apply(flat.flatten(a.grads), scale);
        const b = tf.variableGrads(loss(ref), ref);
        adam.applyGradients(Object.fromEntries(Object.entries(b.grads).map(([n, g]) => [n, tf.mul(g, scale)])));
      });
    }
    for (let i = 0; i < shapes.length; i++) {
      const got = mine[i].dataSync();
      const want = ref[i].dataSync();
      const start = init[i].dataSync();
      // It moved (the comparison is not between two untouched copies) ...
      expect(Math.max(...Array.from(got, (x, j) => Math.abs(x - start[j])))).toBeGreaterThan(0.1);
      // ... and it moved exactly like tf.train.adam.
      for (let j = 0; j < got.length; j++) expect(got[j]).toBeCloseTo(want[j], 4); // fp32, different operation order
    }
    const before = tf.memory().numTensors;
    tf.tidy(() => flat.apply(flat.flatten(tf.variableGrads(loss(mine), mine).grads)));
    expect(tf.memory().numTensors).toBe(before);
    flat.dispose();
    adam.dispose();
    expect(tf.memory().numTensors).toBe(before0);
    tf.dispose([...init, ...mine, ...ref]);
  });

  // Shown to fail: moments assigned without the guard (`this.m.assign(m)`) made the NaN gradient reach them.
  it('a guarded step with ok = false changes nothing (a NaN gradient included); ok = true is a plain step', async () => {
    const tf = await useBackend('cpu');
    const vars = [tf.variable(tf.tensor1d([1, -2, 3]), true, 'guard_a'), tf.variable(tf.tensor2d([[0.5, 4]]), true, 'guard_b')];
    const twin = vars.map((v, i) => tf.variable(v.clone(), true, `guard_twin_${i}`));
    const [guarded, plain] = [new FlatAdam(vars, 0.1), new FlatAdam(twin, 0.1)];
    const g = tf.tensor1d([0.3, -1, 2, 0.7, -0.2]);
    tf.tidy(() => guarded.apply(g, 1, tf.scalar(true, 'bool')));
    plain.apply(g);
    const snap = async () => Promise.all([...vars, guarded['m'], guarded['v']].map(async (t) => Array.from(await t.data())));
    const before = await snap();
    tf.tidy(() => guarded.apply(tf.tensor1d([NaN, 1, 1, 1, Infinity]), tf.scalar(0.5), tf.scalar(false, 'bool')));
    guarded.rewind();
    expect(await snap()).toEqual(before);
    // Then both take the same step (t rewound): still twins.
    tf.tidy(() => guarded.apply(g, 1, tf.scalar(true, 'bool')));
    plain.apply(g);
    for (let i = 0; i < vars.length; i++) expect(Array.from(await vars[i].data())).toEqual(Array.from(await twin[i].data()));
    tf.dispose([g, ...vars, ...twin]);
    guarded.dispose();
    plain.dispose();
  });

  it('names the variable that has no gradient', async () => {
    const tf = await useBackend('cpu');
    const v = tf.variable(tf.zeros([2]), true, 'lonely');
    const flat = new FlatAdam([v], 0.1);
    expect(() => flat.flatten({})).toThrow(/lonely/);
    flat.dispose();
    v.dispose();
  });
});
