import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import { fill, when, cell, type ConsoleKit } from '../console-kit.ts';
import type { ConsoleForm, ConsolePage, ConsoleSection } from '../console-view-model.ts';

/** Users: list and search, create, a user's page (profile, state, password, sessions, second factors), delete after a confirmation. */
export function userRoutes(router: Router, kit: ConsoleKit): void {
  const { page, show, state, post, fresh, form } = kit;
  const { services } = kit.deps;

  router.get('/users', async (ctx) => {
    const { t, session } = state(ctx);
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 100).toLowerCase() : '';
    const cursor =
      typeof ctx.query.cursor === 'string' ? ctx.query.cursor.slice(0, 1024) : undefined;
    const result = await services.users.list({ cursor, limit: 100 });
    const items = result.items.filter(
      (u) =>
        q === '' ||
        u.username.toLowerCase().includes(q) ||
        (u.email ?? '').toLowerCase().includes(q),
    );
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.users,
        current: 'users',
        session,
        sections: [
          {
            heading: t.search,
            forms: [
              {
                action: `${CONSOLE_PATH}/users`,
                method: 'get',
                submit: t.search,
                label: t.search,
                fields: [{ name: 'q', label: t.searchLabel, type: 'search', value: q }],
              },
            ],
            links: [{ href: `${CONSOLE_PATH}/users/new`, label: t.newUser }],
          },
          {
            heading: t.users,
            table: {
              caption: t.users,
              headers: [t.username, t.email, t.state],
              rows: items.map((u) => [
                cell(u.username, `${CONSOLE_PATH}/users/${encodeURIComponent(u.id)}`),
                cell(u.email ?? '–'),
                cell(u.disabled ? t.disabled : t.enabled),
              ]),
              empty: t.nothing,
              next: result.nextCursor
                ? {
                    href: `${CONSOLE_PATH}/users?cursor=${encodeURIComponent(result.nextCursor)}`,
                    label: t.more,
                  }
                : undefined,
            },
          },
        ],
      }),
    );
  });

  const userForm = (ctx: Context, values: { username: string; email: string }): ConsoleForm => {
    const { t } = state(ctx);
    return post(ctx, `${CONSOLE_PATH}/users`, t.create, {
      label: t.newUser,
      fields: [
        {
          name: 'username',
          label: t.username,
          type: 'text',
          value: values.username,
          required: true,
          autocomplete: 'off',
        },
        { name: 'email', label: t.email, type: 'email', value: values.email, autocomplete: 'off' },
        {
          name: 'password',
          label: t.password,
          type: 'password',
          value: '',
          required: true,
          autocomplete: 'new-password',
        },
      ],
    });
  };

  router.get('/users/new', async (ctx) => {
    const { t, session } = state(ctx);
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.newUser,
        current: 'users',
        session,
        sections: [{ heading: t.newUser, forms: [userForm(ctx, { username: '', email: '' })] }],
      }),
    );
  });

  router.post('/users', async (ctx) => {
    const { t, session } = state(ctx);
    const f = form(ctx);
    try {
      const user = await services.users.create(
        { username: f.username, password: f.password, ...(f.email ? { email: f.email } : {}) },
        kit.actorOf(ctx),
      );
      ctx.status = 303;
      ctx.redirect(`${CONSOLE_PATH}/users/${encodeURIComponent(user.id)}`);
    } catch (err) {
      const message = kit.refusal(err);
      if (message === undefined) throw err;
      await show(
        ctx,
        400,
        page(ctx, {
          heading: t.newUser,
          current: 'users',
          session,
          notice: { kind: 'alert', text: message },
          sections: [
            {
              heading: t.newUser,
              forms: [userForm(ctx, { username: f.username ?? '', email: f.email ?? '' })],
            },
          ],
        }),
      );
    }
  });

  async function showUser(
    ctx: Context,
    id: string,
    notice?: ConsolePage['notice'],
    status = 200,
  ): Promise<void> {
    const { t, session } = state(ctx);
    const user = await services.users.get(id);
    const base = `${CONSOLE_PATH}/users/${encodeURIComponent(user.id)}`;
    await show(
      ctx,
      status,
      page(ctx, {
        heading: user.username,
        current: 'users',
        session,
        notice,
        sections: [
          {
            heading: user.username,
            facts: [
              { term: t.id, value: user.id },
              { term: t.email, value: user.email ?? '–' },
              { term: t.state, value: user.disabled ? t.disabled : t.enabled },
            ],
            forms: [
              user.disabled
                ? post(ctx, `${base}/enable`, t.enable, { label: t.enable })
                : post(ctx, `${base}/disable`, t.disable, {
                    danger: true,
                    hint: t.userDisabledHint,
                    label: t.disable,
                  }),
            ],
          },
          {
            heading: t.resetPassword,
            forms: [
              post(ctx, `${base}/password`, t.resetPassword, {
                danger: true,
                label: t.resetPassword,
                hint: t.userDisabledHint,
                fields: [
                  {
                    name: 'password',
                    label: t.newPassword,
                    type: 'password',
                    value: '',
                    required: true,
                    autocomplete: 'new-password',
                  },
                ],
              }),
            ],
          },
          ...(await lifecycleSections(ctx, user.id, base)),
          {
            heading: t.events,
            links: [
              {
                href: `${CONSOLE_PATH}/events?subject=${encodeURIComponent(user.id)}`,
                label: t.events,
              },
            ],
          },
        ],
      }),
    );
  }

  /** Sessions, second factors and deletion (issues 14, 15), where the server provides them. */
  async function lifecycleSections(
    ctx: Context,
    id: string,
    base: string,
  ): Promise<ConsoleSection[]> {
    const { t } = state(ctx);
    const sections: ConsoleSection[] = [];
    if (services.userLifecycle) {
      const sessions = await services.userLifecycle.sessions(id);
      sections.push({
        heading: t.sessions,
        table: {
          caption: t.sessions,
          headers: [t.signedIn, t.lastUsed, t.clients],
          rows: sessions.items.map((x) => [
            cell(when(x.signedInAt)),
            cell(when(x.lastUsedAt)),
            cell(x.clientIds.join(' ') || '–'),
          ]),
          empty: t.noSessions,
        },
        forms:
          sessions.items.length > 0
            ? [
                post(ctx, `${base}/sessions/end`, t.endSessions, {
                  danger: true,
                  hint: t.endSessionsHint,
                  label: t.endSessions,
                }),
              ]
            : [],
      });
    }
    sections.push({
      heading: t.factors,
      forms: [
        post(ctx, `${base}/factors/reset`, t.resetFactors, {
          danger: true,
          hint: t.resetFactorsHint,
          label: t.resetFactors,
        }),
      ],
      links: services.userLifecycle ? [{ href: `${base}/delete`, label: t.deleteUser }] : [],
    });
    return sections;
  }

  router.post('/users/:id/sessions/end', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    if (!services.userLifecycle) throw new AppError('not_found');
    await services.userLifecycle.endSessions(id, kit.actorOf(ctx));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.post('/users/:id/factors/reset', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    await services.userFactors.reset(id, kit.actorOf(ctx));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.get('/users/:id/delete', async (ctx) => {
    const { t, session } = state(ctx);
    const user = await services.users.get(ctx.params.id ?? '');
    const base = `${CONSOLE_PATH}/users/${encodeURIComponent(user.id)}`;
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.deleteUserTitle,
        current: 'users',
        session,
        sections: [
          {
            heading: t.deleteUserTitle,
            text: [fill(t.deleteUserConfirm, { name: user.username, id: user.id })],
            forms: [
              post(ctx, `${base}/delete`, t.confirmDelete, {
                danger: true,
                label: t.confirmDelete,
              }),
            ],
            links: [{ href: base, label: t.cancel }],
          },
        ],
      }),
    );
  });

  router.post('/users/:id/delete', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}/delete`)) return;
    if (!services.userLifecycle) throw new AppError('not_found');
    await services.userLifecycle.deleteUser(id, kit.actorOf(ctx));
    ctx.status = 303;
    ctx.redirect(`${CONSOLE_PATH}/users`);
  });

  router.get('/users/:id', async (ctx) => showUser(ctx, ctx.params.id ?? ''));

  router.post('/users/:id/disable', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    await services.users.setDisabled(id, true, kit.actorOf(ctx));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.post('/users/:id/enable', async (ctx) => {
    const id = ctx.params.id ?? '';
    await services.users.setDisabled(id, false, kit.actorOf(ctx));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.post('/users/:id/password', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    try {
      await services.users.resetPassword(id, { password: form(ctx).password }, kit.actorOf(ctx));
      await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
    } catch (err) {
      const message = kit.refusal(err);
      if (message === undefined || (err instanceof AppError && err.code === 'not_found')) throw err;
      await showUser(ctx, id, { kind: 'alert', text: message }, 400);
    }
  });
}
