/**
 * Where the FerretDB binary for tests is: the one place both the test set-up (which builds it
 * with `.ci/install-ferretdb.sh`) and Jest's global setup (which starts it) look, so they cannot
 * disagree about it.
 */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isExecutable } from './is-executable.ts';

/**
 * The directory `.ci/install-ferretdb.sh` installs into: `$(go env GOBIN)`, else the first entry
 * of `$(go env GOPATH)` plus `/bin` (what `go install` does). Undefined without Go.
 */
export function ferretDbInstallDir(): string | undefined {
  let out: string;
  try {
    out = execFileSync('go', ['env', 'GOBIN', 'GOPATH'], {
      encoding: 'utf8',
      // Explicit: under Jest, `process.env` is the test's copy, which children do not inherit.
      env: process.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined; // no Go on this machine
  }
  const [gobin = '', gopath = ''] = out.split('\n').map((line) => line.trim());
  if (gobin !== '') return gobin;
  const first = gopath.split(':')[0] ?? '';
  return first === '' ? undefined : join(first, 'bin');
}

/**
 * The FerretDB binary: `FERRETDB_BIN` when set (and then only it), else where
 * `.ci/install-ferretdb.sh` puts it; without Go, Go's default `~/go/bin` (built before Go left).
 */
export function findFerretDbBinary(): string | undefined {
  const fromEnv = process.env['FERRETDB_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return isExecutable(fromEnv) ? fromEnv : undefined;
  const dir = ferretDbInstallDir() ?? join(homedir(), 'go', 'bin');
  const binary = join(dir, 'ferretdb');
  return isExecutable(binary) ? binary : undefined;
}
