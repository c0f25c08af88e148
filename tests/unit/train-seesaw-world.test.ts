import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';
import { DEFAULT_CONFIG, encodingOf, withDataShapes } from '../../src/engine/config';
import { shopFromKnobs } from '../../src/engine/data/shopKnobs';
import { Trainer, runTraining } from '../../src/engine/train/trainer';
import { DEMOS, planDemo } from '../../src/panels/demos/demos';

// The seesaw demo's claim, trained exactly as the demo plans it (its world, sizes and budget), on wasm for speed:
// with conflicting tasks, a Shared-Bottom that must read every task off one shared unit gives up order (and some
// click) against MMoE, whose four one-unit experts are mixed per task; without the conflict it does not.
await useBackend('wasm');
const seesaw = DEMOS.find((d) => d.id === 'seesaw')!;

async function finalAuc(conflict: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const plan of planDemo(seesaw, { config: { ...DEFAULT_CONFIG }, shop: {} }).filter((p) => p.config.model !== 'onerank')) {
    const ds = shopFromKnobs({ ...plan.shop, conflict }, encodingOf(plan.config));
    const trainer = Trainer.create(ds, withDataShapes(plan.config, ds));
    const { lastEval } = await runTraining(trainer, { steps: plan.config.steps });
    trainer.dispose();
    out[plan.config.model] = Object.fromEntries(lastEval!.tasks.map((t) => [t.name, t.auc]));
  }
  return out;
}

describe('the seesaw demo shows the conflict (wasm, the demo\u2019s own settings)', () => {
  it('at conflict 1 the one-unit Shared-Bottom trails MMoE on order and click; at conflict 0 it does not trail on order', async () => {
    const hi = await finalAuc('1');
    const what = `conflict 1: ${JSON.stringify(hi)}`;
    expect(hi.mmoe.order - hi.sharedbottom.order, what).toBeGreaterThan(0.025);
    expect(hi.mmoe.click - hi.sharedbottom.click, what).toBeGreaterThan(0.02);
    const none = await finalAuc('0');
    expect(Math.abs(none.mmoe.order - none.sharedbottom.order), `conflict 0: ${JSON.stringify(none)}`).toBeLessThan(0.02);
  }, 600_000);
});
