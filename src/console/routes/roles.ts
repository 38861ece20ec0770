import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, enc, fill, type ConsoleKit } from '../console-kit.ts';
import type { ConsolePage } from '../console-view-model.ts';

/**
 * Roles (issue 16; `portcullis role add|list|show|update|remove`): list and create, a role's page
 * with its description, delete after a confirmation. Through `services.access.roles`, audited as
 * `admin.role.*`.
 */
export function roleRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const base = `${CONSOLE_PATH}/roles`;

  async function list(
    ctx: Context,
    notice?: ConsolePage['notice'],
    values = { name: '', description: '' },
  ) {
    const { t } = state(ctx);
    const cursor =
      typeof ctx.query.cursor === 'string' ? ctx.query.cursor.slice(0, 1024) : undefined;
    const roles = await services.access.roles.list({ cursor, limit: 100 });
    await kit.view(ctx, {
      heading: t.roles,
      current: 'roles',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: t.roles,
          table: {
            caption: t.roles,
            headers: [t.name, t.description],
            rows: roles.items.map((r) => [
              cell(r.name, `${base}/${enc(r.name)}`),
              cell(r.description || '–'),
            ]),
            empty: t.nothing,
            next: roles.nextCursor
              ? { href: `${base}?cursor=${enc(roles.nextCursor)}`, label: t.more }
              : undefined,
          },
        },
        {
          heading: t.newRole,
          forms: [
            post(ctx, base, t.create, {
              label: t.newRole,
              fields: [
                {
                  name: 'name',
                  label: t.name,
                  type: 'text',
                  value: values.name,
                  required: true,
                  hint: t.nameHint,
                },
                {
                  name: 'description',
                  label: t.description,
                  type: 'text',
                  value: values.description,
                },
              ],
            }),
          ],
        },
      ],
    });
  }

  router.get('/roles', (ctx) => list(ctx));

  router.post('/roles', async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const role = await services.access.roles.create(
          { name: f.name, ...(f.description ? { description: f.description } : {}) },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, `${base}/${enc(role.name)}`);
      },
      (notice) => list(ctx, notice, { name: f.name ?? '', description: f.description ?? '' }),
    );
  });

  async function show(ctx: Context, name: string, notice?: ConsolePage['notice']) {
    const { t } = state(ctx);
    const role = await services.access.roles.get(name);
    const here = `${base}/${enc(role.name)}`;
    await kit.view(ctx, {
      heading: fill(t.roleTitle, { name: role.name }),
      current: 'roles',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: role.name,
          facts: [
            { term: t.name, value: role.name },
            { term: t.description, value: role.description || '–' },
          ],
          forms: [
            post(ctx, here, t.save, {
              label: t.save,
              fields: [
                {
                  name: 'description',
                  label: t.description,
                  type: 'text',
                  value: role.description,
                },
              ],
            }),
          ],
          links: [{ href: `${here}/delete`, label: t.deleteRole }],
        },
      ],
    });
  }

  router.get('/roles/:name', (ctx) => show(ctx, ctx.params.name ?? ''));

  router.post('/roles/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await kit.attempt(
      ctx,
      async () => {
        await services.access.roles.update(
          name,
          { description: form(ctx).description },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, `${base}/${enc(name)}`);
      },
      (notice) => show(ctx, name, notice),
    );
  });

  router.get('/roles/:name/delete', async (ctx) => {
    const { t } = state(ctx);
    const role = await services.access.roles.get(ctx.params.name ?? '');
    const here = `${base}/${enc(role.name)}`;
    await kit.confirmPage(ctx, {
      current: 'roles',
      heading: t.deleteRoleTitle,
      text: fill(t.deleteRoleConfirm, { name: role.name }),
      action: `${here}/delete`,
      back: here,
    });
  });

  router.post('/roles/:name/delete', async (ctx) => {
    const name = ctx.params.name ?? '';
    if (!kit.fresh(ctx, `${base}/${enc(name)}/delete`)) return;
    await services.access.roles.remove(name, kit.actorOf(ctx));
    kit.redirect(ctx, base);
  });
}
