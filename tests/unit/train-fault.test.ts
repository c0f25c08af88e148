import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';
import { Trainer, TrainingFault } from '../../src/engine/train/trainer';

const tf = await useBackend('cpu');

async function snapshot(vars: { data(): Promise<unknown> }[]): Promise<number[][]> {
  return Promise.all(vars.map(async (v) => Array.from((await v.data()) as Float32Array)));
}

describe('a NaN loss stops training', () => {
  it('throws TrainingFault naming the step and the task, and keeps the last good weights', async () => {
    const ds = smallShop();
    const trainer = Trainer.create(ds, tinyTrainConfig(ds));
    for (let i = 0; i < 3; i++) await trainer.trainStep();
    const good = await snapshot(trainer.model.variables);
    // Poison the 'cart' labels (task 1): its loss turns NaN on the next batch.
    const K = ds.tasks.length;
    for (let j = 1; j < ds.labels.length; j += K) ds.labels[j] = NaN;
    let fault: unknown = null;
    try {
      await trainer.trainStep();
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(TrainingFault);
    const f = fault as TrainingFault;
    expect(f.step).toBe(4);
    expect(f.task).toBe('cart');
    expect(f.message).toMatch(/step 4/);
    expect(f.message).toMatch(/cart/);
    expect(trainer.step).toBe(3);
    expect(await snapshot(trainer.model.variables)).toEqual(good);
    const n = tf.memory().numTensors;
    await expect(trainer.trainStep()).rejects.toBeInstanceOf(TrainingFault);
    expect(tf.memory().numTensors).toBe(n); // a faulted step leaks nothing
    trainer.dispose();
  });

  it('a NaN weight is caught before any update', async () => {
    const ds = smallShop();
    const trainer = Trainer.create(ds, tinyTrainConfig(ds, { model: 'mmoe' }));
    await trainer.trainStep();
    const v = trainer.model.variables[0];
    v.assign(tf.fill(v.shape, NaN));
    const before = await snapshot(trainer.model.variables);
    await expect(trainer.trainStep()).rejects.toThrow(/step 2/);
    const after = await snapshot(trainer.model.variables);
    expect(after.map((a) => a.map(String))).toEqual(before.map((a) => a.map(String))); // NaN-safe equality
    trainer.dispose();
  });
});
