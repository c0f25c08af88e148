// train.py under DistributedDataParallel: two processes started the way torchrun starts them (RANK, WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT, LOCAL_RANK), on CPU (gloo), each reading its own share of the requests, with an
// evaluation (and the stop signal broadcast from process 0) between steps: both finish, and the report counts
// both processes. (Debian 12's own torchrun cannot start on Python 3.11, so the test sets the variables itself.)
// Shown to fail on broken code: a broadcast of the stop signal on process 0 only left process 1 waiting (timeout).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, withDataShapes } from '../../src/engine/config';
import { generateShop, shopSchema, shopToCsv } from '../../src/engine/data';
import { TORCH_TEMPLATES } from '../../src/engine/export/templates';
import { buildTorchExport } from '../../src/engine/export/torchExport';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';
import { PYTHON, requirePythonTorch } from './helpers/python';

const dir = mkdtempSync(join(tmpdir(), 'torch-ddp-'));
const WORLD = { users: 30, items: 40, requests: 200, candidates: 5, seed: 4 };

function run(rank: number, port: number, folder: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
    const args = ['train.py', '--data', join(dir, 'shop.csv'), '--steps', '4', '--batch', '8', '--eval-every', '2', '--eval-requests', '40', '--workers', '0', '--cpu', '--out', join(dir, 'result.json'), '--save', join(dir, 'trained.safetensors')];
    const p = spawn(PYTHON, args, { cwd: folder, env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('train.py with two processes (DDP)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains, evaluates between steps and finishes on both processes', async () => {
    requirePythonTorch();
    await useBackend('cpu');
    const ds = generateShop(WORLD);
    const trainer = Trainer.create(ds, withDataShapes({ ...DEFAULT_CONFIG, d: 8, layers: 1 }, ds));
    const folder = join(dir, 'export');
    mkdirSync(folder);
    for (const f of buildTorchExport({ weights: await trainer.exportWeights(), meta: ds, schema: shopSchema() }, TORCH_TEMPLATES)) writeFileSync(join(folder, f.path), f.data);
    trainer.dispose();
    writeFileSync(join(dir, 'shop.csv'), shopToCsv(WORLD));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const [a, b] = await Promise.all([run(0, port, folder), run(1, port, folder)]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.processes).toBe(2);
    expect(result.steps).toBe(4);
    expect(result.best.step).toBeGreaterThanOrEqual(2);
    expect(a.out).toContain('eval @2');
  }, 120_000);
});
