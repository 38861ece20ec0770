import { delimiter, join } from 'node:path';
import { isExecutable } from './is-executable.ts';

/** The first executable `command` in the directories of `PATH`, like `command -v`. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}
