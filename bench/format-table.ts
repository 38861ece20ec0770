import type { RssTrend, RunSummary } from './bench-stats.ts';
import { soakVerdict } from './bench-stats.ts';

/**
 * Plain-text tables of the results (pure; test/unit/bench-format.test.ts). Numbers are rounded
 * for reading only: the JSON file keeps them whole.
 */

export type ServerName = 'portcullis' | 'stock';

export interface TableRow {
  scenario: string;
  server: ServerName;
  /** Undefined when the scenario could not run on this server (see `note`). */
  summary: RunSummary | undefined;
  /** Portcullis/stock (on the Portcullis row only). */
  ratio?: number | undefined;
  /** The same per second of server CPU. */
  ratioPerCpuSecond?: number | undefined;
  note?: string | undefined;
}

/** A load generator this busy may be what limits the rate (the ratio then understates). */
export const LOAD_BOUND_CPU_PERCENT = 90;

export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}×`;
}

/** What is wrong with a row, for the flags column: errors, or a saturated load generator. */
export function rowFlags(summary: RunSummary): string[] {
  const flags: string[] = [];
  if (summary.errors > 0) flags.push('ERRORS');
  if (summary.loadCpuPercent >= LOAD_BOUND_CPU_PERCENT) flags.push('load-bound');
  return flags;
}

function render(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const HEADER = [
  'scenario',
  'server',
  '/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'CPU %',
  'RSS MB',
  'ratio',
  'ratio/CPU',
  'flags',
];

/** One store's table: a row per scenario and server, the ratio on the Portcullis row. */
export function formatResultTable(rows: readonly TableRow[]): string {
  const cells = rows.map((row) => {
    const s = row.summary;
    if (s === undefined) {
      return [row.scenario, row.server, 'n/a', '', '', '', '', '', '', '', row.note ?? ''];
    }
    return [
      row.scenario,
      row.server,
      formatRate(s.perSecond),
      formatMs(s.p50Ms),
      formatMs(s.p99Ms),
      String(s.errors),
      Number.isFinite(s.serverCpuPercent) ? s.serverCpuPercent.toFixed(0) : 'n/a',
      s.serverRssMb > 0 ? s.serverRssMb.toFixed(0) : 'n/a',
      row.server === 'portcullis' ? formatRatio(row.ratio) : '',
      row.server === 'portcullis' ? formatRatio(row.ratioPerCpuSecond) : '',
      [...rowFlags(s), ...(row.note ? [row.note] : [])].join(' '),
    ];
  });
  return render(HEADER, cells, new Set([2, 3, 4, 5, 6, 7, 8, 9]));
}

export interface SoakRow {
  scenario: string;
  server: ServerName;
  trend: RssTrend;
  perSecond: number;
  errors: number;
}

/** The memory check: RSS trend under load per scenario and server. */
export function formatSoakTable(rows: readonly SoakRow[]): string {
  const cells = rows.map((row) => [
    row.scenario,
    row.server,
    formatRate(row.perSecond),
    String(row.errors),
    row.trend.startMb.toFixed(0),
    row.trend.endMb.toFixed(0),
    row.trend.maxMb.toFixed(0),
    row.trend.slopeMbPerMinute.toFixed(2),
    [...soakVerdict(row.trend), ...(row.errors > 0 ? ['ERRORS'] : [])].join(', ') || 'flat',
  ]);
  return render(
    ['scenario', 'server', '/s', 'errors', 'start MB', 'end MB', 'max MB', 'MB/min', 'verdict'],
    cells,
    new Set([2, 3, 4, 5, 6, 7]),
  );
}
