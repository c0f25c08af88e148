// gen_shop.py (shipped with a shop run's PyTorch export) writes the app's shop world: every item's category, price
// and tags and every user's history and segment equal the app's (same generator, same seed), and the labels keep
// the world's positive rates. Shown to fail on broken code: seeding its generator with seed + 1 failed on the first item.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SHOP, shopRows } from '../../src/engine/data';
import { PYTHON, requirePythonTorch } from './helpers/python';

const dir = mkdtempSync(join(tmpdir(), 'gen-shop-'));

/** item id -> [category, price, tags] and user id -> [history, segment], from rows in SHOP_COLUMNS order. */
function worldOf(rows: string[][]) {
  const items = new Map<string, string>();
  const users = new Map<string, string>();
  for (const r of rows) {
    items.set(r[2], [r[9], r[10], r[11]].join(' '));
    users.set(r[1], [r[3], r[4]].join(' '));
  }
  return { items, users };
}

describe('gen_shop.py', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the app's world: same items and users, the world's label rates", () => {
    requirePythonTorch();
    const out = join(dir, 'shop.csv');
    execFileSync(PYTHON, ['src/engine/export/torch/gen_shop.py', '--out', out, '--requests', '4000'], { encoding: 'utf8' });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const app = shopRows({ ...DEFAULT_SHOP });
    expect(header).toEqual(app.header);
    const mine = worldOf(rows);
    const theirs = worldOf(app.rows);
    for (const kind of ['items', 'users'] as const) {
      const shared = [...mine[kind].keys()].filter((id) => theirs[kind].has(id));
      expect(shared.length, kind).toBeGreaterThan(0.9 * DEFAULT_SHOP[kind]);
      for (const id of shared) expect(`${id} ${mine[kind].get(id)}`).toBe(`${id} ${theirs[kind].get(id)}`);
    }
    const rate = (col: number) => rows.reduce((a, r) => a + Number(r[col]), 0) / rows.length;
    expect(rate(12)).toBeCloseTo(0.28, 1);
    expect(rate(13)).toBeCloseTo(0.11, 1);
    expect(rate(14)).toBeCloseTo(0.05, 1);
  }, 120_000);
});
