import type { CliIo } from './cli-io.ts';
import type { CommandSpec } from './command-spec.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { refusePasswordOption, wantsHelp } from './parse-command.ts';
import { renderCommandHelp } from './render-help.ts';
import { printHelp } from './write-output.ts';

/** Runs one command by its spec: `--help`, parsing, then its handler. */
export async function runCommand(spec: CommandSpec, args: string[], io: CliIo): Promise<number> {
  const usage = renderCommandHelp(spec);
  if (spec.refusesPassword) refusePasswordOption(args, usage);
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseCommandArgs(spec, args, usage);
  return spec.run({ values, positionals, usage }, io);
}
