import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, enc, fill, type ConsoleKit } from '../console-kit.ts';
import type { ConsoleField, ConsolePage } from '../console-view-model.ts';

/**
 * Groups (issue 16; `portcullis group add|list|show|update|remove`): list and create; a group's
 * page with its description, members (users and nested groups) and roles, each change one
 * audited service call (`admin.group.*`) as `group update` makes them; delete after a
 * confirmation.
 */
export function groupRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const base = `${CONSOLE_PATH}/groups`;

  async function list(
    ctx: Context,
    notice?: ConsolePage['notice'],
    values = { name: '', description: '' },
  ) {
    const { t } = state(ctx);
    const cursor =
      typeof ctx.query.cursor === 'string' ? ctx.query.cursor.slice(0, 1024) : undefined;
    const groups = await services.access.groups.list({ cursor, limit: 100 });
    await kit.view(ctx, {
      heading: t.groups,
      current: 'groups',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: t.groups,
          table: {
            caption: t.groups,
            headers: [t.name, t.description, t.roles, t.members],
            rows: groups.items.map((g) => [
              cell(g.name, `${base}/${enc(g.name)}`),
              cell(g.description || '–'),
              cell(g.roles.join(' ') || '–'),
              cell(String(g.members.users.length + g.members.groups.length)),
            ]),
            empty: t.nothing,
            next: groups.nextCursor
              ? { href: `${base}?cursor=${enc(groups.nextCursor)}`, label: t.more }
              : undefined,
          },
        },
        {
          heading: t.newGroup,
          forms: [
            post(ctx, base, t.create, {
              label: t.newGroup,
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

  router.get('/groups', (ctx) => list(ctx));

  router.post('/groups', async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const group = await services.access.groups.create(
          { name: f.name, ...(f.description ? { description: f.description } : {}) },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, `${base}/${enc(group.name)}`);
      },
      (notice) => list(ctx, notice, { name: f.name ?? '', description: f.description ?? '' }),
    );
  });

  async function show(ctx: Context, name: string, notice?: ConsolePage['notice']) {
    const { t } = state(ctx);
    const group = await services.access.groups.get(name);
    const here = `${base}/${enc(group.name)}`;
    const roles = await services.access.roles.list({ limit: 100 });
    const users = await Promise.all(
      group.members.users.slice(0, 200).map(async (id) => {
        const user = await services.users.get(id).catch(() => undefined);
        return { id, username: user?.username ?? id };
      }),
    );
    const memberFields = (): ConsoleField[] => [
      { name: 'user', label: t.memberUser, type: 'text', value: '', autocomplete: 'off' },
      { name: 'group', label: t.memberGroup, type: 'text', value: '', autocomplete: 'off' },
    ];
    const roleSelect = (names: string[]): ConsoleField => ({
      name: 'role',
      label: t.role,
      type: 'select',
      value: '',
      required: true,
      options: names.map((n) => ({ value: n, label: n })),
    });
    const unheld = roles.items.map((r) => r.name).filter((n) => !group.roles.includes(n));
    await kit.view(ctx, {
      heading: fill(t.groupTitle, { name: group.name }),
      current: 'groups',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: group.name,
          facts: [
            { term: t.name, value: group.name },
            { term: t.description, value: group.description || '–' },
            { term: t.roles, value: group.roles.join(' ') || '–' },
          ],
          forms: [
            post(ctx, here, t.save, {
              label: t.save,
              fields: [
                {
                  name: 'description',
                  label: t.description,
                  type: 'text',
                  value: group.description,
                },
              ],
            }),
          ],
          links: [{ href: `${here}/delete`, label: t.deleteGroup }],
        },
        {
          heading: t.members,
          table: {
            caption: t.members,
            headers: [t.kind, t.name],
            rows: [
              ...users.map((u) => [
                cell(t.user),
                cell(u.username, `${CONSOLE_PATH}/users/${enc(u.id)}`),
              ]),
              ...group.members.groups.map((g) => [cell(t.group), cell(g, `${base}/${enc(g)}`)]),
            ],
            empty: t.noMembers,
          },
          forms: [
            post(ctx, `${here}/members/add`, t.addMember, {
              label: t.addMember,
              hint: t.memberHint,
              fields: memberFields(),
            }),
            post(ctx, `${here}/members/remove`, t.removeMember, {
              label: t.removeMember,
              fields: memberFields(),
            }),
          ],
        },
        {
          heading: t.roles,
          forms: [
            ...(unheld.length > 0
              ? [
                  post(ctx, `${here}/roles/add`, t.giveRole, {
                    label: t.giveRole,
                    fields: [roleSelect(unheld)],
                  }),
                ]
              : []),
            ...(group.roles.length > 0
              ? [
                  post(ctx, `${here}/roles/remove`, t.takeRole, {
                    label: t.takeRole,
                    fields: [roleSelect(group.roles)],
                  }),
                ]
              : []),
          ],
          text: unheld.length === 0 && group.roles.length === 0 ? [t.noRolesYet] : [],
        },
      ],
    });
  }

  router.get('/groups/:name', (ctx) => show(ctx, ctx.params.name ?? ''));

  /** One change of `group update`, then back to the group's page. */
  const change =
    (apply: (name: string, f: Record<string, string>, ctx: Context) => Promise<unknown>) =>
    async (ctx: Context) => {
      const name = ctx.params.name ?? '';
      await kit.attempt(
        ctx,
        async () => {
          await apply(name, form(ctx), ctx);
          kit.redirect(ctx, `${base}/${enc(name)}`);
        },
        (notice) => show(ctx, name, notice),
      );
    };

  /** A member as the service takes it: a user by username or email (as the CLI), or a group. */
  async function member(f: Record<string, string>) {
    const user = (f.user ?? '').trim();
    const group = (f.group ?? '').trim();
    return {
      ...(user ? { user: (await services.users.findByLogin(user)).id } : {}),
      ...(group ? { group } : {}),
    };
  }

  router.post(
    '/groups/:name',
    change((name, f, ctx) =>
      services.access.groups.update(name, { description: f.description }, kit.actorOf(ctx)),
    ),
  );
  router.post(
    '/groups/:name/members/add',
    change(async (name, f, ctx) =>
      services.access.groups.addMember(name, await member(f), kit.actorOf(ctx)),
    ),
  );
  router.post(
    '/groups/:name/members/remove',
    change(async (name, f, ctx) =>
      services.access.groups.removeMember(name, await member(f), kit.actorOf(ctx)),
    ),
  );
  router.post(
    '/groups/:name/roles/add',
    change((name, f, ctx) => services.access.groups.assignRole(name, f.role, kit.actorOf(ctx))),
  );
  router.post(
    '/groups/:name/roles/remove',
    change((name, f, ctx) => services.access.groups.unassignRole(name, f.role, kit.actorOf(ctx))),
  );

  router.get('/groups/:name/delete', async (ctx) => {
    const { t } = state(ctx);
    const group = await services.access.groups.get(ctx.params.name ?? '');
    const here = `${base}/${enc(group.name)}`;
    await kit.confirmPage(ctx, {
      current: 'groups',
      heading: t.deleteGroupTitle,
      text: fill(t.deleteGroupConfirm, { name: group.name }),
      action: `${here}/delete`,
      back: here,
    });
  });

  router.post('/groups/:name/delete', async (ctx) => {
    const name = ctx.params.name ?? '';
    if (!kit.fresh(ctx, `${base}/${enc(name)}/delete`)) return;
    await services.access.groups.remove(name, kit.actorOf(ctx));
    kit.redirect(ctx, base);
  });
}
