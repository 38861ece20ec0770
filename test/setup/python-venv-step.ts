/**
 * A Python virtual environment for the Python relying-party tests, when they exist: created from
 * `test/rp/python/requirements.txt` (pinned versions) under node_modules/.cache, so `npm ci`'s
 * fresh node_modules starts it afresh too. A stamp file holds the requirements' SHA-256: while it
 * matches, the step only reads two small files.
 *
 * Interface for those tests: run `PYTHON_VENV_PYTHON` (the venv's python); `ensurePythonVenv()`
 * makes it from a test or script that runs outside `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../helpers/find-on-path.ts';
import type { SetupContext, SetupStep, StepResult } from './setup-step.ts';

/** Relative to the repository root. */
export const PYTHON_REQUIREMENTS = join('test', 'rp', 'python', 'requirements.txt');
export const PYTHON_VENV_DIR = join('node_modules', '.cache', 'portcullis-python');
export const PYTHON_VENV_PYTHON = join(PYTHON_VENV_DIR, 'bin', 'python');
/** Holds the SHA-256 (hex) of the requirements file the venv was last made from. */
export const PYTHON_VENV_STAMP = join(PYTHON_VENV_DIR, 'requirements.sha256');

/** Debian splits `venv`'s ensurepip off into this package. */
const VENV_PACKAGE = 'python3-venv';
const KEPT_LINES = 3;

function run(command: string, args: readonly string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim();
  return { ok: result.status === 0, output: output.split('\n').slice(-KEPT_LINES).join(' / ') };
}

export function ensurePythonVenv({ rootDir, packages, say }: SetupContext): StepResult {
  const requirements = join(rootDir, PYTHON_REQUIREMENTS);
  if (!existsSync(requirements)) {
    return { status: 'skipped', detail: `no ${PYTHON_REQUIREMENTS}` };
  }
  const venv = join(rootDir, PYTHON_VENV_DIR);
  const python = join(rootDir, PYTHON_VENV_PYTHON);
  const stamp = join(rootDir, PYTHON_VENV_STAMP);
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) {
    return { status: 'ready', detail: PYTHON_VENV_DIR };
  }

  if (!existsSync(python)) {
    const python3 = findOnPath('python3');
    if (python3 === undefined) {
      return {
        status: 'missing',
        line: `python: no python3 on PATH; install it with: ${packages.command(['python3', VENV_PACKAGE])}`,
      };
    }
    say(`python: creating ${PYTHON_VENV_DIR}`);
    let created = run(python3, ['-m', 'venv', venv]);
    if (!created.ok && packages.canInstall()) {
      // Most often Debian's missing ensurepip: the package adds it; then try once more.
      say(`python: installing the Debian package ${VENV_PACKAGE}`);
      if (packages.install([VENV_PACKAGE]).ok)
        created = run(python3, ['-m', 'venv', '--clear', venv]);
    }
    if (!created.ok) {
      return {
        status: 'missing',
        line: `python: \`python3 -m venv\` failed (${created.output}); install ${VENV_PACKAGE}: ${packages.command([VENV_PACKAGE])}`,
      };
    }
  }
  say(`python: installing ${PYTHON_REQUIREMENTS} into ${PYTHON_VENV_DIR}`);
  const installed = run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '-r',
    requirements,
  ]);
  if (!installed.ok) {
    return {
      status: 'missing',
      line: `python: pip install -r ${PYTHON_REQUIREMENTS} failed: ${installed.output}`,
    };
  }
  writeFileSync(stamp, `${hash}\n`);
  return { status: 'ready', detail: PYTHON_VENV_DIR };
}

export const pythonVenvStep: SetupStep = { name: 'python', run: ensurePythonVenv };
