import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AccountService } from '../accounts/account-service.ts';
import { normalizeLogin } from '../accounts/normalize-login.ts';
import type { AdminServices } from '../admin/admin-services.ts';
import type { Actor } from '../admin/audit-log.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import { ERROR_CODES } from '../errors/error-codes.ts';
import { parseForm } from '../http/parse-form.ts';
import { createCsrf } from '../interactions/csrf.ts';
import type { Logger } from '../logging/logger.ts';
import type { OidcModelStore, SecurityEvent } from '../storage/ports.ts';
import { requestLanguage } from '../ui/i18n/request-language.ts';
import {
  clearSession,
  CONSOLE_PATH,
  ConsoleSignInError,
  ensureConsoleClient,
  finishSignIn,
  newSessionId,
  readSession,
  safeReturn,
  startSignIn,
  writeSession,
  type ConsoleSession,
} from './console-auth.ts';
import { consoleMessages, type ConsoleMessages } from './console-messages.ts';
import type { ConsoleRenderer } from './console-renderer.ts';
import type {
  ConsoleCell,
  ConsoleForm,
  ConsolePage,
  ConsoleSection,
  ConsoleTable,
} from './console-view-model.ts';

export interface ConsoleDeps {
  config: Pick<Config, 'console' | 'server'>;
  services: AdminServices;
  accounts: Pick<AccountService, 'findById'>;
  oidc: OidcModelStore;
  render: ConsoleRenderer;
  cookieKeys: readonly string[];
  verificationKeys: () => { keys: Record<string, unknown>[] };
  log: Logger;
  now?: () => number;
}

interface State {
  session: ConsoleSession;
  t: ConsoleMessages;
  lang: string;
}

const SECTIONS = [
  ['dashboard', ''],
  ['clients', '/clients'],
  ['apis', '/apis'],
  ['users', '/users'],
  ['keys', '/keys'],
  ['events', '/events'],
  ['audit', '/audit'],
  ['deliveries', '/deliveries'],
] as const;

const LANGUAGE_NAMES = { en: 'English', de: 'Deutsch' } as const;
const DAY_MS = 86_400_000;
const FORM_LIMIT = 16 * 1024;

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_m, key: string) => values[key] ?? '');
const when = (ms: number | string | null | undefined) =>
  ms === null || ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const cell = (text: string, href?: string): ConsoleCell => ({ text, href });

/**
 * The admin console at /console (issue 17; docs/console.md): server-rendered pages, no script,
 * every form a POST with a CSRF token bound to the console session (ASVS 3.5.1), under the
 * site's CSP with `frame-ancestors 'none'` (src/http/security-headers.ts). Admins sign in through
 * this server itself, as a relying party with code + PKCE (console-auth.ts); who may enter is
 * `console.admins`; dangerous actions want a sign-in no older than `console.reauthSeconds`
 * (OIDC `max_age`). Every change goes through the admin services, so the audit trail names
 * `console:<username>` exactly as the API names its client and the CLI its user.
 */
