import type { ListOptions, ListPage } from '../ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';

/**
 * One keyset page over `items`: those whose key sorts after the cursor's, in ascending key
 * order (code-unit order, like SQLite's BINARY collation for the ASCII ids we generate).
 */
export function paginate<T>(
  items: Iterable<T>,
  keyOf: (item: T) => string,
  options: ListOptions,
): ListPage<T> {
  const after = decodeCursor(options.cursor);
  const sorted = [...items]
    .filter((item) => after === undefined || keyOf(item) > after)
    .sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  const page = sorted.slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: page,
    nextCursor:
      sorted.length > options.limit && last !== undefined ? encodeCursor(keyOf(last)) : undefined,
  };
}
