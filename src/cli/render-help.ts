import {
  COMMON_OPTIONS,
  type CommandGroup,
  type CommandSpec,
  type OptionSpec,
} from './command-spec.ts';

/**
 * `--help` texts, generated from the command specs in one layout: usage line, description,
 * options, examples. Hand-written rather than a help library's: the layout is a few lines and the
 * specs already hold everything (node:util parseArgs, which parses them, prints no help).
 */

const WIDTH = 96;
/** Flags longer than this put their description on the next line. */
const MAX_FLAG_COLUMN = 38;

/** Words of `text` in lines of at most `width` characters (a longer word gets its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function paragraphs(texts: readonly string[] | undefined): string[] {
  return (texts ?? []).map((text) => wrap(text, WIDTH).join('\n'));
}

/** Two-column rows (`  flag   description`), the description wrapped beside its column. */
function columns(rows: readonly (readonly [string, string])[], indent = 2): string {
  const fitting = rows.map(([left]) => left.length).filter((n) => n <= MAX_FLAG_COLUMN);
  const column = indent + Math.max(0, ...fitting) + 3;
  const out: string[] = [];
  for (const [left, right] of rows) {
    const text = wrap(right, WIDTH - column);
    const head = ' '.repeat(indent) + left;
    if (head.length + 2 > column) {
      out.push(head);
      out.push(...text.map((l) => ' '.repeat(column) + l));
    } else {
      out.push(...text.map((l, i) => (i === 0 ? head.padEnd(column) : ' '.repeat(column)) + l));
    }
  }
  return out.join('\n');
}

function flag(name: string, option: OptionSpec): string {
  const short = option.short === undefined ? '    ' : `-${option.short}, `;
  return `${short}--${name}${option.value === undefined ? '' : ` ${option.value}`}`;
}

function describeOption(option: OptionSpec): string {
  const notes = [
    option.required ? 'required' : undefined,
    option.multiple ? 'repeatable' : undefined,
    option.default === undefined ? undefined : `default: ${option.default}`,
  ].filter((n) => n !== undefined);
  if (notes.length === 0) return option.description;
  // One parenthesis: `(… no fragment; repeatable)` rather than `(… no fragment) (repeatable)`.
  return option.description.endsWith(')')
    ? `${option.description.slice(0, -1)}; ${notes.join('; ')})`
    : `${option.description} (${notes.join('; ')})`;
}

/** Every option a command accepts, its own first, then `--json`, `--help` and `--verbose`. */
export function optionRows(spec: CommandSpec): [string, string][] {
  const rows = Object.entries(spec.options ?? {}).map(([name, option]): [string, string] => [
    flag(name, option),
    describeOption(option),
  ]);
  if (spec.json !== undefined) rows.push(['    --json', spec.json]);
  rows.push([flag('help', COMMON_OPTIONS.help), COMMON_OPTIONS.help.description]);
  if (spec.withoutVerbose === undefined)
    rows.push([flag('verbose', COMMON_OPTIONS.verbose), COMMON_OPTIONS.verbose.description]);
  return rows;
}

/** `portcullis client add --name <name> [options]`: positionals and required options. */
export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.options ?? {})
    .filter(([, option]) => option.required)
    .map(([name, option]) => `--${name}${option.value === undefined ? '' : ` ${option.value}`}`);
  return ['portcullis', spec.name, ...(spec.positionals ?? []), ...required, '[options]'].join(' ');
}

function sections(...parts: (string | undefined)[]): string {
  return `${parts.filter((p) => p !== undefined && p !== '').join('\n\n')}\n`;
}

export function renderCommandHelp(spec: CommandSpec): string {
  return sections(
    `Usage: ${usageLine(spec)}`,
    ...paragraphs(spec.description),
    `Options:\n${columns(optionRows(spec), 2)}`,
    spec.examples?.length
      ? `Examples:\n${spec.examples.map((e) => e.replace(/^/gm, '  ')).join('\n')}`
      : undefined,
  );
}

/** The verb and its positionals, e.g. `show <client_id>`. */
function commandWords(spec: CommandSpec, prefix: string): string {
  return [spec.name.slice(prefix.length).trim(), ...(spec.positionals ?? [])].join(' ');
}

export function renderGroupHelp(group: CommandGroup): string {
  const [only] = group.commands;
  const more =
    group.commands.length === 1 && only
      ? `"portcullis ${only.name} --help" shows its options.`
      : `"portcullis ${group.name} <command> --help" shows each command's options.`;
  return sections(
    `Usage: portcullis ${group.name} <command> [options]`,
    ...paragraphs(group.description),
    `Commands:\n${columns(group.commands.map((c) => [commandWords(c, group.name), c.summary]))}`,
    ...paragraphs(group.notes),
    more,
  );
}

export interface TopLevel {
  readonly description: readonly string[];
  readonly groups: readonly CommandGroup[];
  /** Commands without a noun (`serve`). */
  readonly commands: readonly CommandSpec[];
  readonly options: readonly (readonly [string, OptionSpec])[];
  readonly notes: readonly string[];
}

export function renderTopHelp(top: TopLevel): string {
  return sections(
    'Usage: portcullis <command> [options]',
    ...paragraphs(top.description),
    `Commands:\n${columns([
      ...top.groups.map((g): [string, string] => [g.name, g.summary]),
      ...top.commands.map((c): [string, string] => [c.name, c.summary]),
    ])}`,
    `Options:\n${columns(top.options.map(([name, option]) => [flag(name, option), option.description]))}`,
    ...paragraphs(top.notes),
  );
}
