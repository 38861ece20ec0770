import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { ImportReport } from '../../import/user-import-service.ts';
import { importFormatOfFileName } from '../../import/import-format-of-file-name.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, fill, type ConsoleKit } from '../console-kit.ts';
import type { ConsolePage, ConsoleSection } from '../console-view-model.ts';

/** What the guard (console-router.ts) read from a multipart form, besides its text fields. */
export type UploadedFiles = Record<string, { filename: string; text: string }>;

/**
 * User import (docs/import.md; `portcullis user import FILE [--dry-run]`): a file upload (JSON
 * lines or CSV, the format from the file's name unless chosen), checked as a dry run by default.
 * The report, with every bad line, is the answer to the upload. Through the same import service,
 * audited as `admin.users.imported`.
 */
export function userImportRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const here = `${CONSOLE_PATH}/users/import`;

  async function importPage(
    ctx: Context,
    extra: {
      notice?: ConsolePage['notice'];
      report?: ImportReport;
      format?: string;
      dryRun?: boolean;
    } = {},
  ) {
    const { t } = state(ctx);
    const sections: ConsoleSection[] = [];
    const report = extra.report;
    if (report !== undefined) {
      sections.push({
        heading: report.dry_run ? t.importChecked : t.importDone,
        facts: [
          { term: t.format, value: report.format },
          { term: t.rowsRead, value: String(report.rows) },
          { term: t.created, value: String(report.created) },
          { term: t.skipped, value: String(report.skipped) },
          { term: t.problems, value: String(report.problems.length) },
        ],
        text: [
          report.problems.length > 0
            ? t.importNothing
            : report.dry_run
              ? t.importDryRunFine
              : fill(t.importCreated, { count: String(report.created) }),
        ],
        table:
          report.problems.length > 0
            ? {
                caption: t.problems,
                headers: [t.line, t.field, t.problem],
                rows: report.problems.map((p) => [
                  cell(String(p.line)),
                  cell(p.field),
                  cell(p.message),
                ]),
                empty: t.nothing,
              }
            : undefined,
      });
    }
    sections.push({
      heading: t.importUsers,
      text: [t.importIntro],
      forms: [
        post(ctx, here, t.importSubmit, {
          label: t.importUsers,
          multipart: true,
          fields: [
            {
              name: 'file',
              label: t.importFile,
              type: 'file',
              value: '',
              required: true,
              accept: '.jsonl,.ndjson,.json,.csv,text/csv,application/json',
            },
            {
              name: 'format',
              label: t.format,
              type: 'select',
              value: extra.format ?? '',
              options: [
                { value: '', label: t.formatFromName },
                { value: 'jsonl', label: 'JSON lines' },
                { value: 'csv', label: 'CSV' },
              ],
            },
            {
              name: 'dry_run',
              label: t.dryRun,
              type: 'checkbox',
              value: 'yes',
              checked: extra.dryRun ?? true,
            },
          ],
        }),
      ],
    });
    await kit.view(ctx, {
      heading: t.importUsers,
      current: 'users',
      notice: extra.notice,
      sections,
    });
  }

  router.get('/users/import', (ctx) => importPage(ctx));

  router.post('/users/import', async (ctx) => {
    const { t } = state(ctx);
    const f = form(ctx);
    const file = (ctx.state.files as UploadedFiles | undefined)?.file;
    const dryRun = f.dry_run === 'yes';
    const format = f.format || (file ? importFormatOfFileName(file.filename) : undefined);
    if (file === undefined || format === undefined) {
      await importPage(ctx, {
        notice: { kind: 'alert', text: file === undefined ? t.importNoFile : t.importNoFormat },
        format: f.format,
        dryRun,
      });
      ctx.status = 400;
      return;
    }
    await kit.attempt(
      ctx,
      async () => {
        const report = await services.imports.run(
          { format, content: file.text, dry_run: dryRun },
          kit.actorOf(ctx),
        );
        await importPage(ctx, { report, format: f.format, dryRun });
      },
      (notice) => importPage(ctx, { notice, format: f.format, dryRun }),
    );
  });
}
