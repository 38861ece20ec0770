import { parseArgs } from 'node:util';
import type { Command } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { COMMON_OPTIONS, expectPositionals, parseOrUsage, wantsHelp } from './parse-command.ts';
import { printHelp } from './write-output.ts';

/** `portcullis serve`: the server's own entry point, loaded only when asked for. */
export const serveCommand: Command = async (args, io) => {
  const usage = HELP.serve;
  if (wantsHelp(args)) return printHelp(io, usage);
  const { positionals } = parseOrUsage(usage, () =>
    parseArgs({ args, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS } }),
  );
  expectPositionals(positionals, [], usage);
  const { main } = await import('../main.ts');
  await main();
  // main() reports a failed start through process.exitCode (78 for bad configuration).
  return Number(process.exitCode ?? EXIT.ok);
};
