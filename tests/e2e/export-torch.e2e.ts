// One click and one command: a run trained in the browser, downloaded with "PyTorch ↓", unpacked with tar, predicts
// in PyTorch (CPU, Debian's python3-torch) what the browser predicts, and its train.py continues training.
// Shown to fail on broken code: model.py's scorer dividing by d instead of sqrt(d) gave probabilities 3.6e-3 apart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_CONFIG, encodingOf } from '../../src/engine/config';
import { shopToCsv } from '../../src/engine/data';
import { shopFromKnobs, shopOptionsFromKnobs } from '../../src/engine/data/shopKnobs';
import { PYTHON, requirePythonTorch } from '../unit/helpers/python';
import { backendBadge, open, sharedBrowser } from './browser';

const N = 2;
const SHOP = { requests: '200', users: '50', items: '40', candidates: '4' };
const TINY = `d=8&layers=1&heads=1&batchSize=8&historyLen=4&maxCandidates=4&steps=${N}&evalEvery=${N}&probeEvery=0&${new URLSearchParams(Object.entries(SHOP).map(([k, v]) => [`shop.${k}`, v])).toString()}`;
const SLOW = 240_000;
const BACKEND = process.env.E2E_BACKEND ?? 'webgpu';
const QUERY = BACKEND === 'webgpu' ? '' : `?backend=${BACKEND}`;

// Probabilities of the given requests (dataset order) from the unpacked project: data.py on the world's CSV,
// model.py with weights.safetensors.
const PREDICT = `
import json, sys, torch
folder, csv, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, folder)
import data as D, train as T
config, exported = T.load_export(folder)
schema = D.Schema(exported)
reader = D.RequestReader(csv, schema)
enc = D.collate([reader.encode(r) for _, r in reader.requests()], schema)
b = {k: (v[rows] if torch.is_tensor(v) else [v[i] for i in rows]) for k, v in enc.items()}
model = T.build_trainable(config, exported['meta'], folder + '/weights.safetensors').eval()
with torch.no_grad():
    p = torch.sigmoid(model.model(b))
print(json.dumps([[p[r, i].tolist() for i in range(p.shape[1]) if b['candMask'][r, i] > 0] for r in range(len(rows))]))
`;

const browser = sharedBrowser();
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'onerank-torch-e2e-'));

beforeAll(async () => {
  requirePythonTorch();
  ({ page } = await open(browser(), `${inject('siteUrl')}${QUERY}#${TINY}`));
  await backendBadge(page);
});
afterAll(async () => {
  await page?.context().close();
});

describe('Export as PyTorch', () => {
  it('the downloaded project predicts what the browser predicts, and train.py trains it', async () => {
    await page.getByTestId('train-start').click();
    await page.waitForFunction((n) => {
      const runs = window.__playground?.runs() ?? [];
      return runs.length === 1 && runs[0].status !== 'training' && runs[0].step === n;
    }, N, { timeout: SLOW });
    const runId = await page.evaluate(() => window.__playground!.runs()[0].id);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('run-export-torch').click()]);
    expect(download.suggestedFilename()).toMatch(/-pytorch\.tar$/);
    const tar = join(dir, download.suggestedFilename());
    await download.saveAs(tar);
    execFileSync('tar', ['-xf', tar, '-C', dir]);
    const folder = join(dir, download.suggestedFilename().replace(/\.tar$/, ''));
    expect(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')).step).toBe(N);

    // The same world as CSV, and the dataset indices of the first validation requests (what predict() scores).
    const csv = join(dir, 'shop.csv');
    writeFileSync(csv, shopToCsv(shopOptionsFromKnobs(SHOP).options));
    const ds = shopFromKnobs(SHOP, encodingOf({ ...DEFAULT_CONFIG, historyLen: 4, maxCandidates: 4 }));
    const rows = Array.from(ds.valIdx.subarray(0, 6));
    const browserProbs = (await page.evaluate((id) => window.__playground!.predict(id, 6), runId)).probs;
    const torchProbs = JSON.parse(execFileSync(PYTHON, ['-c', PREDICT, folder, csv, JSON.stringify(rows)], { encoding: 'utf8' })) as number[][][];
    expect(torchProbs.map((r) => r.length)).toEqual(browserProbs.map((r) => r.length));
    const diff = Math.max(...torchProbs.flat(2).map((p, i) => Math.abs(p - browserProbs.flat(2)[i])));
    console.log(`[export-torch] largest probability difference, PyTorch vs the browser (${BACKEND}): ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);

    // The one command (one process here; torchrun launches the same script once per GPU).
    execFileSync(PYTHON, ['train.py', '--data', csv, '--steps', '3', '--cpu', '--workers', '0', '--out', join(dir, 'result.json'), '--save', join(dir, 'trained.safetensors')], { cwd: folder, encoding: 'utf8' });
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.steps).toBe(3);
    expect(result.tasks.map((t: { name: string }) => t.name)).toEqual(['click', 'cart', 'order']);
    expect(result.finalLoss).toBeGreaterThan(0);
  });
});
