/**
 * Installs Debian packages the test suites need (Chromium, python3-venv) when this process may:
 * as root, or with passwordless sudo. Otherwise it only says which command would, so `npm test`
 * can print that one line instead of failing deep inside a suite.
 */
import { spawnSync } from 'node:child_process';
import { findOnPath } from '../helpers/find-on-path.ts';

export interface SystemPackages {
  /** Whether `install` can work here (apt-get present, and root or passwordless sudo). */
  canInstall(): boolean;
  /** The command that installs `names`, for the user to run when we may not. */
  command(names: readonly string[]): string;
  /** Installs `names` with apt-get; returns the last lines of apt's output when it failed. */
  install(names: readonly string[]): { ok: true } | { ok: false; why: string };
}

type Privilege = 'root' | 'sudo' | 'none';

/** Lines of apt's output kept to explain a failure. */
const KEPT_LINES = 3;

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-KEPT_LINES).join(' / ');
}

export function debianPackages(): SystemPackages {
  let privilege: Privilege | undefined;
  let updated = false;
  const hasApt = (): boolean => findOnPath('apt-get') !== undefined;
  // Decided lazily: `sudo -n true` is only worth running when something is missing.
  const getPrivilege = (): Privilege => {
    if (privilege !== undefined) return privilege;
    if (process.getuid?.() === 0) privilege = 'root';
    else if (
      findOnPath('sudo') !== undefined &&
      spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0
    )
      privilege = 'sudo';
    else privilege = 'none';
    return privilege;
  };
  const aptGet = (args: readonly string[]): { status: number | null; output: string } => {
    const [command, prefix] =
      getPrivilege() === 'sudo' ? ['sudo', ['-n', 'apt-get']] : ['apt-get', []];
    const result = spawnSync(command, [...prefix, ...args], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: result.status, output: `${result.stdout ?? ''}\n${result.stderr ?? ''}` };
  };

  return {
    canInstall: () => hasApt() && getPrivilege() !== 'none',
    command: (names) =>
      hasApt()
        ? `sudo apt-get install -y ${names.join(' ')}`
        : `install ${names.join(', ')} with your system's package manager`,
    install(names) {
      // A fresh machine's package lists are empty or stale: update once per run (apt-get's own
      // advice), and wait for a lock another apt holds instead of failing at once.
      const lock = ['-o', 'DPkg::Lock::Timeout=120'];
      if (!updated) {
        const update = aptGet(['update', '-qq', ...lock]);
        if (update.status !== 0)
          return { ok: false, why: `apt-get update failed: ${lastLines(update.output)}` };
        updated = true;
      }
      const install = aptGet([
        'install',
        '-y',
        '-qq',
        '--no-install-recommends',
        ...lock,
        ...names,
      ]);
      if (install.status !== 0) {
        return {
          ok: false,
          why: `apt-get install ${names.join(' ')} failed: ${lastLines(install.output)}`,
        };
      }
      return { ok: true };
    },
  };
}
