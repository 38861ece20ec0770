import { readFileSync } from 'node:fs';
import type { CliIo } from './cli-io.ts';
import { API_COMMANDS } from './api-commands.ts';
import { AUDIT_COMMANDS } from './audit-commands.ts';
import { CLIENT_COMMANDS } from './client-commands.ts';
import { DB_COMMANDS } from './db-commands.ts';
import { EVENTS_COMMANDS } from './events-commands.ts';
import type { Command } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { IAT_COMMANDS } from './iat-commands.ts';
import { KEYS_COMMANDS } from './keys-commands.ts';
import { reportError } from './report-error.ts';
import { serveCommand } from './serve-command.ts';
import { UsageError } from './usage-error.ts';
import { USER_COMMANDS } from './user-commands.ts';
import { printHelp, writeLines } from './write-output.ts';

/** Nouns and their verbs: `portcullis <noun> <verb> [arguments] [options]`. */
const NOUNS: ReadonlyMap<'user' | 'client' | 'api' | 'keys' | 'db' | 'iat' | 'audit' | 'events', ReadonlyMap<string, Command>> = new Map([
  ['user', USER_COMMANDS],
  ['client', CLIENT_COMMANDS],
  ['api', API_COMMANDS],
  ['keys', KEYS_COMMANDS],
  ['db', DB_COMMANDS],
  ['iat', IAT_COMMANDS],
  ['audit', AUDIT_COMMANDS],
  ['events', EVENTS_COMMANDS],
] as const);

const HELP_WORDS = new Set(['--help', '-h', 'help']);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return String(pkg.version);
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const rest = [...argv];
  // `portcullis --verbose user list` as well as `portcullis user list --verbose`.
  const globals: string[] = [];
  while (rest[0] === '--verbose') globals.push(rest.shift() as string);
  const noun = rest.shift();
  if (noun === undefined) throw new UsageError('missing command', HELP.top);
  if (HELP_WORDS.has(noun)) return printHelp(io, HELP.top);
  if (noun === '--version' || noun === '-V') {
    writeLines(io, version());
    return EXIT.ok;
  }
  if (noun === 'serve') return serveCommand([...globals, ...rest], io);

  const verbs = NOUNS.get(noun as 'user');
  if (!verbs) {
    throw new UsageError(
      noun.startsWith('-') ? `unknown option ${noun}` : `unknown command ${JSON.stringify(noun)}`,
      HELP.top,
    );
  }
  const nounHelp = HELP[noun as 'user'];
  const verb = rest.shift();
  if (verb === undefined) throw new UsageError(`missing ${noun} command`, nounHelp);
  if (HELP_WORDS.has(verb)) return printHelp(io, nounHelp);
  const command = verbs.get(verb);
  if (!command) {
    throw new UsageError(
      verb.startsWith('-')
        ? `unknown option ${verb}`
        : `unknown ${noun} command ${JSON.stringify(verb)}`,
      nounHelp,
    );
  }
  return command([...globals, ...rest], io);
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
