// npm run export-torch: a run's weights file (as the app's Weights ↓ writes it, shop world) becomes the PyTorch
// project. The CLI reads the Python files with fs, the app through Vite's ?raw: both must ship the same bytes.
// Shown to fail on broken code: reading the templates from a wrong folder failed with the missing file's name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, encodingOf, withDataShapes } from '../../src/engine/config';
import { shopFromKnobs } from '../../src/engine/data/shopKnobs';
import { TORCH_TEMPLATES } from '../../src/engine/export/templates';
import { TORCH_TEMPLATE_FILES } from '../../src/engine/export/torchExport';
import { Trainer } from '../../src/engine/train/trainer';
import { datasetKey } from '../../src/workers/runProtocol';
import { useBackend } from './helpers/backend';

const dir = mkdtempSync(join(tmpdir(), 'torch-cli-'));
const KNOBS = { requests: '200', users: '40', items: '50', candidates: '4' };

describe('npm run export-torch', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the project from a weights file, with the same Python files the app ships', async () => {
    await useBackend('cpu');
    let cfg = { ...DEFAULT_CONFIG, d: 8, layers: 1, maxCandidates: 4, historyLen: 5 };
    const ds = shopFromKnobs(KNOBS, encodingOf(cfg));
    cfg = withDataShapes(cfg, ds);
    const trainer = Trainer.create(ds, cfg);
    await trainer.trainStep();
    const weights = { ...(await trainer.exportWeights()), datasetKey: datasetKey('shop', KNOBS, cfg) };
    trainer.dispose();
    const file = join(dir, 'run.weights.json');
    writeFileSync(file, JSON.stringify(weights));
    const out = join(dir, 'project');
    const log = execFileSync('npx', ['tsx', 'cli/export-torch.ts', '--weights', file, '--out', out], { encoding: 'utf8' });
    expect(log).toContain('wrote README.md, model.py, data.py, train.py, config.json, schema.json, weights.safetensors, gen_shop.py');
    for (const [role, name] of Object.entries(TORCH_TEMPLATE_FILES)) {
      expect(readFileSync(join(out, name), 'utf8'), name).toBe(TORCH_TEMPLATES[role as keyof typeof TORCH_TEMPLATES]);
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.step).toBe(1);
    expect(config.shop.users).toBe(40);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/\| click \| 0\.\d{4} \|/); // the metrics at export
  }, 120_000);
});
