import type { CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';
import { writeJson, writeLines, writeTable } from './write-output.ts';

export interface PageLayout<T> {
  /** The line shown for an empty page, e.g. `no clients`. */
  empty: string;
  headers: readonly string[];
  row: (item: T) => readonly string[];
  /** The command that lists the next page when given `--cursor`, e.g. `portcullis client list`. */
  command: string;
}

/**
 * One page of a list: with `--json` `{ items, nextCursor }` (null on the last page), otherwise a
 * table and, when there is more, the command line that shows the next page.
 */
export function printPage<T>(
  io: CliIo,
  page: { items: readonly T[]; nextCursor?: string | null | undefined },
  json: boolean | undefined,
  layout: PageLayout<T>,
): number {
  if (json) {
    writeJson(io, { items: page.items, nextCursor: page.nextCursor ?? null });
    return EXIT.ok;
  }
  if (page.items.length === 0) {
    writeLines(io, layout.empty);
    return EXIT.ok;
  }
  writeTable(
    io,
    layout.headers,
    page.items.map((item) => layout.row(item)),
  );
  if (page.nextCursor) writeLines(io, '', `more: ${layout.command} --cursor ${page.nextCursor}`);
  return EXIT.ok;
}
