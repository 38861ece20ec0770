import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { COMMON_OPTIONS, JSON_OPTION, expectPositionals, parseOrUsage } from './parse-command.ts';

/**
 * A command's options (`--help`, `--verbose`, `--json` and its own `options`) and exactly the
 * named positional arguments; anything else is a usage error (exit code 2).
 */
export function parseCommandArgs<const T extends ParseArgsOptionsConfig = Record<never, never>>(
  args: string[],
  usage: string,
  positionalNames: readonly string[],
  options?: T,
) {
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...JSON_OPTION, ...(options as T) },
    }),
  );
  return { values, positionals: expectPositionals(positionals, positionalNames, usage) };
}
