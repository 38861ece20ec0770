import { z } from 'zod';
import { MAX_NAME_LENGTH, NAME_PATTERN } from './access-control-schemas.ts';

/**
 * Which roles or groups a client may learn (client metadata `visible_roles`, `visible_groups`):
 * exact names, prefixes ending in `*` (`orders-*`), or `*` for all. A client without the metadata
 * learns none: tokens carry only what an admin allowed that client to know.
 */
export const visibleNamesSchema = z
  .array(
    z
      .string({ error: 'must be a list of names or prefixes ending in *' })
      .max(MAX_NAME_LENGTH + 1, `must be names of at most ${MAX_NAME_LENGTH} characters`)
      .refine(
        (p) => p === '*' || NAME_PATTERN.test(p.endsWith('*') ? p.slice(0, -1) : p),
        'must be a role or group name, a prefix ending in *, or *',
      ),
    { error: 'must be a list of names or prefixes ending in *' },
  )
  .max(50, 'must have at most 50 entries');

export function visibleNames(names: readonly string[], patterns: unknown): string[] {
  if (!Array.isArray(patterns)) return [];
  const list = patterns.filter((p): p is string => typeof p === 'string');
  return names.filter((name) =>
    list.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p)),
  );
}
