// Weight import (Trainer.importWeights): an exported file loads into a fresh model and reproduces its predictions
// exactly; every kind of misfit is refused with a message naming what does not fit, and a refused file changes nothing.
// Shown to fail: skipping the shape check in importWeights (`else if (false)`) fails the last test.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/engine/config';
import { shopFromKnobs } from '../../src/engine/data/shopKnobs';
import { Trainer, type WeightsFile } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';

await useBackend('cpu');
const ds = shopFromKnobs({ requests: '200', users: '30', items: '40', candidates: '4', historyLen: '3' }, { historyLen: 3, maxCandidates: 4 });
const cfg: Config = { ...DEFAULT_CONFIG, d: 8, layers: 1, heads: 2, historyLen: 3, maxCandidates: 4, batchSize: 16, seed: 1 };
const some = Int32Array.from(ds.valIdx.slice(0, 5));

const source = Trainer.create(ds, cfg);
for (let i = 0; i < 3; i++) await source.trainStep();
const file = await source.exportWeights();
const expected = await source.predict(some);
source.dispose();

/** A fresh trainer (another seed: other weights) and what it predicts before any import. */
async function fresh(over: Partial<Config> = {}) {
  const t = Trainer.create(ds, { ...cfg, seed: 2, ...over });
  return { t, before: await t.predict(some) };
}
const clone = (): WeightsFile => JSON.parse(JSON.stringify(file)) as WeightsFile;

async function refused(f: WeightsFile, message: string | RegExp, over: Partial<Config> = {}) {
  const { t, before } = await fresh(over);
  expect(() => t.importWeights(f)).toThrow(message);
  expect(Array.from(await t.predict(some))).toEqual(Array.from(before)); // nothing was loaded
  t.dispose();
}

describe('weights import', () => {
  it('round trip: the imported model predicts exactly what the exported one did, at its step', async () => {
    const { t, before } = await fresh();
    expect(Array.from(before)).not.toEqual(Array.from(expected));
    t.importWeights(clone());
    expect(Array.from(await t.predict(some))).toEqual(Array.from(expected));
    expect(t.step).toBe(3);
    t.dispose();
  });
  it('not a weights file', async () => {
    await refused({ ...clone(), format: 'something-else' } as unknown as WeightsFile, "Not a weights file (format 'something-else', expected 'onerank-weights')");
  });
  it('another version', async () => {
    await refused({ ...clone(), version: 2 } as unknown as WeightsFile, 'Unsupported weights file version 2 (expected 1)');
  });
  it('other tasks', async () => {
    await refused({ ...clone(), tasks: ['click', 'like', 'order'] }, 'tasks [click, like, order] vs [click, cart, order]');
  });
  it('another architecture (each key named, with both values)', async () => {
    await refused(clone(), /config d=8 vs 16/, { d: 16 });
    await refused(clone(), /config model=onerank vs mmoe/, { model: 'mmoe' });
    await refused(clone(), /config ablation=none vs V5/, { ablation: 'V5' });
  });
  it('a variable missing, one unexpected, one of another shape or size', async () => {
    const f = clone();
    const first = f.variables[0];
    const second = f.variables.find((v, i) => i > 0 && v.shape.length >= 2)!; // a matrix, flattened below
    const third = f.variables.find((v, i) => i > 0 && v !== second)!;
    f.variables = f.variables.filter((v) => v !== first && v !== second && v !== third);
    f.variables.push({ ...first, name: 'nowhere/w' });
    f.variables.push({ ...second, shape: [second.shape.reduce((a, b) => a * b, 1)] });
    f.variables.push({ ...third, data: third.data.slice(1) });
    const message = await (async () => {
      const { t } = await fresh();
      try {
        t.importWeights(f);
        return '';
      } catch (e) {
        return (e as Error).message;
      } finally {
        t.dispose();
      }
    })();
    expect(message).toMatch(/^These weights do not fit this model: /);
    expect(message).toContain(`missing variable '${first.name}'`);
    expect(message).toContain("unexpected variable 'nowhere/w'");
    expect(message).toContain(`'${second.name}' has shape [${second.shape.reduce((a, b) => a * b, 1)}] in the file but [${second.shape}] here`);
    expect(message).toContain(`'${third.name}' holds ${third.data.length - 1} values, expected ${third.data.length}`);
    await refused(f, /These weights do not fit this model/);
  });
});
