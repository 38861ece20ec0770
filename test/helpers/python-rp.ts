/**
 * The Python virtual environment of the authlib relying party (test/rp/python, issue 12): built
 * once in node_modules/.cache/portcullis-python from the pinned requirements.txt, rebuilt when that
 * file or the Python interpreter changes, reused otherwise (a stamp file holds their hash).
 *
 * As a module: `await ensurePythonRp()` returns the venv's python. As a script (for set-up steps
 * run from a shell): `node test/helpers/python-rp.ts` prints that path, or one line saying why the
 * venv could not be built and exits 1.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT } from './spawn-server.ts';

const run = promisify(execFile);

export const PYTHON_RP_DIR = join(ROOT, 'test', 'rp', 'python');
export const PYTHON_RP_VENV = join(ROOT, 'node_modules', '.cache', 'portcullis-python');
const REQUIREMENTS = join(PYTHON_RP_DIR, 'requirements.txt');
const STAMP = join(PYTHON_RP_VENV, '.portcullis-stamp');
// A directory, because mkdir is atomic: two processes (a set-up script and jest) never build at once.
const LOCK = `${PYTHON_RP_VENV}.lock`;
/** The base interpreter: `python3` on PATH (pyenv's shim here), Python 3.11 or newer. */
const BASE_PYTHON = 'python3';
/** pip downloads about 10 MB of wheels: minutes at worst, never unbounded. */
const INSTALL_TIMEOUT_MS = 240_000;
/** A lock older than this is left over from a killed build. */
const STALE_LOCK_MS = INSTALL_TIMEOUT_MS + 60_000;

export function venvPython(): string {
  return join(PYTHON_RP_VENV, 'bin', 'python');
}

/** The last non-empty line of a failed command's output: pip's own reason, in one line. */
function reason(error: unknown): string {
  const e = error as {
    stderr?: string;
    stdout?: string;
    message?: string;
    killed?: boolean;
    code?: unknown;
  };
  if (e.killed) return `timed out after ${INSTALL_TIMEOUT_MS / 1000} s`;
  const lines = `${e.stderr ?? ''}\n${e.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.at(-1) ?? e.message ?? String(error);
}

async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new Error(
      `Python RP venv (${PYTHON_RP_VENV}) could not be built: ${what} failed: ${reason(error)}`,
      { cause: error },
    );
  }
}

async function wantedStamp(): Promise<string> {
  const requirements = await step('reading test/rp/python/requirements.txt', () =>
    readFile(REQUIREMENTS, 'utf8'),
  );
  const interpreter = await step(`running ${BASE_PYTHON}`, () =>
    run(BASE_PYTHON, ['-c', 'import sys; print(sys.version); print(sys.base_prefix)'], {
      timeout: 30_000,
    }),
  );
  return createHash('sha256')
    .update(requirements)
    .update('\0')
    .update(interpreter.stdout)
    .digest('hex');
}

async function upToDate(stamp: string): Promise<boolean> {
  if (!existsSync(venvPython())) return false;
  return (await readFile(STAMP, 'utf8').catch(() => '')) === stamp;
}

async function takeLock(stamp: string): Promise<boolean> {
  for (;;) {
    try {
      await mkdir(LOCK, { recursive: false });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await mkdir(join(PYTHON_RP_VENV, '..'), { recursive: true });
        continue;
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // Another process is building: wait for its stamp, or take over a lock it left behind.
    if (await upToDate(stamp)) return false;
    const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_LOCK_MS) await rmdir(LOCK).catch(() => undefined);
    await sleep(500);
  }
}

/** Builds the venv if needed (idempotent, safe to call concurrently); returns its python. */
export async function ensurePythonRp(): Promise<string> {
  const stamp = await wantedStamp();
  if (await upToDate(stamp)) return venvPython();
  if (!(await takeLock(stamp))) return venvPython();
  try {
    if (await upToDate(stamp)) return venvPython();
    await rm(PYTHON_RP_VENV, { recursive: true, force: true });
    await step(`${BASE_PYTHON} -m venv`, () =>
      run(BASE_PYTHON, ['-m', 'venv', PYTHON_RP_VENV], { timeout: 120_000 }),
    );
    await step(
      'pip install -r test/rp/python/requirements.txt (is a Python package index reachable?)',
      () =>
        run(
          venvPython(),
          [
            '-m',
            'pip',
            'install',
            '--disable-pip-version-check',
            '--no-input',
            '--quiet',
            '--timeout',
            '30',
            '--retries',
            '2',
            '-r',
            REQUIREMENTS,
          ],
          { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        ),
    );
    await writeFile(STAMP, stamp);
    return venvPython();
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  ensurePythonRp().then(
    (python) => console.log(python),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
