import type { ParseArgsOptionsConfig } from 'node:util';
import { parseCommandArgs } from './parse-command-args.ts';
import { parseLimit } from './parse-command.ts';

const PAGE_OPTIONS = {
  limit: { type: 'string' },
  cursor: { type: 'string' },
} as const;

/**
 * A list command's options: its `filters`, `--limit` (as a whole number) and `--cursor`, and no
 * positional arguments.
 */
export function parseListOptions<const T extends ParseArgsOptionsConfig = Record<never, never>>(
  args: string[],
  usage: string,
  filters?: T,
) {
  const { values } = parseCommandArgs(args, usage, [], { ...(filters as T), ...PAGE_OPTIONS });
  // `values` has `limit` (PAGE_OPTIONS), but TypeScript cannot see it through the generic `T`.
  const { limit } = values as { limit?: string };
  return { values, limit: parseLimit(limit, usage) };
}
