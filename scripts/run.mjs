#!/usr/bin/env node
// The README's two commands. Each installs what is missing, then serves (`start`) or tests (`test`).
// Plain Node with no dependencies, because it runs before `npm install` has.
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium, chromiumEnv } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status ?? 1;
}

/** npm ci when the lock file changed since the last install (or nothing is installed). */
function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.install-stamp');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  console.log('[setup] installing npm packages (npm ci) ...');
  if (sh('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
  writeFileSync(stamp, want);
}

/** Debian's chromium (+ its Vulkan loader for Dawn in Node) when root with apt, else a clear message. */
function ensureChromium() {
  const found = findChromium();
  const needVulkan = !existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') && process.platform === 'linux';
  if (found && !needVulkan) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    const pkgs = [...(found ? [] : ['chromium']), ...(needVulkan ? ['libvulkan1'] : [])];
    console.log(`[setup] installing Debian packages: ${pkgs.join(' ')} ...`);
    sh('apt-get', ['update', '-qq']);
    if (sh('apt-get', ['install', '-y', '-qq', ...pkgs], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) !== 0) process.exit(1);
    const again = findChromium();
    if (again) return again;
  }
  if (found) return found;
  console.error(
    '[setup] No Chromium found. The end-to-end tests need a Chromium with WebGPU.\n' +
      '  Install one (Debian: `sudo apt-get install chromium libvulkan1`) or point CHROME_PATH at it:\n' +
      '  CHROME_PATH=/path/to/chrome npm test',
  );
  process.exit(1);
}

/**
 * Python 3 with PyTorch for the export parity tests (tests/unit/export-parity.test.ts): Debian's python3-torch when
 * root with apt. When it cannot be had, the tests run anyway and that test fails, saying what to install.
 */
function ensureTorch() {
  const python = process.env.ONERANK_PYTHON ?? '/usr/bin/python3';
  const hasTorch = () => spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  if (hasTorch()) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !process.env.ONERANK_PYTHON) {
    console.log('[setup] installing Debian packages: python3-torch (the PyTorch export parity tests) ...');
    sh('apt-get', ['update', '-qq']);
    sh('apt-get', ['install', '-y', '-qq', 'python3-torch'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (hasTorch()) return;
  }
  console.error(`[setup] ${python} has no PyTorch: the export parity test will fail. Install python3-torch (Debian) or set ONERANK_PYTHON to a python with torch and numpy.`);
}

if (mode === 'start') {
  ensureNodeModules();
  const port = process.env.PORT ?? '5173';
  console.log(`[start] serving on http://localhost:${port}/ (localhost is a secure context, so WebGPU is allowed)`);
  const child = spawn('npx', ['vite', '--host', 'localhost', '--port', port, '--strictPort'], { stdio: 'inherit', cwd: root });
  child.on('exit', (code) => process.exit(code ?? 0));
} else if (mode === 'test') {
  ensureNodeModules();
  const chrome = ensureChromium();
  ensureTorch();
  const env = { ...process.env, ...chromiumEnv(chrome) };
  const steps = [
    ['type check', ['run', 'typecheck']],
    ['lint', ['run', 'lint']],
    ['unit tests', ['run', 'test:unit']],
    ['build', ['run', 'build']],
    ['end-to-end tests', ['run', 'test:e2e']],
  ];
  const results = [];
  for (const [name, args] of steps) {
    console.log(`\n[test] ${name}: npm ${args.join(' ')}`);
    const code = sh('npm', args, { env });
    results.push([name, code]);
    // A failed build leaves nothing for the e2e step to open.
    if (code !== 0 && name === 'build') break;
  }
  const failed = results.filter(([, c]) => c !== 0);
  console.log('\n[test] summary');
  for (const [name, code] of results) console.log(`  ${code === 0 ? 'ok  ' : 'FAIL'} ${name}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
} else {
  console.error('usage: node scripts/run.mjs start|test');
  process.exit(2);
}
