import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import {
  cell,
  cursorOf,
  fill,
  listSection,
  nextPage,
  searchOf,
  searchSection,
  type ConsoleKit,
} from '../console-kit.ts';
import type { ConsoleForm, ConsolePage } from '../console-view-model.ts';
import { createUserPage, PROFILE_CLAIMS, userPath } from './user-page.ts';

/**
 * Users (`portcullis user add|list|show|update|disable|enable|set-password|sessions|signout|
 * grants|revoke-grant|delete|send-verification|send-reset-link|invite|mfa`): list and search,
 * create (with a password or an invitation), and every change on a user's page
 * (./user-page.ts), each through the admin services, then back to that page (POST-redirect-GET).
 */
export function userRoutes(router: Router, kit: ConsoleKit): void {
  const { state, post, form } = kit;
  const { services } = kit.deps;
  const userPage = createUserPage(kit);

  router.get('/users', async (ctx) => {
    const { t } = state(ctx);
    const q = searchOf(ctx);
    const result = await services.users.list({ cursor: cursorOf(ctx), limit: 100 });
    const items = result.items.filter(
      (u) =>
        q === '' ||
        u.username.toLowerCase().includes(q) ||
        (u.email ?? '').toLowerCase().includes(q),
    );
    await kit.view(ctx, {
      heading: t.users,
      current: 'users',
      notice: kit.savedNotice(ctx),
      sections: [
        searchSection(t, `${CONSOLE_PATH}/users`, q, [
          { href: `${CONSOLE_PATH}/users/new`, label: t.newUser },
          { href: `${CONSOLE_PATH}/users/import`, label: t.importUsers },
        ]),
        listSection(t, t.users, {
          headers: [t.username, t.email, t.state],
          rows: items.map((u) => [
            cell(u.username, userPath(u.id)),
            cell(u.email ?? '–'),
            cell(u.disabled ? t.disabled : t.enabled),
          ]),
          next: nextPage(t, `${CONSOLE_PATH}/users`, result.nextCursor),
        }),
      ],
    });
  });

  const userForm = (
    ctx: Context,
    values: { username: string; email: string; invite: boolean },
  ): ConsoleForm => {
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
          autocomplete: 'new-password',
          hint: t.passwordOrInvite,
        },
        {
          name: 'invite',
          label: t.inviteInstead,
          type: 'checkbox',
          value: 'yes',
          checked: values.invite,
        },
      ],
    });
  };

  const newUserPage = (
    ctx: Context,
    values: { username: string; email: string; invite: boolean },
    notice?: ConsolePage['notice'],
  ) => {
    const { t } = state(ctx);
    return kit.view(ctx, {
      heading: t.newUser,
      current: 'users',
      notice,
      sections: [
        {
          heading: t.newUser,
          forms: [userForm(ctx, values)],
          links: [{ href: `${CONSOLE_PATH}/users/import`, label: t.importUsers }],
        },
      ],
    });
  };

  router.get('/users/new', (ctx) => newUserPage(ctx, { username: '', email: '', invite: false }));

  router.post('/users', async (ctx) => {
    const f = form(ctx);
    const invite = f.invite === 'yes';
    await kit.attempt(
      ctx,
      async () => {
        const user = await services.users.create(
          {
            username: f.username,
            ...(invite ? { invite: true } : { password: f.password }),
            ...(f.email ? { email: f.email } : {}),
          },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, userPath(user.id));
      },
      (notice) =>
        newUserPage(ctx, { username: f.username ?? '', email: f.email ?? '', invite }, notice),
    );
  });

  router.get('/users/:id', async (ctx) => userPage.show(ctx, ctx.params.id ?? ''));

  // `user update`: only what differs from the stored user changes; an emptied claim is removed.
  router.post(
    '/users/:id/profile',
    kit.change(userPage, async (id, f, ctx) => {
      const user = await services.users.get(id);
      const stored = (user.claims ?? {}) as Record<string, unknown>;
      const claims: Record<string, string | null> = {};
      for (const claim of PROFILE_CLAIMS) {
        const text = (f[`claim_${claim}`] ?? '').trim();
        const had = typeof stored[claim] === 'string' ? (stored[claim] as string) : '';
        if (text !== had) claims[claim] = text === '' ? null : text;
      }
      const email = (f.email ?? '').trim();
      const verified = f.email_verified === 'yes';
      const patch = {
        ...(Object.keys(claims).length > 0 ? { claims } : {}),
        ...(email !== (user.email ?? '') ? { email: email === '' ? null : email } : {}),
        ...(verified !== user.emailVerified ? { email_verified: verified } : {}),
      };
      if (Object.keys(patch).length === 0)
        throw new AppError('invalid_input', { profile: 'nothing changed' });
      return services.users.update(id, patch, kit.actorOf(ctx));
    }),
  );

  router.post(
    '/users/:id/disable',
    kit.change(userPage, (id, _f, ctx) => services.users.setDisabled(id, true, kit.actorOf(ctx)), {
      dangerous: true,
    }),
  );
  router.post(
    '/users/:id/enable',
    kit.change(userPage, (id, _f, ctx) => services.users.setDisabled(id, false, kit.actorOf(ctx))),
  );
  router.post(
    '/users/:id/password',
    kit.change(
      userPage,
      (id, f, ctx) => services.users.resetPassword(id, { password: f.password }, kit.actorOf(ctx)),
      { dangerous: true },
    ),
  );
  // `user mfa reset`, after a confirmation (an account takeover if done for the wrong person).
  kit.confirmed(router, '/users/:id/factors/reset', {
    current: 'users',
    async confirm(_ctx, id, t) {
      const user = await services.users.get(id);
      return {
        key: user.id,
        heading: t.resetFactorsTitle,
        text: fill(t.resetFactorsConfirm, { name: user.username }),
        back: userPath(user.id),
      };
    },
    async act(ctx, id) {
      await services.userFactors.reset(id, kit.actorOf(ctx));
      kit.redirect(ctx, userPath(id));
    },
  });

  // The account lifecycle (issue 15): sessions, grants, email links and deletion.
  const lifecycle = () => {
    if (!services.userLifecycle) throw new AppError('not_found');
    return services.userLifecycle;
  };
  router.post(
    '/users/:id/sessions/end',
    kit.change(userPage, (id, _f, ctx) => lifecycle().endSessions(id, kit.actorOf(ctx)), {
      dangerous: true,
    }),
  );
  router.post(
    '/users/:id/grants/revoke',
    kit.change(
      userPage,
      (id, f, ctx) => lifecycle().revokeGrant(id, { grant_id: f.grant_id }, kit.actorOf(ctx)),
      {
        dangerous: true,
      },
    ),
  );
  // The email links of the user's page, each in the language chosen there.
  for (const [path, send] of [
    ['send-verification', 'sendVerification'],
    ['send-reset-link', 'sendResetLink'],
    ['invite', 'sendInvitation'],
  ] as const)
    router.post(
      `/users/:id/${path}`,
      kit.change(userPage, (id, f, ctx) =>
        lifecycle()[send](id, { lang: f.lang }, kit.actorOf(ctx)),
      ),
    );

  kit.confirmed(router, '/users/:id/delete', {
    current: 'users',
    async confirm(_ctx, id, t) {
      const user = await services.users.get(id);
      return {
        key: user.id,
        heading: t.deleteUserTitle,
        text: fill(t.deleteUserConfirm, { name: user.username, id: user.id }),
        back: userPath(user.id),
      };
    },
    async act(ctx, id) {
      await lifecycle().deleteUser(id, kit.actorOf(ctx));
      kit.redirect(ctx, `${CONSOLE_PATH}/users`);
    },
  });
}
