import { parse as parseCsv } from 'csv-parse/sync';

/** One row of an import file, as read (not yet validated), with the line it starts on. */
export interface ImportRow {
  line: number;
  fields: Record<string, unknown>;
}

export interface ImportProblem {
  /** 1-based line of the file; 0 for the file as a whole. */
  line: number;
  field: string;
  message: string;
}

export type ImportFormat = 'jsonl' | 'csv';

/**
 * Reads an import file into rows. JSON lines: one JSON object per line (blank lines skipped).
 * CSV (RFC 4180, read by `csv-parse`): a header row naming the columns, then one user per
 * record; quoted fields may span lines, and each row keeps the line it starts on. A row that
 * cannot be read at all is a problem at its line; reading goes on, so every bad line is named.
 */
export function parseUserImport(
  text: string,
  format: ImportFormat,
): { rows: ImportRow[]; problems: ImportProblem[] } {
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  if (format === 'jsonl') {
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        problems.push({ line, field: 'line', message: 'is not valid JSON' });
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push({ line, field: 'line', message: 'must be a JSON object' });
        return;
      }
      rows.push({ line, fields: value as Record<string, unknown> });
    });
    return { rows, problems };
  }

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    problems.push({
      line: typeof line === 'number' ? line : 0,
      field: 'file',
      message: `is not valid CSV: ${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'}`,
    });
    return { rows, problems };
  }
  const [header, ...body] = records;
  if (header === undefined) return { rows, problems };
  const columns = header.record.map((c) => c.trim());
  // `info.lines` is the line a record ends on; the next record starts one line later.
  let startLine = header.info.lines + 1;
  for (const { record, info } of body) {
    const line = startLine;
    startLine = info.lines + 1;
    if (record.length !== columns.length) {
      problems.push({
        line,
        field: 'line',
        message: `has ${String(record.length)} fields; the header has ${String(columns.length)}`,
      });
      continue;
    }
    const fields: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const value = record[i] ?? '';
      if (value !== '') fields[column] = value;
    });
    rows.push({ line, fields });
  }
  return { rows, problems };
}
