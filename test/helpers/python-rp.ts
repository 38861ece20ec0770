/**
 * The Python relying party's venv for tests (authlib, requests; test/rp/python/requirements.txt).
 * `npm test` builds it in its set-up step (test/setup/python-venv-step.ts), which is the one place
 * that knows how; a test file run on its own calls `ensurePythonRp()`, which runs that same step
 * (a few file checks when the venv is there) and fails with its one line when it cannot.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv, PYTHON_VENV_PYTHON } from '../setup/python-venv-step.ts';
import { debianPackages } from '../setup/system-packages.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The folder of the relying party's Python program. */
export const PYTHON_RP_DIR = join(ROOT, 'test', 'rp', 'python');

/** Makes the venv if needed; returns its python. */
export async function ensurePythonRp(): Promise<string> {
  const result = ensurePythonVenv({
    rootDir: ROOT,
    packages: debianPackages(),
    say: () => undefined,
  });
  if (result.status === 'missing')
    throw new Error(`Python RP venv could not be built: ${result.line}`);
  if (result.status === 'skipped') throw new Error(`Python RP venv: ${result.detail}`);
  return join(ROOT, PYTHON_VENV_PYTHON);
}
