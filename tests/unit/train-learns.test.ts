import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { tinyTrainConfig } from './helpers/trainSetup';
import { generateShop } from '../../src/engine/data/synthetic';
import { Trainer, runTraining } from '../../src/engine/train/trainer';

await useBackend('cpu');
// A small shop world (short histories, 6 candidates) keeps cpu steps cheap; 200 validation requests.
const ds = generateShop({ requests: 1000, historyLen: 5, candidates: 6 });

describe('every model learns the shop world', () => {
  for (const [model, steps] of [['onerank', 240], ['sharedbottom', 200], ['mmoe', 200], ['ple', 200]] as const) {
    it(`${model} reaches validation AUC > 0.75 on every task`, async () => {
      const trainer = Trainer.create(ds, tinyTrainConfig(ds, { model, batchSize: 16, lr: 0.02, expertHidden: 16 }));
      const { lastEval } = await runTraining(trainer, { steps });
      trainer.dispose();
      const aucs = Object.fromEntries(lastEval!.tasks.map((t) => [t.name, t.auc]));
      for (const t of lastEval!.tasks) {
        expect(t.auc, `${model} ${t.name} AUC (all: ${JSON.stringify(aucs)})`).toBeGreaterThan(0.75);
        expect(t.logloss).toBeLessThan(t.constantLogloss);
      }
    });
  }
});
