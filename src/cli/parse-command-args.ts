import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import {
  COMMON_OPTIONS,
  JSON_OPTION,
  type CommandSpec,
  type OptionSpecs,
  type OptionValues,
} from './command-spec.ts';
import { expectPositionals, parseOrUsage } from './parse-command.ts';
import { UsageError } from './usage-error.ts';

/** The `parseArgs` options of a command: the common ones and the spec's own (types only). */
export function parseArgsOptions(spec: CommandSpec): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {
    help: { type: 'boolean', short: COMMON_OPTIONS.help.short },
  };
  if (spec.withoutVerbose === undefined) options.verbose = { type: 'boolean' };
  if (spec.json !== undefined) options.json = { ...JSON_OPTION };
  for (const [name, option] of Object.entries(spec.options ?? {})) {
    options[name] = {
      type: option.type,
      ...(option.multiple ? { multiple: true } : {}),
      ...(option.short === undefined ? {} : { short: option.short }),
    };
  }
  return options;
}

/**
 * A command line parsed by its spec: exactly the named positionals and the required options,
 * anything else a usage error (exit code 2) followed by `usage`.
 */
export function parseCommandArgs<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  args: string[],
  usage: string,
): { values: OptionValues<O>; positionals: string[] } {
  if (spec.withoutVerbose !== undefined) {
    const end = args.indexOf('--');
    if ((end < 0 ? args : args.slice(0, end)).includes('--verbose'))
      throw new UsageError(spec.withoutVerbose, usage);
  }
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({ args, allowPositionals: true, strict: true, options: parseArgsOptions(spec) }),
  );
  const checked = expectPositionals(positionals, spec.positionals ?? [], usage);
  for (const [name, option] of Object.entries(spec.options ?? {})) {
    if (option.required && values[name] === undefined)
      throw new UsageError(
        `missing --${name}${option.value === undefined ? '' : ` ${option.value}`}`,
        usage,
      );
  }
  // The options were built from the spec, so the values have the spec's types.
  return { values: values as OptionValues<O>, positionals: checked };
}
