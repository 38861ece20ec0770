import { UsageError } from './usage-error.ts';

/** `--help`/`-h` anywhere before `--` asks for help, whatever else the line holds. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Passwords on the command line are readable by every local user (`ps`) and stay in shell
 * history, so `--password` is refused outright, with the
 * way to do it instead, rather than reported as merely unknown.
 */
export function refusePasswordOption(args: readonly string[], usage: string): void {
  for (const arg of args) {
    if (arg === '--') return;
    if (arg === '--password' || arg.startsWith('--password=')) {
      throw new UsageError(
        '--password is not accepted: command-line arguments are visible to other users and kept in shell history; pipe the password on standard input or type it at the prompt',
        usage,
      );
    }
  }
}

interface ParseArgsError {
  code: string;
  message: string;
}

// Duck-typed rather than `instanceof Error`: node:util's errors come from Node's own realm,
// which is not the caller's under jest's VM modules.
function isParseArgsError(err: unknown): err is ParseArgsError {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as Partial<ParseArgsError>;
  return (
    typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') && typeof message === 'string'
  );
}

/** node:util `parseArgs` messages, shortened to one line a person reads. */
function describeParseError(err: ParseArgsError): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted === undefined ? '' : JSON.stringify(quoted)}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (quoted === undefined) return err.message.split('\n')[0] ?? err.message;
      return err.message.includes('does not take an argument')
        ? `option ${quoted} does not take a value`
        : `option ${quoted.replace(/ <value>$/, '')} needs a value`;
    default:
      return err.message;
  }
}

/** Runs `parseArgs`, turning its errors into usage errors (exit code 2). */
export function parseOrUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (isParseArgsError(err)) throw new UsageError(describeParseError(err), usage);
    throw err;
  }
}

/** Exactly the named positional arguments, or a usage error naming what is missing or extra. */
export function expectPositionals(
  positionals: readonly string[],
  names: readonly string[],
  usage: string,
): string[] {
  if (positionals.length < names.length)
    throw new UsageError(`missing ${names[positionals.length] ?? 'argument'}`, usage);
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, usage);
  }
  return [...positionals];
}

/** `--limit` as a whole number (the services clamp it to 1..100). */
export function parseLimit(value: string | undefined, usage: string, fallback = 50): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value))
    throw new UsageError('--limit must be a whole number from 1 to 100', usage);
  return Number(value);
}
