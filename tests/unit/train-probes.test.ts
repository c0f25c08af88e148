// Shown to fail (conflict probe): reading G[k * K + k] for the off-diagonal dot product in probes.ts fails the cosine test.
import type { Scalar } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';
import { sliceBatch } from '../../src/engine/data/types';
import { batchToTensors, disposeBatch } from '../../src/engine/model';
import { rankingLoss } from '../../src/engine/train/loss';
import { channelFlow, gradientConflict } from '../../src/engine/train/probes';
import { Trainer } from '../../src/engine/train/trainer';

const tf = await useBackend('cpu');
const ds = smallShop();

async function probeAfter(cfg: Parameters<typeof tinyTrainConfig>[1], steps = 3) {
  const trainer = Trainer.create(ds, tinyTrainConfig(ds, cfg));
  for (let i = 0; i < steps; i++) await trainer.trainStep();
  const p = await trainer.probe();
  trainer.dispose();
  return p;
}

describe('gradient probes', () => {
  it('channel flow: off-diagonal exactly 0 with detachment, > 0 without (full task mask)', async () => {
    const on = await probeAfter({ detach: true, crossTaskMask: 'full' });
    const off = await probeAfter({ detach: false, crossTaskMask: 'full' });
    const K = ds.tasks.length;
    for (let k = 0; k < K; k++)
      for (let j = 0; j < K; j++) {
        if (k === j) {
          expect(on.channelFlow![k][j]).toBeGreaterThan(0);
        } else {
          expect(on.channelFlow![k][j]).toBe(0);
          expect(off.channelFlow![k][j]).toBeGreaterThan(0);
        }
      }
  });

  it('conflict probe: each cosine equals the one computed from the two tasks\u2019 trunk gradients, taken one task at a time', async () => {
    for (const model of ['onerank', 'ple'] as const) {
      const trainer = Trainer.create(ds, tinyTrainConfig(ds, { model }));
      for (let i = 0; i < 3; i++) await trainer.trainStep();
      const bt = batchToTensors(sliceBatch(ds, ds.trainIdx.slice(0, 24)), trainer.meta);
      const T = trainer.temperature.value();
      const inp = { model: trainer.model, batch: bt, temperature: T, weights: trainer.weights };
      const p = await gradientConflict(inp);
      // Each task's loss BCE_k + alpha InfoNCE_k, its gradient on every trunk variable read back into one JS array.
      const K = ds.tasks.length;
      const vecs: number[][] = [];
      for (let k = 0; k < K; k++) {
        const { value, grads } = tf.variableGrads(() => {
          const parts = rankingLoss(trainer.model.forward(bt, { training: false }).logits, bt.labels, bt.candMask, T, trainer.weights);
          return tf.add(tf.gather(parts.bce, k), tf.mul(tf.gather(parts.infoNce, k), trainer.weights.alpha)) as Scalar;
        }, trainer.model.trunkVariables);
        const v: number[] = [];
        for (const w of trainer.model.trunkVariables) v.push(...(grads[w.name] ? Array.from(await grads[w.name].data()) : new Array<number>(w.size).fill(0)));
        vecs.push(v);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
      for (let k = 0; k < K; k++) {
        expect(p.gradNorm[k]).toBeCloseTo(Math.sqrt(dot(vecs[k], vecs[k])), 4);
        for (let j = 0; j < K; j++) {
          const want = dot(vecs[k], vecs[j]) / Math.sqrt(dot(vecs[k], vecs[k]) * dot(vecs[j], vecs[j]));
          expect(p.cosine[k][j], `${model} cos ${k}/${j}`).toBeCloseTo(want, 4);
        }
      }
      expect(Math.abs(p.cosine[0][1])).toBeLessThan(0.999); // tasks do not pull the trunk exactly alike
      if (model === 'ple') expect(await channelFlow(inp)).toBeNull();
      tf.dispose(T);
      disposeBatch(bt);
      trainer.dispose();
    }
  });
});
