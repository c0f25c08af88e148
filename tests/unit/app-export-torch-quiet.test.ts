// Export as PyTorch (the worker's exportTorch) states the run's current metrics without noting them: the best
// checkpoint and early stopping are the same after an export as before. Shown to fail on the old export, which
// called trainer.evaluate(): the export's evaluation became the best checkpoint (or counted against patience).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { setEmitter } from '../../src/workers/emit';
import { datasetKey } from '../../src/workers/runProtocol';
import { runMethods } from '../../src/workers/runMethods';
import { getTrainer } from '../../src/workers/runs';
import { useBackend } from './helpers/backend';

await useBackend('cpu');

const cfg: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 1, batchSize: 8, historyLen: 4, maxCandidates: 4, evalEvery: 4, probeEvery: 0, steps: 6, experts: 2, expertHidden: 8, towerHidden: 8 };
const key = datasetKey('shop', { requests: '200', users: '50', items: '40', candidates: '4' }, cfg);

beforeAll(() => setEmitter(() => {}));
afterAll(() => runMethods.closeRun({ runId: 'x' }));

describe('Export as PyTorch', () => {
  it('leaves the best checkpoint and early stopping as they were', async () => {
    await runMethods.openRun({ run: { id: 'x', config: cfg, datasetKey: key }, restore: false });
    await runMethods.train({ runIds: ['x'], steps: 6, evaluate: false }); // evaluated at 0 and 4, now at step 6
    const t = getTrainer('x');
    const state = () => ({ best: t.best?.step, since: (t as unknown as { sinceBest: number }).sinceBest, stalled: t.stalled });
    const before = state();
    expect(t.step).toBe(6);
    const tar = await runMethods.exportTorch({ runId: 'x', folder: 'onerank-x' });
    expect(tar.size).toBeGreaterThan(1000);
    expect(state()).toEqual(before);
  });
});
