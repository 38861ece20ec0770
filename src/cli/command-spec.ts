import type { CliIo } from './cli-io.ts';

/**
 * One CLI command, declared once: `parseArgs` options, `--help`, `--json` and the CLI
 * reference (docs/cli.md) are all generated from it (render-help.ts, parse-command-args.ts), so
 * an option cannot be documented without being parsed, or parsed without being documented.
 */

/** One `--flag` of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Repeatable: `values` holds every occurrence, in order. */
  readonly multiple?: boolean;
  /** The value's name in help, e.g. `<address>` (string options). */
  readonly value?: string;
  readonly description: string;
  /**
   * What applies when the option is left out, as shown in help. Documentation only: parsing
   * leaves the value undefined, so the services apply their own defaults (the admin API's too).
   */
  readonly default?: string;
  /** Missing → usage error `missing --flag <value>`; shown in the usage line. */
  readonly required?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean'
  ? O extends { multiple: true }
    ? boolean[]
    : boolean
  : O extends { multiple: true }
    ? string[]
    : string;

/** Parsed options: a command's own, plus the common `--verbose` and `--json`. */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]?: ValueOf<O[K]> | undefined;
} & { verbose?: boolean | undefined; json?: boolean | undefined };

export interface CommandInput<O extends OptionSpecs> {
  values: OptionValues<O>;
  /** Exactly the spec's positionals, in order. */
  positionals: string[];
  /** The command's help text, shown after a usage error. */
  usage: string;
}

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** The words that run it, e.g. `user add` (`serve` for a command without a noun). */
  readonly name: string;
  /** One line for the command list of `portcullis <noun> --help`. */
  readonly summary: string;
  /** Paragraphs of `--help` between the usage line and the options. */
  readonly description: readonly string[];
  /** Positional arguments' names, e.g. `<username|email>`; all required. */
  readonly positionals?: readonly string[];
  readonly options?: O;
  /** What `--json` prints; a command without it has no `--json`. */
  readonly json?: string;
  /**
   * Set when the command has no `--verbose`: the usage error that answers it instead, saying
   * what to do (the common option is otherwise accepted everywhere).
   */
  readonly withoutVerbose?: string;
  /** `--password` is refused before anything else is looked at (see refusePasswordOption). */
  readonly refusesPassword?: boolean;
  readonly examples?: readonly string[];
  // Method syntax: a command with its own options still fits a list of commands.
  run(input: CommandInput<O>, io: CliIo): Promise<number>;
}

/** A noun of `portcullis <noun> <verb>`: its commands and the text of `portcullis <noun> --help`. */
export interface CommandGroup {
  readonly name: string;
  /** One line for the command list of `portcullis --help`. */
  readonly summary: string;
  /** Paragraphs before the command list. */
  readonly description?: readonly string[];
  /** Paragraphs after it. */
  readonly notes?: readonly string[];
  readonly commands: readonly CommandSpec[];
}

/** Types a command's handler by its own options (`const`: flags and types stay literal). */
export function defineCommand<const O extends OptionSpecs = Record<never, never>>(
  spec: CommandSpec<O>,
): CommandSpec<O> {
  return spec;
}

/** The options every command has, declared once (`--json` is added where the spec says what it prints). */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  verbose: { type: 'boolean', description: 'log to stderr at debug level' },
} as const satisfies OptionSpecs;

export const JSON_OPTION = { type: 'boolean' } as const;

/** `--limit` and `--cursor` of a list command; `items` names what is listed (`users per page`). */
export function pageOptions(items: string) {
  return {
    limit: {
      type: 'string',
      value: '<n>',
      description: `${items} per page, 1 to 100`,
      default: '50',
    },
    cursor: {
      type: 'string',
      value: '<cursor>',
      description: 'page to show, as printed after the previous page',
    },
  } as const;
}

export const PAGE_JSON = 'print {"items": [...], "nextCursor": ...} as JSON';
