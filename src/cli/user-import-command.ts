import { readFile } from 'node:fs/promises';
import { importFormatOfFileName } from '../import/import-format-of-file-name.ts';
import { defineCommand } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { writeJson, writeLines } from './write-output.ts';

/** `portcullis user import FILE`: the admin API's import operation, from a file. */
export const userImport = defineCommand({
  name: 'user import',
  summary: 'import users with their password hashes from a file',
  description: [
    "Imports users from JSON lines (one object per line) or CSV (a header row, then one user per line), with password hashes from another system: bcrypt, PBKDF2, scrypt or argon2. Each is verified at the user's first sign-in and replaced by argon2id. All or nothing: if any row is bad, nothing is imported and every bad line is listed. Users whose username exists are skipped, so a re-run changes nothing. See docs/import.md.",
  ],
  positionals: ['<file>'],
  options: {
    format: {
      type: 'string',
      value: '<format>',
      description: 'jsonl or csv (default: from the file name: .jsonl, .ndjson, .json, .csv)',
    },
    'dry-run': { type: 'boolean', description: 'check every row and report; import nothing' },
  },
  json: 'print the report as JSON',
  examples: ['portcullis user import users.csv --dry-run', 'portcullis user import users.jsonl'],
  run: async ({ values, usage, positionals: [file = ''] }, io) => {
    const format = values.format ?? importFormatOfFileName(file);
    if (format !== 'jsonl' && format !== 'csv')
      throw new UsageError('give --format jsonl or csv (not known from the file name)', usage);
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read ${file}`, usage);
    }
    const started = Date.now();
    return withServices(io, values.verbose, async (services) => {
      const report = await (
        await openAdminServices(services)
      ).imports.run({ format, content, dry_run: values['dry-run'] === true }, cliActor());
      if (values.json) writeJson(io, report);
      else {
        for (const p of report.problems)
          io.stderr.write(`line ${String(p.line)}: ${p.field} ${p.message}\n`);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        writeLines(
          io,
          report.problems.length > 0
            ? `nothing imported: ${String(report.problems.length)} problem(s) in ${String(report.rows)} rows`
            : report.dry_run
              ? `dry run: ${String(report.rows)} rows are fine (${String(report.skipped)} exist already); nothing imported`
              : `imported ${String(report.created)} users, skipped ${String(report.skipped)} existing, in ${seconds} s`,
        );
      }
      return report.problems.length > 0 ? EXIT.failure : EXIT.ok;
    });
  },
});
