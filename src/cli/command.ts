import type { CliIo } from './cli-io.ts';

/** One verb of the CLI: its arguments after `<noun> <verb>`, answering the exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;
