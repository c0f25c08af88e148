import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';
import { Trainer } from '../../src/engine/train/trainer';
import { batchArrays } from '../../src/engine/model';
import { metaOf, sliceBatch } from '../../src/engine/data/types';

describe('no tensor leaks', () => {
  it('numTensors stays flat over 50 cpu steps, probes, evaluation and attention capture', async () => {
    const tf = await useBackend('cpu');
    const ds = smallShop();
    const start = tf.memory().numTensors;
    const trainer = Trainer.create(ds, tinyTrainConfig(ds, { dropout: 0.1 }));
    await trainer.trainStep();
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 49; i++) await trainer.trainStep();
    expect(tf.memory().numTensors).toBe(after1);
    await trainer.probe(); // the first probe keeps its fixed batch (10 tensors)
    const afterProbe = tf.memory().numTensors;
    await trainer.probe();
    await trainer.evaluate();
    await trainer.captureAttention(0);
    await trainer.predict([0, 1, 2]);
    await trainer.exportWeights();
    expect(tf.memory().numTensors).toBe(afterProbe);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('probe() leaks nothing: repeated probes, and steps with probes interleaved, keep numTensors flat (onerank and a baseline)', async () => {
    const tf = await useBackend('cpu');
    const ds = smallShop({ requests: 120 });
    for (const model of ['onerank', 'mmoe'] as const) {
      const start = tf.memory().numTensors;
      const trainer = Trainer.create(ds, tinyTrainConfig(ds, { model }));
      await trainer.trainStep();
      await trainer.probe(); // the fixed probe batch, kept for the trainer's life
      const settled = tf.memory().numTensors;
      // A tensor per call (e.g. the temperature) would grow this by 5, 1 per probe.
      for (let i = 0; i < 5; i++) await trainer.probe();
      expect(tf.memory().numTensors).toBe(settled);
      for (let i = 0; i < 5; i++) {
        await trainer.trainStep();
        const p = await trainer.probe();
        expect(p.step).toBe(trainer.step);
        expect(tf.memory().numTensors).toBe(settled);
      }
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(start);
    }
  });

  it('numTensors stays flat over a few webgpu steps (Dawn in Node), probes included', async () => {
    // SwiftShader is a software GPU: one tiny OneRank, a handful of steps.
    const tf = await useBackend('webgpu');
    const ds = smallShop({ requests: 60, candidates: 3, historyLen: 3 });
    const start = tf.memory().numTensors;
    const trainer = Trainer.create(ds, tinyTrainConfig(ds, { batchSize: 4 }));
    // From step 2 on, steps are recorded until two in a row match (kernels/recordedStep.ts; a constant uploaded on
    // first use can make the first differ): the kept recording then holds its inputs and output, a fixed count.
    do await trainer.trainStep();
    while (trainer.recordedStep.dispatches === 0 && trainer.step < 6);
    expect(trainer.recordedStep.dispatches, trainer.recordedStep.refusal).toBeGreaterThan(0);
    const after1 = tf.memory().numTensors;
    await trainer.trainStep(); // a replay
    await trainer.probe();
    const afterProbe = tf.memory().numTensors;
    expect(afterProbe - after1).toBe(batchArrays(sliceBatch(ds, [0]), metaOf(ds)).length); // the kept probe batch: a tensor per array
    await trainer.probe();
    await trainer.trainStep();
    expect(tf.memory().numTensors).toBe(afterProbe);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
    await useBackend('cpu');
  }, 300_000);
});
