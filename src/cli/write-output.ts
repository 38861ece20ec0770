import { escapeControlCharacters } from '../logging/escape-control-characters.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';

/** `--json` output: one JSON document on stdout and nothing else there. */
export function writeJson(io: CliIo, value: unknown): void {
  // JSON escapes C0 controls itself; C1 controls (8-bit CSI) and bidi overrides it leaves raw,
  // so they are written as `\u` escapes too (they only occur inside strings: still valid JSON).
  const json = JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  io.stdout.write(`${json}\n`);
}

export function writeLines(io: CliIo, ...lines: string[]): void {
  io.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

/**
 * Columns padded to their widest cell, two spaces apart. Cells are printed with control
 * characters escaped: listings show what clients and users chose (ids, names, details), and
 * stored text may predate escaping on input, so a terminal never receives them raw.
 */
export function writeTable(
  io: CliIo,
  headers: readonly string[],
  cells: readonly (readonly string[])[],
): void {
  const rows = cells.map((row) => row.map(escapeControlCharacters));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const format = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  writeLines(io, format(headers), ...rows.map(format));
}

/** Times as ISO 8601 UTC, readable and sortable; `-` for none. */
export function formatTime(epochMs: number | undefined): string {
  return epochMs === undefined ? '-' : new Date(epochMs).toISOString();
}

/** `--help`: the usage text on stdout, exit 0. */
export function printHelp(io: CliIo, usage: string): number {
  io.stdout.write(usage);
  return EXIT.ok;
}
