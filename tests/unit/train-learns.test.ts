import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { tinyTrainConfig } from './helpers/trainSetup';
import { generateShop } from '../../src/engine/data/synthetic';
import { Trainer, runTraining } from '../../src/engine/train/trainer';

// wasm, not cpu: the same engine and kernels' math, about 3x faster per step here, which keeps 4 x 200 steps
// inside the suite's budget. (cpu correctness is covered by the loss, determinism, fault and probe tests.)
await useBackend('wasm');
// A small, low-noise shop world (6 candidates, 12 history items); 200 validation requests. Conflict 0: this
// test is about learning at all (the conflict has its own test, train-seesaw-world). OneRank gets 400 steps: it
// leaves the base-rate plateau later than the baselines (click AUC 0.70 after 200 steps, 0.747 after 300, in runs
// of this world). Starting at the base rate (scorer.ts's g_k) did not change that: at the default conflict and
// 200 steps, click AUC 0.69 / 0.75 / 0.68 (seeds 42, 1, 2); what is slow is learning click, not leaving the start.
const ds = generateShop({ requests: 1000, historyLen: 12, candidates: 6, noise: 0.1, conflict: 0 });

describe('every model learns the shop world (wasm)', () => {
  for (const [model, steps] of [['onerank', 400], ['sharedbottom', 200], ['mmoe', 200], ['ple', 200]] as const) {
    it(`${model} reaches validation AUC > 0.75 on every task`, async () => {
      const trainer = Trainer.create(ds, tinyTrainConfig(ds, { model, d: 16, batchSize: 16, lr: 0.02, expertHidden: 16 }));
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
