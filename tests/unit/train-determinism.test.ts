import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { smallShop, tinyTrainConfig } from './helpers/trainSetup';
import { Trainer } from '../../src/engine/train/trainer';

await useBackend('cpu');
const ds = smallShop();

async function losses(seed: number, steps = 8): Promise<number[]> {
  const trainer = Trainer.create(ds, tinyTrainConfig(ds, { seed, dropout: 0.1 }));
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push((await trainer.trainStep()).loss);
  trainer.dispose();
  return out;
}

describe('determinism', () => {
  it('one seed gives identical losses on cpu (batch order, init, dropout)', async () => {
    const a = await losses(3);
    const b = await losses(3);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
  it('different seeds give different losses', async () => {
    expect(await losses(3, 4)).not.toEqual(await losses(4, 4));
  });
});
