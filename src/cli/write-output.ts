import type { CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';

/** `--json` output: one JSON document on stdout and nothing else there. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeLines(io: CliIo, ...lines: string[]): void {
  io.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

/** Columns padded to their widest cell, two spaces apart. */
export function writeTable(
  io: CliIo,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): void {
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
