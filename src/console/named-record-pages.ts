import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Actor } from '../admin/audit-log.ts';
import { CONSOLE_PATH } from './console-auth.ts';
import {
  cell,
  cursorOf,
  enc,
  fill,
  listSection,
  nextPage,
  type ConsoleKit,
  type RecordPage,
} from './console-kit.ts';
import type { ConsoleMessages } from './console-messages.ts';
import type {
  ConsoleCell,
  ConsoleField,
  ConsolePage,
  ConsoleSection,
} from './console-view-model.ts';

/** What roles and groups have in common: a name that is their key, and a description. */
export interface NamedRecord {
  name: string;
  description: string;
}

/** The admin service of such records (`services.access.roles`, `.groups`): audited writes. */
export interface NamedRecordService<R extends NamedRecord> {
  list(options: {
    cursor?: string | undefined;
    limit: number;
  }): Promise<{ items: R[]; nextCursor: string | undefined }>;
  get(name: string): Promise<R>;
  create(input: unknown, who: Actor): Promise<R>;
  update(name: string, input: unknown, who: Actor): Promise<unknown>;
  remove(name: string, who: Actor): Promise<void>;
}

/** The words a section of named records says (its own message keys). */
export interface NamedRecordWords {
  /** The list, and the navigation's name for it. */
  plural: string;
  /** The create form. */
  create: string;
  /** A record's page, with `{name}`. */
  title: string;
  /** The link to the deletion. */
  remove: string;
  removeTitle: string;
  /** The question, with `{name}`. */
  removeConfirm: string;
}

/** The key of a named record in a create form. */
export const nameField = (t: ConsoleMessages, value: string, hint: string): ConsoleField => ({
  name: 'name',
  label: t.name,
  type: 'text',
  value,
  required: true,
  hint,
});

export const descriptionField = (t: ConsoleMessages, value: string): ConsoleField => ({
  name: 'description',
  label: t.description,
  type: 'text',
  value,
});

/** A create form as the service takes it: an empty description is none. */
export const namedInput = (f: Record<string, string>) => ({
  name: f.name,
  ...(f.description ? { description: f.description } : {}),
});

/**
 * The pages of a section of named records (roles, groups): the list with a create form, a
 * record's page with its description to change, deletion after a confirmation, each change one
 * audited service call, then POST-redirect-GET. What a section has beyond that (more columns,
 * facts and sections; its own changes through `kit.change` with the page returned here) it
 * adds through `spec`.
 */
export function namedRecordPages<R extends NamedRecord>(
  router: Router,
  kit: ConsoleKit,
  spec: {
    section: 'roles' | 'groups';
    service: NamedRecordService<R>;
    words: (t: ConsoleMessages) => NamedRecordWords;
    /** Columns of the list after name and description. */
    columns?: { headers: (t: ConsoleMessages) => string[]; cells: (record: R) => ConsoleCell[] };
    /** Facts on a record's page after name and description. */
    facts?: (t: ConsoleMessages, record: R) => NonNullable<ConsoleSection['facts']>;
    /** Sections of a record's page after its first. */
    sections?: (ctx: Context, record: R, here: string) => Promise<ConsoleSection[]>;
  },
): RecordPage {
  const { state, post, form } = kit;
  const { section, service } = spec;
  const base = `${CONSOLE_PATH}/${section}`;
  const path = (name: string) => `${base}/${enc(name)}`;

  async function list(
    ctx: Context,
    notice?: ConsolePage['notice'],
    values = { name: '', description: '' },
  ) {
    const { t } = state(ctx);
    const words = spec.words(t);
    const records = await service.list({ cursor: cursorOf(ctx), limit: 100 });
    await kit.view(ctx, {
      heading: words.plural,
      current: section,
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        listSection(t, words.plural, {
          headers: [t.name, t.description, ...(spec.columns?.headers(t) ?? [])],
          rows: records.items.map((r) => [
            cell(r.name, path(r.name)),
            cell(r.description || '–'),
            ...(spec.columns?.cells(r) ?? []),
          ]),
          next: nextPage(t, base, records.nextCursor),
        }),
        {
          heading: words.create,
          forms: [
            post(ctx, base, t.create, {
              label: words.create,
              fields: [
                nameField(t, values.name, t.nameHint),
                descriptionField(t, values.description),
              ],
            }),
          ],
        },
      ],
    });
  }

  async function show(ctx: Context, name: string, notice?: ConsolePage['notice']) {
    const { t } = state(ctx);
    const words = spec.words(t);
    const record = await service.get(name);
    const here = path(record.name);
    const more = (await spec.sections?.(ctx, record, here)) ?? [];
    await kit.view(ctx, {
      heading: fill(words.title, { name: record.name }),
      current: section,
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: record.name,
          facts: [
            { term: t.name, value: record.name },
            { term: t.description, value: record.description || '–' },
            ...(spec.facts?.(t, record) ?? []),
          ],
          forms: [
            post(ctx, here, t.save, {
              label: t.save,
              fields: [descriptionField(t, record.description)],
            }),
          ],
          links: [{ href: `${here}/delete`, label: words.remove }],
        },
        ...more,
      ],
    });
  }
  const page = { param: 'name', path, show } satisfies RecordPage;

  router.get(`/${section}`, (ctx) => list(ctx));

  router.post(`/${section}`, async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const record = await service.create(namedInput(f), kit.actorOf(ctx));
        kit.redirect(ctx, path(record.name));
      },
      (notice) => list(ctx, notice, { name: f.name ?? '', description: f.description ?? '' }),
    );
  });

  router.get(`/${section}/:name`, (ctx) => show(ctx, ctx.params.name ?? ''));

  router.post(
    `/${section}/:name`,
    kit.change(page, (name, f, ctx) =>
      service.update(name, { description: f.description }, kit.actorOf(ctx)),
    ),
  );

  kit.confirmed(router, `/${section}/:name/delete`, {
    current: section,
    async confirm(_ctx, name, t) {
      const words = spec.words(t);
      const record = await service.get(name);
      return {
        key: record.name,
        heading: words.removeTitle,
        text: fill(words.removeConfirm, { name: record.name }),
        back: path(record.name),
      };
    },
    async act(ctx, name) {
      await service.remove(name, kit.actorOf(ctx));
      kit.redirect(ctx, base);
    },
  });

  return page;
}
