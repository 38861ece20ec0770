/**
 * The Chromium the browser suites drive: `CHROMIUM_PATH` when set (and then only it), else
 * `chromium` on `PATH` (Debian's package puts it in /usr/bin). Shared by the test set-up, which
 * installs it when missing, and the browser helper, so both mean the same binary.
 */
import { findOnPath } from './find-on-path.ts';
import { isExecutable } from './is-executable.ts';

export function findChromium(): string | undefined {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv !== undefined && fromEnv !== '') return isExecutable(fromEnv) ? fromEnv : undefined;
  return findOnPath('chromium');
}
