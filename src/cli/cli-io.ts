import type { Readable, Writable } from 'node:stream';

/** Everything the CLI touches outside itself, passed in so tests run it in-process. */
export interface CliIo {
  stdin: Readable;
  /** Results only (with `--json`, JSON only), so scripts can read them. */
  stdout: Writable;
  /** Errors, warnings, prompts and logs. */
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdin is a terminal: then passwords are prompted, otherwise read from stdin. */
  isTTY: boolean;
}
