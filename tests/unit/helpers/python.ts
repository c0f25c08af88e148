// The Python with PyTorch that the export tests run (Debian's python3-torch; `npm test` installs it when root with
// apt). Where there is none, the tests fail with what to install: they never skip.
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.ONERANK_PYTHON ?? '/usr/bin/python3';

/** Throws a message naming what to install when PYTHON cannot import torch and numpy. */
export function requirePythonTorch(): void {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return;
  throw new Error(
    `The PyTorch export tests need Python 3 with torch and numpy, and ${PYTHON} ${r.error ? 'could not be run' : 'has no torch'} ` +
      `(${(r.error?.message ?? r.stderr).trim().split('\n').pop()}). Install Debian's package (apt-get install python3-torch; ` +
      '`npm test` does this when run as root with apt) or point ONERANK_PYTHON at a python with torch and numpy.',
  );
}
