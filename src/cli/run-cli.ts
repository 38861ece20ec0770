import { readFileSync } from 'node:fs';
import { CLI } from './cli-commands.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';
import { renderGroupHelp, renderTopHelp } from './render-help.ts';
import { reportError } from './report-error.ts';
import { runCommand } from './run-command.ts';
import { UsageError } from './usage-error.ts';
import { printHelp, writeLines } from './write-output.ts';

const HELP_WORDS = new Set(['--help', '-h', 'help']);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return String(pkg.version);
}

/** `portcullis <noun> <verb> [arguments] [options]`, or `portcullis serve [options]`. */
async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const rest = [...argv];
  // `portcullis --verbose user list` as well as `portcullis user list --verbose`.
  const globals: string[] = [];
  while (rest[0] === '--verbose') globals.push(rest.shift() as string);
  const topHelp = renderTopHelp(CLI);
  const noun = rest.shift();
  if (noun === undefined) throw new UsageError('missing command', topHelp);
  if (HELP_WORDS.has(noun)) return printHelp(io, topHelp);
  if (noun === '--version' || noun === '-V') {
    writeLines(io, version());
    return EXIT.ok;
  }
  const single = CLI.commands.find((c) => c.name === noun);
  if (single) return runCommand(single, [...globals, ...rest], io);

  const group = CLI.groups.find((g) => g.name === noun);
  if (!group) {
    throw new UsageError(
      noun.startsWith('-') ? `unknown option ${noun}` : `unknown command ${JSON.stringify(noun)}`,
      topHelp,
    );
  }
  const groupHelp = renderGroupHelp(group);
  const verb = rest.shift();
  if (verb === undefined) throw new UsageError(`missing ${noun} command`, groupHelp);
  if (HELP_WORDS.has(verb)) return printHelp(io, groupHelp);
  const command = group.commands.find((c) => c.name === `${noun} ${verb}`);
  if (!command) {
    throw new UsageError(
      verb.startsWith('-')
        ? `unknown option ${verb}`
        : `unknown ${noun} command ${JSON.stringify(verb)}`,
      groupHelp,
    );
  }
  return runCommand(command, [...globals, ...rest], io);
}

/**
 * Runs one CLI invocation and answers its exit code: 0 success, 1 failure, 2 usage error,
 * 78 configuration error. Results go to `io.stdout`, everything else to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}
