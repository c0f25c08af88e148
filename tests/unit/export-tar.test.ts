// The app's "PyTorch ↓" download is one .tar (export/tar.ts): GNU tar unpacks it into exactly the exported files.
// Shown to fail on broken code: a checksum summed without the 8 spaces made tar refuse the archive.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, withDataShapes } from '../../src/engine/config';
import { generateShop, shopSchema } from '../../src/engine/data';
import { tarFiles } from '../../src/engine/export/tar';
import { TORCH_TEMPLATES } from '../../src/engine/export/templates';
import { buildTorchExport } from '../../src/engine/export/torchExport';
import { Trainer } from '../../src/engine/train/trainer';
import { useBackend } from './helpers/backend';

const dir = mkdtempSync(join(tmpdir(), 'torch-tar-'));

describe('PyTorch export as a .tar', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('unpacks with tar into the exported files, byte for byte', async () => {
    await useBackend('cpu');
    const ds = generateShop({ users: 20, items: 30, requests: 40, candidates: 4 });
    const trainer = Trainer.create(ds, withDataShapes({ ...DEFAULT_CONFIG, d: 8, layers: 1 }, ds));
    const files = buildTorchExport({ weights: await trainer.exportWeights(), meta: ds, schema: shopSchema(), shop: { users: 20 } }, TORCH_TEMPLATES);
    trainer.dispose();
    const tar = join(dir, 'run.tar');
    writeFileSync(tar, new Uint8Array(await tarFiles('my-run-pytorch', files).arrayBuffer()));
    const listed = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n');
    expect(listed.sort()).toEqual(files.map((f) => `my-run-pytorch/${f.path}`).sort());
    execFileSync('tar', ['-xf', tar, '-C', dir]);
    for (const f of files) {
      const want = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : Buffer.from(f.data);
      expect(readFileSync(join(dir, 'my-run-pytorch', f.path)).equals(want), f.path).toBe(true);
    }
    expect(listed).toContain('my-run-pytorch/gen_shop.py');
  });
});
