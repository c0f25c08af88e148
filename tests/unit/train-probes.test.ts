import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';
import { Trainer } from '../../src/engine/train/trainer';

await useBackend('cpu');
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

  it('cosine matrix is symmetric with ones on the diagonal and values in [-1, 1]', async () => {
    for (const model of ['onerank', 'ple'] as const) {
      const p = await probeAfter({ model });
      const K = ds.tasks.length;
      expect(p.cosine.length).toBe(K);
      for (let k = 0; k < K; k++) {
        expect(p.cosine[k][k]).toBe(1);
        expect(p.gradNorm[k]).toBeGreaterThan(0);
        for (let j = 0; j < K; j++) {
          expect(p.cosine[k][j]).toBe(p.cosine[j][k]);
          expect(Math.abs(p.cosine[k][j])).toBeLessThanOrEqual(1 + 1e-6);
        }
      }
      // Tasks do not pull the shared trunk in exactly the same direction.
      expect(p.cosine[0][1]).not.toBe(1);
      if (model === 'ple') expect(p.channelFlow).toBeNull();
    }
  });
});