export function consoleRouter(deps: ConsoleDeps): Middleware {
  const now = deps.now ?? Date.now;
  const { config, services } = deps;
  const issuer = config.server.issuer;
  const csrf = createCsrf(deps.cookieKeys);
  const admins = new Set(config.console.admins.map((u) => normalizeLogin(u)));
  const router = new Router({ prefix: CONSOLE_PATH });

  const languageOf = (ctx: Context) => (requestLanguage(ctx) === 'de' ? 'de' : 'en');

  function page(
    ctx: Context,
    parts: {
      heading: string;
      sections: ConsoleSection[];
      notice?: ConsolePage['notice'];
      current?: string;
      session?: ConsoleSession | undefined;
    },
  ): Promise<string> {
    const lang = languageOf(ctx);
    const t = consoleMessages(lang);
    const path = ctx.path;
    const query = new URLSearchParams(ctx.querystring);
    query.delete('lang');
    const base = `${path}${query.size > 0 ? `?${query.toString()}&` : '?'}`;
    return deps.render({
      lang,
      documentTitle: `${parts.heading} – ${t.title}`,
      heading: parts.heading,
      t: { title: t.title, skip: t.skip, nav: t.nav, signOut: t.signOut, languages: t.languages },
      nav: parts.session
        ? SECTIONS.map(([key, href]) => ({
            href: `${CONSOLE_PATH}${href}`,
            label: t[key],
            current: parts.current === key,
          }))
        : undefined,
      signedInAs: parts.session ? fill(t.signedInAs, { name: parts.session.username }) : undefined,
      signOut: parts.session
        ? { action: `${CONSOLE_PATH}/logout`, csrf: csrf.token(`console:${parts.session.sid}`) }
        : undefined,
      languages: (['en', 'de'] as const).map((l) => ({
        lang: l,
        name: LANGUAGE_NAMES[l],
        href: ctx.method === 'GET' ? `${base}lang=${l}` : `${CONSOLE_PATH}?lang=${l}`,
        current: l === lang,
      })),
      notice: parts.notice,
      sections: parts.sections,
    });
  }

  async function show(ctx: Context, status: number, html: Promise<string>): Promise<void> {
    const body = await html;
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  }

  const actorOf = (ctx: Context, session: ConsoleSession): Actor => ({
    actor: `console:${session.username}`,
    ip: ctx.ip || undefined,
    userAgent: ctx.get('user-agent') || undefined,
    requestId: typeof ctx.state.requestId === 'string' ? ctx.state.requestId : undefined,
  });

  const state = (ctx: Context): State => ctx.state.console as State;
  const token = (ctx: Context) => csrf.token(`console:${state(ctx).session.sid}`);
  const post = (
    ctx: Context,
    action: string,
    submit: string,
    extra: Partial<ConsoleForm> = {},
  ): ConsoleForm => ({
    action,
    method: 'post',
    submit,
    fields: [],
    csrf: token(ctx),
    ...extra,
  });

  // --- Sign-in, sign-out, and who may enter -------------------------------------------------

  router.get('/login', async (ctx) => {
    await ensureConsoleClient(deps.oidc, issuer);
    const maxAge =
      typeof ctx.query.max_age === 'string' && /^\d{1,5}$/.test(ctx.query.max_age)
        ? Number(ctx.query.max_age)
        : undefined;
    ctx.redirect(startSignIn(ctx, { issuer, returnTo: safeReturn(ctx.query.return), maxAge }));
  });

  router.get('/callback', async (ctx) => {
    const t = consoleMessages(languageOf(ctx));
    let result: Awaited<ReturnType<typeof finishSignIn>>;
    try {
      result = await finishSignIn(ctx, { issuer, verificationKeys: deps.verificationKeys });
    } catch (err) {
      if (!(err instanceof ConsoleSignInError)) throw err;
      deps.log.info(
        { event: 'console.sign_in_failed', reason: err.message },
        'console sign-in failed',
      );
      return show(
        ctx,
        400,
        page(ctx, {
          heading: t.errorTitle,
          sections: [
            {
              heading: t.errorTitle,
              text: [err.message],
              links: [{ href: `${CONSOLE_PATH}/login`, label: t.signInAgain }],
            },
          ],
        }),
      );
    }
    const account = await deps.accounts.findById(result.sub);
    if (!account || account.disabled || !admins.has(normalizeLogin(account.username))) {
      clearSession(ctx);
      return forbidden(ctx);
    }
    writeSession(ctx, {
      sid: newSessionId(),
      sub: account.id,
      username: account.username,
      authTime: result.authTime,
      exp: now() + config.console.sessionSeconds * 1000,
    });
    ctx.redirect(result.returnTo);
  });

  function forbidden(ctx: Context): Promise<void> {
    const t = consoleMessages(languageOf(ctx));
    return show(
      ctx,
      403,
      page(ctx, {
        heading: t.forbiddenTitle,
        sections: [{ heading: t.forbiddenTitle, text: [t.forbidden] }],
      }),
    );
  }

  router.get('/signed-out', async (ctx) => {
    const t = consoleMessages(languageOf(ctx));
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.signedOutTitle,
        sections: [
          {
            heading: t.signedOutTitle,
            links: [{ href: `${CONSOLE_PATH}/login`, label: t.signInAgain }],
          },
        ],
      }),
    );
  });

  // Every other console route: a live session of a listed, enabled admin, and for POSTs a
  // form with the session's CSRF token.
  const guard: Middleware = async (ctx, next) => {
    const path = ctx.path;
    if (
      path === `${CONSOLE_PATH}/login` ||
      path === `${CONSOLE_PATH}/callback` ||
      path === `${CONSOLE_PATH}/signed-out`
    ) {
      return next();
    }
    const session = readSession(ctx, now());
    if (!session) {
      if (ctx.method !== 'GET') throw new AppError('csrf_failed');
      ctx.redirect(
        `${CONSOLE_PATH}/login?return=${encodeURIComponent(safeReturn(ctx.originalUrl))}`,
      );
      return;
    }
    const account = await deps.accounts.findById(session.sub);
    if (!account || account.disabled || !admins.has(normalizeLogin(account.username))) {
      clearSession(ctx);
      return forbidden(ctx);
    }
    const lang = languageOf(ctx);
    ctx.state.console = { session, t: consoleMessages(lang), lang } satisfies State;
    if (ctx.method === 'POST') {
      const form = await parseForm(ctx, { limit: FORM_LIMIT });
      if (!csrf.verify(`console:${session.sid}`, form.csrf)) throw new AppError('csrf_failed');
      ctx.state.form = form;
    }
    await next();
  };

  /** Dangerous actions want a recent sign-in (OIDC Core §3.1.2.1 `max_age`). */
  function fresh(ctx: Context, returnTo: string): boolean {
    const { session } = state(ctx);
    if (Math.floor(now() / 1000) - session.authTime <= config.console.reauthSeconds) return true;
    ctx.status = 303;
    ctx.redirect(
      `${CONSOLE_PATH}/login?max_age=${String(config.console.reauthSeconds)}&return=${encodeURIComponent(returnTo)}`,
    );
    return false;
  }

  const form = (ctx: Context): Record<string, string> => ctx.state.form as Record<string, string>;

  router.post('/logout', (ctx) => {
    clearSession(ctx);
    ctx.status = 303;
    ctx.redirect(`${CONSOLE_PATH}/signed-out`);
  });

  // --- Dashboard -------------------------------------------------------------------------

  async function countAll<T>(
    list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | undefined }>,
    cap = 10_000,
  ): Promise<string> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const result = await list(cursor);
      count += result.items.length;
      cursor = result.nextCursor;
    } while (cursor !== undefined && count < cap);
    return cursor === undefined ? String(count) : `${String(cap)}+`;
  }

  router.get('/', async (ctx) => {
    const { t, session } = state(ctx);
    const since = now() - DAY_MS;
    const events = (type: string) => (cursor: string | undefined) =>
      services.audit.list({ type, since }, { cursor, limit: 100 });
    const [clients, users, apis, signIns, failures, lockouts, dead] = await Promise.all([
      countAll((cursor) => services.clients.list({ cursor, limit: 100 })),
      countAll((cursor) => services.users.list({ cursor, limit: 100 })),
      countAll((cursor) => services.apis.list({ cursor, limit: 100 })),
      countAll(events('login.succeeded')),
      countAll(events('login.failed')),
      services.audit.list({ type: 'login.locked' }, { limit: 5 }),
      countAll((cursor) => services.deliveries.list({ state: 'dead' }, { cursor, limit: 100 })),
    ]);
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.dashboard,
        current: 'dashboard',
        session,
        sections: [
          {
            heading: t.counts,
            facts: [
              { term: t.clients, value: clients },
              { term: t.users, value: users },
              { term: t.apis, value: apis },
              { term: t.signInsDay, value: signIns },
              { term: t.failuresDay, value: failures },
              { term: t.deadLetters, value: dead },
            ],
          },
          {
            heading: t.recentLockouts,
            table: eventTable(t, t.recentLockouts, lockouts.items, undefined),
          },
        ],
      }),
    );
  });

  function eventTable(
    t: ConsoleMessages,
    caption: string,
    items: SecurityEvent[],
    next: ConsoleTable['next'],
  ): ConsoleTable {
    return {
      caption,
      headers: [t.time, t.type, t.subject, t.client, t.actor, t.details],
      rows: items.map((e) => [
        cell(when(e.time)),
        cell(e.type),
        cell(
          e.subject ?? '–',
          e.subject ? `${CONSOLE_PATH}/users/${encodeURIComponent(e.subject)}` : undefined,
        ),
        cell(e.clientId ?? '–'),
        cell(e.actor ?? '–'),
        cell(
          Object.entries(e.details ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' '),
        ),
      ]),
      empty: t.nothing,
      next,
    };
  }

  // --- Clients ---------------------------------------------------------------------------

  router.get('/clients', async (ctx) => {
    const { t, session } = state(ctx);
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 100).toLowerCase() : '';
    const cursor =
      typeof ctx.query.cursor === 'string' ? ctx.query.cursor.slice(0, 1024) : undefined;
    const result = await services.clients.list({ cursor, limit: 100 });
    const items = result.items.filter(
      (c) =>
        q === '' ||
        c.client_id.toLowerCase().includes(q) ||
        c.client_name.toLowerCase().includes(q),
    );
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.clients,
        current: 'clients',
        session,
        sections: [
          {
            heading: t.search,
            forms: [
              {
                action: `${CONSOLE_PATH}/clients`,
                method: 'get',
                submit: t.search,
                label: t.search,
                fields: [{ name: 'q', label: t.searchLabel, type: 'search', value: q }],
              },
            ],
            links: [{ href: `${CONSOLE_PATH}/clients/new`, label: t.newClient }],
          },
          {
            heading: t.clients,
            table: {
              caption: t.clients,
              headers: [t.name, t.id, t.grantTypes, t.redirectUrisShort],
              rows: items.map((c) => [
                cell(c.client_name, `${CONSOLE_PATH}/clients/${encodeURIComponent(c.client_id)}`),
                cell(c.client_id),
                cell(c.grant_types.join(' ')),
                cell(c.redirect_uris.join(' ')),
              ]),
              empty: t.nothing,
              next: result.nextCursor
                ? {
                    href: `${CONSOLE_PATH}/clients?cursor=${encodeURIComponent(result.nextCursor)}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
                    label: t.more,
                  }
                : undefined,
            },
          },
        ],
      }),
    );
  });

  const clientForm = (
    ctx: Context,
    values: { name: string; uris: string; confidential: boolean },
    action: string,
    submit: string,
  ): ConsoleForm =>
    post(ctx, action, submit, {
      label: submit,
      fields: [
        {
          name: 'client_name',
          label: state(ctx).t.name,
          type: 'text',
          value: values.name,
          required: true,
        },
        {
          name: 'redirect_uris',
          label: state(ctx).t.redirectUris,
          type: 'textarea',
          value: values.uris,
        },
        ...(action.endsWith('/clients')
          ? [
              {
                name: 'confidential',
                label: state(ctx).t.confidential,
                type: 'checkbox' as const,
                value: 'yes',
                checked: values.confidential,
              },
            ]
          : []),
      ],
    });

  router.get('/clients/new', async (ctx) => {
    const { t, session } = state(ctx);
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.newClient,
        current: 'clients',
        session,
        sections: [
          {
            heading: t.newClient,
            forms: [
              clientForm(
                ctx,
                { name: '', uris: '', confidential: true },
                `${CONSOLE_PATH}/clients`,
                t.create,
              ),
            ],
          },
        ],
      }),
    );
  });

  const uris = (text: string | undefined) =>
    (text ?? '')
      .split(/\r?\n/)
      .map((u) => u.trim())
      .filter((u) => u !== '');

  /** An admin-service refusal shown on the page it came from, with what was wrong. */
  function refusal(err: unknown): string | undefined {
    if (!(err instanceof AppError) || err.status >= 500) return undefined;
    const details = Object.entries(err.details ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    return `${ERROR_CODES[err.code].message}${details ? ` (${details})` : ''}`;
  }

  router.post('/clients', async (ctx) => {
    const { t, session } = state(ctx);
    const f = form(ctx);
    const confidential = f.confidential === 'yes';
    try {
      const created = await services.clients.create(
        {
          client_name: f.client_name,
          redirect_uris: uris(f.redirect_uris),
          token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
        },
        actorOf(ctx, session),
      );
      await showClient(ctx, created.client_id, created.client_secret);
    } catch (err) {
      const message = refusal(err);
      if (message === undefined) throw err;
      await show(
        ctx,
        400,
        page(ctx, {
          heading: t.newClient,
          current: 'clients',
          session,
          notice: { kind: 'alert', text: message },
          sections: [
            {
              heading: t.newClient,
              forms: [
                clientForm(
                  ctx,
                  { name: f.client_name ?? '', uris: f.redirect_uris ?? '', confidential },
                  `${CONSOLE_PATH}/clients`,
                  t.create,
                ),
              ],
            },
          ],
        }),
      );
    }
  });

  async function showClient(
    ctx: Context,
    id: string,
    secret?: string,
    notice?: ConsolePage['notice'],
  ): Promise<void> {
    const { t, session } = state(ctx);
    const client = await services.clients.get(id);
    const base = `${CONSOLE_PATH}/clients/${encodeURIComponent(client.client_id)}`;
    const sections: ConsoleSection[] = [];
    if (secret !== undefined) {
      sections.push({
        heading: t.secretTitle,
        text: [t.secretOnce],
        secret: { label: t.clientSecret, value: secret },
      });
    }
    sections.push(
      {
        heading: client.client_name,
        facts: [
          { term: t.id, value: client.client_id },
          { term: t.grantTypes, value: client.grant_types.join(' ') },
          { term: 'token_endpoint_auth_method', value: client.token_endpoint_auth_method },
          { term: t.redirectUrisShort, value: client.redirect_uris.join(' ') || '–' },
        ],
        forms: [
          clientForm(
            ctx,
            {
              name: client.client_name,
              uris: client.redirect_uris.join('\n'),
              confidential: false,
            },
            base,
            t.save,
          ),
        ],
      },
      {
        heading: t.rotateSecret,
        forms: client.token_endpoint_auth_method.startsWith('client_secret')
          ? [
              post(ctx, `${base}/rotate-secret`, t.rotateSecret, {
                danger: true,
                hint: t.rotateSecretHint,
                label: t.rotateSecret,
              }),
            ]
          : [],
        links: [{ href: `${base}/delete`, label: t.deleteClient }],
      },
    );
    // Never cached, never shown again: the secret is in this answer only (no-store, ASVS 14.3.2).
    await show(
      ctx,
      200,
      page(ctx, { heading: client.client_name, current: 'clients', session, notice, sections }),
    );
  }

  router.get('/clients/:id', async (ctx) => showClient(ctx, ctx.params.id ?? ''));

  router.post('/clients/:id', async (ctx) => {
    const { session } = state(ctx);
    const f = form(ctx);
    const id = ctx.params.id ?? '';
    try {
      await services.clients.update(
        id,
        { client_name: f.client_name, redirect_uris: uris(f.redirect_uris) },
        actorOf(ctx, session),
      );
      await showClient(ctx, id, undefined, { kind: 'status', text: state(ctx).t.saved });
    } catch (err) {
      const message = refusal(err);
      if (message === undefined || (err instanceof AppError && err.code === 'not_found')) throw err;
      await showClient(ctx, id, undefined, { kind: 'alert', text: message });
    }
  });

  router.post('/clients/:id/rotate-secret', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/clients/${encodeURIComponent(id)}`)) return;
    const rotated = await services.clients.rotateSecret(id, actorOf(ctx, state(ctx).session));
    await showClient(ctx, id, rotated.client_secret);
  });

  router.get('/clients/:id/delete', async (ctx) => {
    const { t, session } = state(ctx);
    const client = await services.clients.get(ctx.params.id ?? '');
    const base = `${CONSOLE_PATH}/clients/${encodeURIComponent(client.client_id)}`;
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.deleteConfirmTitle,
        current: 'clients',
        session,
        sections: [
          {
            heading: t.deleteConfirmTitle,
            text: [fill(t.deleteConfirm, { name: client.client_name, id: client.client_id })],
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

  router.post('/clients/:id/delete', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/clients/${encodeURIComponent(id)}/delete`)) return;
    await services.clients.remove(id, actorOf(ctx, state(ctx).session));
    ctx.status = 303;
    ctx.redirect(`${CONSOLE_PATH}/clients`);
  });

  // --- APIs ------------------------------------------------------------------------------

  router.get('/apis', async (ctx) => {
    const { t, session } = state(ctx);
    const result = await services.apis.list({ limit: 100 });
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.apis,
        current: 'apis',
        session,
        sections: [
          {
            heading: t.apis,
            table: {
              caption: t.apis,
              headers: [t.name, t.identifier, t.tokenFormat, t.scopes],
              rows: result.items.map((a) => [
                cell(a.name),
                cell(a.identifier),
                cell(a.token_format),
                cell(a.scopes.map((s) => s.name).join(' ')),
              ]),
              empty: t.nothing,
            },
          },
        ],
      }),
    );
  });

  // --- Users -----------------------------------------------------------------------------

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
        actorOf(ctx, session),
      );
      ctx.status = 303;
      ctx.redirect(`${CONSOLE_PATH}/users/${encodeURIComponent(user.id)}`);
    } catch (err) {
      const message = refusal(err);
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
    await services.userLifecycle.endSessions(id, actorOf(ctx, state(ctx).session));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.post('/users/:id/factors/reset', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    await services.userFactors.reset(id, actorOf(ctx, state(ctx).session));
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
    await services.userLifecycle.deleteUser(id, actorOf(ctx, state(ctx).session));
    ctx.status = 303;
    ctx.redirect(`${CONSOLE_PATH}/users`);
  });

  router.get('/users/:id', async (ctx) => showUser(ctx, ctx.params.id ?? ''));

  router.post('/users/:id/disable', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    await services.users.setDisabled(id, true, actorOf(ctx, state(ctx).session));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.post('/users/:id/enable', async (ctx) => {
    const id = ctx.params.id ?? '';
    await services.users.setDisabled(id, false, actorOf(ctx, state(ctx).session));
    await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
  });

  router.post('/users/:id/password', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!fresh(ctx, `${CONSOLE_PATH}/users/${encodeURIComponent(id)}`)) return;
    try {
      await services.users.resetPassword(
        id,
        { password: form(ctx).password },
        actorOf(ctx, state(ctx).session),
      );
      await showUser(ctx, id, { kind: 'status', text: state(ctx).t.saved });
    } catch (err) {
      const message = refusal(err);
      if (message === undefined || (err instanceof AppError && err.code === 'not_found')) throw err;
      await showUser(ctx, id, { kind: 'alert', text: message }, 400);
    }
  });

  // --- Signing keys ----------------------------------------------------------------------

  router.get('/keys', async (ctx) => keysPage(ctx));

  async function keysPage(ctx: Context, notice?: ConsolePage['notice']): Promise<void> {
    const { t, session } = state(ctx);
    const keys = await services.keys.list();
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.keys,
        current: 'keys',
        session,
        notice,
        sections: [
          {
            heading: t.keys,
            table: {
              caption: t.keys,
              headers: [t.kid, t.alg, t.state, t.activates, t.retires, t.expires],
              rows: keys.map((k) => [
                cell(k.kid),
                cell(k.alg),
                cell(k.state),
                cell(when(k.activates_at)),
                cell(when(k.retired_at)),
                cell(when(k.expires_at)),
              ]),
              empty: t.nothing,
            },
          },
          {
            heading: t.rotateKeys,
            forms: [
              post(ctx, `${CONSOLE_PATH}/keys/rotate`, t.rotateKeys, {
                danger: true,
                hint: t.rotateKeysHint,
                label: t.rotateKeys,
              }),
            ],
          },
        ],
      }),
    );
  }

  router.post('/keys/rotate', async (ctx) => {
    if (!fresh(ctx, `${CONSOLE_PATH}/keys`)) return;
    await services.keys.rotate(actorOf(ctx, state(ctx).session));
    await keysPage(ctx, { kind: 'status', text: state(ctx).t.saved });
  });

  // --- Security events and the audit log -------------------------------------------------

  const eventsPage =
    (key: 'events' | 'audit', fixedPrefix: string | undefined) => async (ctx: Context) => {
      const { t, session } = state(ctx);
      const text = (name: string) =>
        typeof ctx.query[name] === 'string' ? (ctx.query[name] as string).slice(0, 200) : '';
      const typePrefix = text('type_prefix') || fixedPrefix || '';
      const subject = text('subject');
      const clientId = text('client_id');
      const cursor = text('cursor') || undefined;
      const result = await services.audit.list(
        {
          typePrefix: typePrefix || undefined,
          subject: subject || undefined,
          clientId: clientId || undefined,
        },
        { cursor, limit: 50 },
      );
      const here = `${CONSOLE_PATH}/${key}`;
      const keep = new URLSearchParams({
        ...(typePrefix ? { type_prefix: typePrefix } : {}),
        ...(subject ? { subject } : {}),
        ...(clientId ? { client_id: clientId } : {}),
      });
      await show(
        ctx,
        200,
        page(ctx, {
          heading: t[key],
          current: key,
          session,
          sections: [
            {
              heading: t.filter,
              forms: [
                {
                  action: here,
                  method: 'get',
                  submit: t.filter,
                  label: t.filter,
                  fields: [
                    { name: 'type_prefix', label: t.typePrefix, type: 'text', value: typePrefix },
                    { name: 'subject', label: t.subject, type: 'text', value: subject },
                    { name: 'client_id', label: t.client, type: 'text', value: clientId },
                  ],
                },
              ],
            },
            {
              heading: t[key],
              table: eventTable(
                t,
                t[key],
                result.items,
                result.nextCursor
                  ? {
                      href: `${here}?${keep.toString()}${keep.size > 0 ? '&' : ''}cursor=${encodeURIComponent(result.nextCursor)}`,
                      label: t.more,
                    }
                  : undefined,
              ),
            },
          ],
        }),
      );
    };
  router.get('/events', eventsPage('events', undefined));
  router.get('/audit', eventsPage('audit', 'admin.'));

  // --- Deliveries (the outbox) -----------------------------------------------------------

  async function deliveriesPage(ctx: Context, notice?: ConsolePage['notice']): Promise<void> {
    const { t, session } = state(ctx);
    const result = await services.deliveries.list({}, { limit: 100 });
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.deliveries,
        current: 'deliveries',
        session,
        notice,
        sections: [
          {
            heading: t.deliveries,
            table: {
              caption: t.deliveries,
              headers: [t.id, t.kind, t.state, t.target, t.attempts, t.lastError],
              rows: result.items.map((d) => [
                cell(d.id),
                cell(d.kind),
                cell(d.state),
                cell(d.target),
                cell(String(d.attempts)),
                cell(d.last_error ?? '–'),
              ]),
              empty: t.nothing,
            },
            forms: result.items
              .filter((d) => d.state === 'dead')
              .map((d) =>
                post(
                  ctx,
                  `${CONSOLE_PATH}/deliveries/${encodeURIComponent(d.id)}/retry`,
                  `${t.retry}: ${d.id}`,
                  { label: `${t.retry}: ${d.id}` },
                ),
              ),
          },
        ],
      }),
    );
  }

  router.get('/deliveries', async (ctx) => deliveriesPage(ctx));
  router.post('/deliveries/:id/retry', async (ctx) => {
    await services.deliveries.retry(ctx.params.id ?? '', actorOf(ctx, state(ctx).session));
    await deliveriesPage(ctx, { kind: 'status', text: state(ctx).t.saved });
  });

  const routes = router.routes();
  return async function adminConsole(ctx, next) {
    if (ctx.path !== CONSOLE_PATH && !ctx.path.startsWith(`${CONSOLE_PATH}/`)) return next();
    if (!config.console.enabled) throw new AppError('not_found');
    await guard(ctx, async () => {
      await routes(ctx as never, async () => {
        throw new AppError('not_found');
      });
    });
  };
}
