// The step profile (kernels/profile.ts, `npm run bench -- --profile`) counts what TF.js really ran: on cpu its
// kernel count equals tf.profile's list of registered kernels for the same step, it grows with the model, and it
// lists the step's readbacks with where they come from.
// Shown to fail: counting only outermost kernels (`if (running.length) return orig(params)` before counting)
// made the count 1,118 against tf.profile's 1,524.
import { describe, expect, it } from 'vitest';
import { profileStep } from '../../src/engine/kernels/profile';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';

const tf = await useBackend('cpu');
const ds = smallShop({ requests: 120 });

async function profiledTrainer(layers: number) {
  const trainer = Trainer.create(ds, tinyTrainConfig(ds, { layers }));
  await trainer.trainStep(); // warm-up: what the first step sets up once is not the step
  const profile = await profileStep(() => trainer.trainStep());
  return { trainer, profile };
}

describe('step profile on cpu', () => {
  it('counts every registered kernel of a step, as tf.profile lists them, and the step readbacks', async () => {
    const { trainer, profile } = await profiledTrainer(1);
    try {
      expect(profile.backend).toBe('cpu');
      expect(profile.gpuMs).toBeNull();
      expect(profile.timestampsNote).toMatch(/no GPU/);
      expect(profile.programs).toBe(profile.kernels);
      expect(profile.byKernel.reduce((a, s) => a + s.calls, 0)).toBe(profile.kernels);
      // An independent count: tf.profile's kernel list, less its customGrad entries (named after op scopes).
      const info = await tf.profile(async () => {
        await trainer.trainStep();
        return [];
      });
      const registered = info.kernels.filter((k) => tf.getKernel(k.name, 'cpu') !== undefined);
      expect(profile.kernels).toBe(registered.length);
      const matMuls = profile.byKernel.find((s) => s.name === 'BatchMatMul');
      expect(matMuls?.calls).toBe(registered.filter((k) => k.name === 'BatchMatMul').length);
      // The step reads its scalars (loss, BCE, InfoNCE, gradient norm, temperature) in one vector, once, from the
      // trainer, after the update is encoded (five reads, with the update waiting on them, before).
      expect(profile.readbacks.length).toBe(1);
      for (const r of profile.readbacks) {
        expect(r.kernel).toBeNull();
        expect(r.where).toMatch(/src\/engine\/train\/trainer\.ts:\d+/);
      }
    } finally {
      trainer.dispose();
    }
  });

  it('changes when the step changes: a second trunk layer adds kernels', async () => {
    const one = await profiledTrainer(1);
    const two = await profiledTrainer(2);
    one.trainer.dispose();
    two.trainer.dispose();
    const perLayer = two.profile.kernels - one.profile.kernels;
    expect(perLayer).toBeGreaterThan(50); // a block's forward and backward are dozens of ops
    const three = await profiledTrainer(3);
    three.trainer.dispose();
    expect(three.profile.kernels - two.profile.kernels).toBe(perLayer);
  });
});
