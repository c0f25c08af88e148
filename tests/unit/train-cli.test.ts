import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const ali = '../shared/data/ali-ccp';

function train(args: string[]) {
  return spawnSync('npx', ['tsx', 'cli/train.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 110_000 });
}

describe('npm run train', () => {
  it('trains MMoE on the Ali-CCP sample, picks the best step on the validation split, scores the test file there and at the last step, and writes the JSON result', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'train-cli-')), 'r.json');
    const r = train(['--data', `${ali}/ali_ccp_train_sample.csv`, '--test', `${ali}/ali_ccp_test_sample.csv`, '--model', 'mmoe', '--steps', '5', '--set', 'evalEvery=2', '--out', out, '--backend', 'cpu']);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/click/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ model: 'mmoe', backend: 'cpu', steps: 5, config: { model: 'mmoe', steps: 5 } });
    // The checkpoint is picked on the training file's validation split, never on the test file (before, the test
    // file WAS the evaluation split: best step and early stopping chose on it; this block failed there).
    expect(json.dataset.evaluatedOn).toBe('validation split');
    expect(json.dataset.testFile).toBe('ali_ccp_test_sample.csv');
    const rows = (f: string) => readFileSync(resolve(root, ali, f), 'utf8').split('\n').filter((l) => l.trim() !== '').length - 1;
    expect(json.dataset.trainRequests + json.dataset.evalRequests).toBe(rows('ali_ccp_train_sample.csv'));
    // Every row of the test file is scored (no request column: one request per row), at the best step and the last.
    expect(json.dataset.testRequests).toBe(rows('ali_ccp_test_sample.csv'));
    expect(json.test.best.step).toBe(json.best.step);
    expect(json.test.last.step).toBe(5);
    for (const e of [json.test.best, json.test.last]) expect(e.tasks.map((t: { name: string }) => t.name)).toEqual(['click', 'purchase']);
    expect(json.test.last.tasks[0].count).not.toBe(json.last.tasks[0].count); // test rows, not validation rows
    expect(json.tasks.map((t: { name: string }) => t.name)).toEqual(['click', 'purchase']);
    for (const t of json.tasks) {
      for (const key of ['auc', 'gauc', 'logloss', 'positiveRate']) expect(t).toHaveProperty(key);
      expect(t.logloss).toBeGreaterThan(0);
      expect(t.positiveRate).toBeGreaterThanOrEqual(0);
    }
    expect(json.samplesPerSec).toBeGreaterThan(0);
    // Last and best ({step, tasks}; evaluations at steps 2, 4 and 5), and the cold-start fields.
    expect(json.last).toMatchObject({ step: 5, tasks: json.tasks });
    expect([2, 4, 5]).toContain(json.best.step);
    expect(json.best.tasks.map((t: { name: string }) => t.name)).toEqual(['click', 'purchase']);
    expect(json).toHaveProperty('coldStart');
    expect(json).toHaveProperty('unseenItemShare');
  });

  it('exits 2 with a message naming the key for a bad --set', () => {
    const unknown = train(['--data', 'synthetic', '--set', 'nosuchkey=3']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/nosuchkey/);
    const badValue = train(['--data', 'synthetic', '--set', 'lr=fast']);
    expect(badValue.status).toBe(2);
    expect(badValue.stderr).toMatch(/'lr=fast'/);
    const badFlag = train(['--data', 'synthetic', '--backend', 'tpu']);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toMatch(/--backend/);
  });
});
