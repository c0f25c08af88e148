// inspect-data's output is never cut: a 2,000-column file's report (about a megabyte of JSON) piped into
// another process parses whole. Seen failing when the CLI exited right after writing (process.exit() drops
// what Node still holds for the pipe): the JSON stopped after 128 KiB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32, randInt } from '../../src/engine/data/rng';

const root = resolve(__dirname, '../..');

describe('inspect-data through a pipe', () => {
  it('prints the whole JSON for a 2,000-column file', () => {
    const rng = mulberry32(2);
    const features = Array.from({ length: 1996 }, (_, j) => `f${j}`);
    const lines = [['request_id', 'user_id', 'item_id', 'click', ...features].join(',')];
    for (let r = 0; r < 60; r++) {
      const req = Math.floor(r / 6);
      lines.push([String(req), `u${req % 4}`, `i${randInt(rng, 30)}`, String(rng() < 0.3 ? 1 : 0), ...features.map((_, j) => `v${(r * 7 + j) % 5}`)].join(','));
    }
    const file = join(mkdtempSync(join(tmpdir(), 'inspect-wide-')), 'wide.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    // A shell pipe, as a user would run it: `npm run inspect-data -- wide.csv | next-program`.
    const r = spawnSync('sh', ['-c', `npx tsx cli/inspect-data.ts "${file}" | cat`], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    expect(r.stdout.length).toBeGreaterThan(256 * 1024);
    const report = JSON.parse(r.stdout);
    expect(report.schema.columns).toHaveLength(2000);
    expect(report.profiles).toHaveLength(2000);
    expect(report.profiles[1999].evidence).toMatch(/context|candidate/);
    expect(report.schema.taskOrder).toEqual(['click']);
    expect(report.summary.features.length).toBeGreaterThan(1990);
  });
});
