/**
 * `npm test`'s set-up step (test/setup/test-setup.ts), run as `npm test` runs it: a real Node
 * process on this machine's real FerretDB, Chromium and python3.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFerretDbBinary } from '../helpers/find-ferretdb-binary.ts';
import {
  ensurePythonVenv,
  PYTHON_REQUIREMENTS,
  PYTHON_VENV_PYTHON,
  PYTHON_VENV_STAMP,
} from '../setup/python-venv-step.ts';
import { debianPackages } from '../setup/system-packages.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SETUP = join(ROOT, 'test', 'setup', 'test-setup.ts');

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-setup-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the set-up script on this test's Node (24) with `env` over the current environment. */
function runSetup(args: readonly string[], env: Record<string, string | undefined>) {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  const started = performance.now();
  const result = spawnSync(process.execPath, [SETUP, ...args], {
    cwd: ROOT,
    env: merged,
    encoding: 'utf8',
  });
  return { ...result, ms: performance.now() - started };
}

describe('test set-up (npm test)', () => {
  it('fails with one clear line per missing piece and no stack trace', () => {
    const result = runSetup(['ferretdb', 'chromium'], {
      MONGODB_URI: undefined,
      FERRETDB_BIN: '/nonexistent/ferretdb',
      CHROMIUM_PATH: '/nonexistent/chromium',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'test-setup: MISSING ferretdb: FERRETDB_BIN=/nonexistent/ferretdb is not an executable file',
      'test-setup: MISSING chromium: CHROMIUM_PATH=/nonexistent/chromium is not an executable file',
      'test-setup: the tests need the pieces above; stopping',
    ]);
  });

  it('leaves FerretDB to MONGODB_URI when one is given', () => {
    const result = runSetup(['ferretdb'], {
      MONGODB_URI: 'mongodb://127.0.0.1:1/',
      FERRETDB_BIN: '/nonexistent/ferretdb',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^test-setup: ready in \d+ ms: ferretdb skipped \(MONGODB_URI is set\)\n$/,
    );
  });

  it('names an unknown step instead of running nothing', () => {
    const result = runSetup(['chromum'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'test-setup: unknown step chromum; steps: ferretdb, chromium, python, redis\n',
    );
  });

  // `npm test` ran the set-up before Jest, so everything is in place: a second run only checks.
  it('spends well under a second when everything is already there', () => {
    const result = runSetup([], {
      MONGODB_URI: undefined,
      FERRETDB_BIN: undefined,
      CHROMIUM_PATH: undefined,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const ms = Number(/ready in (\d+) ms/.exec(result.stdout)?.[1]);
    expect(ms).toBeLessThan(1000);
    expect(result.stdout.trim().split('\n')).toHaveLength(1); // nothing built or installed
    expect(result.stdout).toContain(`ferretdb ${String(findFerretDbBinary())}`);
  });
});

describe('FerretDB lookup', () => {
  // install-ferretdb.sh honours GOBIN (as `go install` does); the tests must look there too.
  it('finds the binary where .ci/install-ferretdb.sh installs it, GOBIN included', () => {
    const gobin = tempDir();
    const fake = join(gobin, 'ferretdb');
    writeFileSync(fake, '#!/bin/sh\necho "version: v1.24.2"\n');
    chmodSync(fake, 0o755);
    const saved = { GOBIN: process.env['GOBIN'], FERRETDB_BIN: process.env['FERRETDB_BIN'] };
    process.env['GOBIN'] = gobin;
    delete process.env['FERRETDB_BIN'];
    try {
      const check = spawnSync('bash', [join(ROOT, '.ci', 'install-ferretdb.sh'), '--check'], {
        env: { ...process.env },
      });
      expect(check.status).toBe(0);
      expect(findFerretDbBinary()).toBe(fake);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('Python venv step', () => {
  it('does nothing without requirements, then creates the venv once per requirements hash', () => {
    const rootDir = tempDir();
    const lines: string[] = [];
    const context = {
      rootDir,
      packages: debianPackages(),
      say: (line: string) => lines.push(line),
    };
    expect(ensurePythonVenv(context)).toEqual({
      status: 'skipped',
      detail: `no ${PYTHON_REQUIREMENTS}`,
    });

    const requirements = join(rootDir, PYTHON_REQUIREMENTS);
    mkdirSync(join(requirements, '..'), { recursive: true });
    mkdirSync(join(rootDir, 'node_modules'));
    writeFileSync(requirements, '# no packages: pip installs nothing, offline\n');
    expect(ensurePythonVenv(context).status).toBe('ready');
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
    const stamp = join(rootDir, PYTHON_VENV_STAMP);
    expect(readFileSync(stamp, 'utf8').trim()).toBe(sha(readFileSync(requirements, 'utf8')));
    const python = spawnSync(
      join(rootDir, PYTHON_VENV_PYTHON),
      ['-c', 'import sys; print(sys.prefix)'],
      {
        encoding: 'utf8',
      },
    );
    expect(python.stdout.trim()).toBe(join(rootDir, 'node_modules', '.cache', 'portcullis-python'));
    expect(lines.length).toBeGreaterThan(0);

    // Same requirements: nothing runs, the stamp is not rewritten.
    lines.length = 0;
    const stampWritten = statSync(stamp).mtimeMs;
    expect(ensurePythonVenv(context).status).toBe('ready');
    expect(lines).toEqual([]);
    expect(statSync(stamp).mtimeMs).toBe(stampWritten);

    // Changed requirements: the existing venv is refreshed with pip, not recreated.
    writeFileSync(requirements, '# still none, but a different file\n');
    expect(ensurePythonVenv(context).status).toBe('ready');
    expect(lines.some((line) => line.includes('creating'))).toBe(false);
    expect(lines.some((line) => line.includes('installing'))).toBe(true);
    expect(readFileSync(stamp, 'utf8').trim()).toBe(sha(readFileSync(requirements, 'utf8')));
  });
});
