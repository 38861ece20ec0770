import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountView } from '../accounts/account-service.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import { parseForm } from '../http/parse-form.ts';
import type { Csrf } from '../interactions/csrf.ts';
import type { Logger } from '../logging/logger.ts';
import type { CounterStore } from '../storage/ports.ts';
import {
  type AccountFactorsInput,
  accountActivityPage,
  accountAppsPage,
  accountDataPage,
  accountMessagePage,
  accountProfilePage,
  accountSessionsPage,
  forgotPasswordPage,
  resetPasswordPage,
  type AccountPageContext,
  type NoticeInput,
} from '../ui/account-pages.ts';
import { requestLanguage, switcherPath } from '../ui/i18n/request-language.ts';
import type { ViewRenderer } from '../ui/render-view.ts';
import type { PageLocals, PageName } from '../ui/template-contract.ts';
import type { AccountLifecycle } from './account-lifecycle.ts';
import type { AccountSelfService } from './account-self-service.ts';
import type { AccountSignedIn, AccountSignIn } from './account-sign-in.ts';

export interface AccountRouterDeps {
  config: Config;
  lifecycle: AccountLifecycle;
  selfService: AccountSelfService;
  signIn: AccountSignIn;
  render: ViewRenderer;
  csrf: Csrf;
  counters: CounterStore;
  log: Logger;
  /** The user's second factors (issue 14): what the profile page lists, and their removal. */
  factors: {
    summary(accountId: string): Promise<AccountFactorsInput>;
    removeTotp(accountId: string): Promise<boolean>;
    removePasskey(accountId: string, id: string): Promise<boolean>;
  };
  now?: () => number;
}

// Every field a bounded string; anything else is a 400 before any lookup (ASVS 15.3.x).
const csrfField = z.string().max(200);
const forms = {
  forgot: z.object({ csrf: csrfField, email: z.string().max(254) }),
  reset: z.object({
    csrf: csrfField,
    token: z.string().max(100),
    password: z.string().max(1024),
    confirm: z.string().max(1024),
  }),
  token: z.object({ csrf: csrfField, token: z.string().max(100) }),
  plain: z.object({ csrf: csrfField }),
  profile: z.object({ csrf: csrfField, name: z.string().max(400) }),
  email: z.object({
    csrf: csrfField,
    email: z.string().max(254),
    current_password: z.string().max(1024).optional(),
  }),
  password: z.object({
    csrf: csrfField,
    username: z.string().max(254).optional(),
    current_password: z.string().max(1024),
    password: z.string().max(1024),
    confirm: z.string().max(1024),
  }),
  session: z.object({ csrf: csrfField, session: z.string().max(128) }),
  grant: z.object({ csrf: csrfField, grant: z.string().max(256) }),
  factor: z.object({
    csrf: csrfField,
    factor: z.string().max(300),
    current_password: z.string().max(1024).optional(),
  }),
  delete: z.object({
    csrf: csrfField,
    current_password: z.string().max(1024).optional(),
    confirm: z.string().max(10).optional(),
  }),
};

/**
 * The account lifecycle's pages (issue 15): forgot and reset password, email confirmation, and
 * the account centre at /account. Server-rendered, working without JavaScript. Every POST is
 * checked before it does anything: the body is a small form of plain strings, and its CSRF token
 * (ASVS 3.5.1) is an HMAC bound to the signed-in session (`account:<session uid>`) or, on the
 * pages used signed out, to a random HttpOnly cookie of this browser (`form:<value>`).
 */
export function accountRouter(deps: AccountRouterDeps): Router {
  const router = new Router();
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const https = config.server.issuer.startsWith('https:');
  const productName = config.ui.productName;
  const formCookie = https ? '__Host-account_form' : 'account_form';
  const minLength = config.passwords.minLength;

  const lang = (ctx: Context) => requestLanguage(ctx);
  const pageContext = (ctx: Context) => ({
    productName,
    lang: lang(ctx),
    here: switcherPath(ctx),
  });

  async function show<P extends PageName>(
    ctx: Context,
    page: P,
    locals: PageLocals[P],
    status = 200,
  ): Promise<void> {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = await deps.render(page, locals);
  }

  /** This browser's anonymous form binding, created on first sight. */
  function browserBinding(ctx: Context, create: boolean): string | undefined {
    let value = ctx.cookies.get(formCookie, { signed: true });
    if ((value === undefined || !/^[A-Za-z0-9_-]{22}$/.test(value)) && create) {
      value = randomBytes(16).toString('base64url');
      ctx.cookies.set(formCookie, value, {
        httpOnly: true,
        sameSite: 'lax',
        signed: true,
        path: '/',
        overwrite: true,
      });
    }
    return value === undefined ? undefined : `form:${value}`;
  }

  async function readForm<T>(ctx: Context, schema: z.ZodType<T>, binding: string | undefined) {
    const fields = await parseForm(ctx, { limit: config.server.bodyLimitBytes });
    if (binding === undefined || !deps.csrf.verify(binding, fields.csrf))
      throw new AppError('csrf_failed');
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      throw new AppError(
        'invalid_input',
        Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])),
      );
    }
    return parsed.data;
  }

  router.use(async function selfServiceOnly(ctx, next) {
    // `account.selfService` off: /account and /forgot-password are not there (404 further on);
    // links sent by email (reset, invitation, confirmation) still work.
    const selfServicePath =
      ctx.path === '/forgot-password' ||
      ctx.path === '/account' ||
      ctx.path.startsWith('/account/');
    if (!config.account.selfService && selfServicePath) return;
    await next();
  });

  router.use(async function noStore(ctx, next) {
    const path = ctx.path;
    if (
      path === '/forgot-password' ||
      path === '/reset-password' ||
      path === '/verify-email' ||
      path === '/account' ||
      path.startsWith('/account/')
    ) {
      // Pages with CSRF tokens, links' tokens or a user's details are never cached (ASVS 14.3.2).
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Pragma', 'no-cache');
    }
    await next();
  });

  // ---- Forgot and reset password (signed out) ----

  router.get('/forgot-password', async (ctx) => {
    const binding = browserBinding(ctx, true) ?? '';
    await show(
      ctx,
      'forgot-password',
      forgotPasswordPage({ ...pageContext(ctx), csrfToken: deps.csrf.token(binding) }),
    );
  });

  router.post('/forgot-password', async (ctx) => {
    const binding = browserBinding(ctx, false);
    const form = await readForm(ctx, forms.forgot, binding);
    const email = form.email.trim();
    if (email === '' || !email.includes('@')) {
      await show(
        ctx,
        'forgot-password',
        forgotPasswordPage({
          ...pageContext(ctx),
          csrfToken: deps.csrf.token(binding ?? ''),
          email,
          error: true,
        }),
        400,
      );
      return;
    }
    const outcome = await deps.lifecycle.requestPasswordReset({
      email,
      ip: ctx.request.ip,
      lang: lang(ctx),
    });
    if (outcome.status === 'network_limited') {
      ctx.set('Retry-After', String(outcome.retryAfterSeconds));
      throw new AppError('too_many_attempts');
    }
    // One answer whether or not the address names an account (ASVS 6.3.8).
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: 'forgot.sentTitle',
        paragraphs: [
          {
            key: 'forgot.sent',
            params: { minutes: Math.round(config.account.resetTokenTtlSeconds / 60) },
          },
          { key: 'forgot.sentHint' },
        ],
      }),
    );
  });

  async function invalidLink(ctx: Context, kind: 'reset' | 'verify') {
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: kind === 'reset' ? 'reset.invalidTitle' : 'verify.invalidTitle',
        paragraphs: [{ key: kind === 'reset' ? 'reset.invalid' : 'verify.invalid' }],
        link:
          kind === 'reset'
            ? { href: '/forgot-password', key: 'reset.askAgain' }
            : { href: '/account', key: 'reset.continue' },
      }),
      400,
    );
  }

  const queryToken = (ctx: Context) =>
    typeof ctx.query.token === 'string' ? ctx.query.token.slice(0, 100) : '';

  router.get('/reset-password', async (ctx) => {
    const token = queryToken(ctx);
    const peeked = await deps.lifecycle.peekPasswordLink(token);
    if (!peeked) return invalidLink(ctx, 'reset');
    const binding = browserBinding(ctx, true) ?? '';
    await show(
      ctx,
      'reset-password',
      resetPasswordPage({
        ...pageContext(ctx),
        csrfToken: deps.csrf.token(binding),
        token,
        account: peeked.account.username,
        invitation: peeked.purpose === 'invitation',
        minLength,
      }),
    );
  });

  router.post('/reset-password', async (ctx) => {
    const binding = browserBinding(ctx, false);
    const form = await readForm(ctx, forms.reset, binding);
    const peeked = await deps.lifecycle.peekPasswordLink(form.token);
    if (!peeked) return invalidLink(ctx, 'reset');
    const length = [...form.password].length;
    const error =
      form.password !== form.confirm
        ? ('mismatch' as const)
        : length < minLength
          ? ('tooShort' as const)
          : undefined;
    if (error) {
      await show(
        ctx,
        'reset-password',
        resetPasswordPage({
          ...pageContext(ctx),
          here: undefined,
          csrfToken: deps.csrf.token(binding ?? ''),
          token: form.token,
          account: peeked.account.username,
          invitation: peeked.purpose === 'invitation',
          minLength,
          error,
        }),
        400,
      );
      return;
    }
    const updated = await deps.lifecycle.completePasswordReset({
      token: form.token,
      password: form.password,
      lang: lang(ctx),
    });
    if (!updated) return invalidLink(ctx, 'reset');
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: 'reset.doneTitle',
        paragraphs: [{ key: 'reset.done' }],
        link: { href: '/account', key: 'reset.continue' },
      }),
    );
  });

  // ---- Email confirmation links: a GET shows a button, the POST confirms (no prefetch uses it) ----

  router.get('/verify-email', async (ctx) => {
    const token = queryToken(ctx);
    const pending = await deps.lifecycle.peekEmailLink(token);
    if (!pending) return invalidLink(ctx, 'verify');
    const binding = browserBinding(ctx, true) ?? '';
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: 'account.email.heading',
        paragraphs: [{ key: 'email.verification.subject', params: { productName } }],
        form: {
          action: '/verify-email',
          csrfToken: deps.csrf.token(binding),
          token,
          key: 'email.verification.action',
        },
      }),
    );
  });

  router.post('/verify-email', async (ctx) => {
    const form = await readForm(ctx, forms.token, browserBinding(ctx, false));
    const confirmed = await deps.lifecycle.confirmEmail(form.token);
    if (!confirmed) return invalidLink(ctx, 'verify');
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: 'verify.doneTitle',
        paragraphs: [{ key: 'verify.done', params: { email: confirmed.email } }],
        link: { href: '/account', key: 'reset.continue' },
      }),
    );
  });

  // ---- The account centre (signed in) ----

  router.get('/account/callback', async (ctx) => {
    const next = await deps.signIn.finish(ctx);
    if (next === undefined) {
      // A failed or foreign authorization response (or the user cancelled): start over.
      if (typeof ctx.query.error === 'string') {
        ctx.status = 303;
        ctx.redirect('/');
        return;
      }
      throw new AppError('invalid_request', { callback: 'not the sign-in this browser started' });
    }
    ctx.status = 303;
    ctx.redirect(next);
  });

  interface Signed {
    user: AccountSignedIn;
    page: AccountPageContext;
  }

  function pageOf(ctx: Context, user: AccountSignedIn, notice?: NoticeInput): AccountPageContext {
    const recent =
      user.loginTs !== undefined && now() / 1000 - user.loginTs <= config.account.recentAuthSeconds;
    return {
      ...pageContext(ctx),
      here: ctx.method === 'GET' ? switcherPath(ctx) : undefined,
      account: user.account,
      csrfToken: deps.csrf.token(`account:${user.sessionUid}`),
      notice,
      needsReauth: !recent,
    };
  }

  /** The signed-in user, or a redirect into the sign-in (GET) / back to /account (POST). */
  async function signedIn(ctx: Context): Promise<Signed | undefined> {
    const user = await deps.signIn.current(ctx);
    if (user) return { user, page: pageOf(ctx, user) };
    if (ctx.method === 'GET') deps.signIn.start(ctx, ctx.path);
    else {
      // Nothing is done for a form posted without a session; the sign-in starts from the page.
      ctx.status = 303;
      ctx.redirect('/account');
    }
    return undefined;
  }

  /** The account-centre form of the signed-in user, its CSRF token bound to their session. */
  async function accountForm<T>(
    ctx: Context,
    schema: z.ZodType<T>,
  ): Promise<{ signed: Signed; form: T } | undefined> {
    const signed = await signedIn(ctx);
    if (!signed) return undefined;
    const form = await readForm(ctx, schema, `account:${signed.user.sessionUid}`);
    return { signed, form };
  }

  const reauthKey = (accountId: string) => `account-reauth:${accountId}`;

  /** Recent authentication (issue 15: sensitive actions): the password, limited like sign-in. */
  async function reauthenticate(
    account: AccountView,
    password: string | undefined,
  ): Promise<'ok' | 'wrong' | 'locked'> {
    const state = await deps.counters.get(reauthKey(account.id));
    if (state !== undefined && state.count >= config.security.login.maxFailures) return 'locked';
    if (
      password !== undefined &&
      password !== '' &&
      (await deps.selfService.checkPassword(account, password))
    )
      return 'ok';
    await deps.counters.hit(reauthKey(account.id), config.security.login.lockoutSeconds * 1000);
    return 'wrong';
  }

  const profileLocals = async (
    page: AccountPageContext,
    account: AccountView,
    extra: {
      invalid?: Parameters<typeof accountProfilePage>[0]['invalid'];
      newEmail?: string;
    } = {},
  ) =>
    accountProfilePage({
      ...page,
      factors: await deps.factors.summary(account.id),
      account: {
        username: account.username,
        name: typeof account.claims.name === 'string' ? account.claims.name : '',
        email: account.email,
        emailVerified: account.emailVerified,
      },
      minLength,
      ...extra,
    });

  router.get('/account', async (ctx) => {
    const signed = await signedIn(ctx);
    if (!signed) return;
    await show(ctx, 'account-profile', await profileLocals(signed.page, signed.user.account));
  });

  router.post('/account/profile', async (ctx) => {
    const got = await accountForm(ctx, forms.profile);
    if (!got) return;
    const { signed, form } = got;
    if ([...form.name.trim()].length > 200) {
      await show(
        ctx,
        'account-profile',
        await profileLocals(
          pageOf(ctx, signed.user, { kind: 'error', key: 'account.error.invalidName' }),
          signed.user.account,
          { invalid: 'name' },
        ),
        400,
      );
      return;
    }
    const updated = await deps.selfService.updateName(signed.user.account.id, form.name);
    await show(
      ctx,
      'account-profile',
      await profileLocals(
        pageOf(ctx, signed.user, { kind: 'success', key: 'account.profile.saved' }),
        updated,
      ),
    );
  });

  router.post('/account/email', async (ctx) => {
    const got = await accountForm(ctx, forms.email);
    if (!got) return;
    const { signed, form } = got;
    const account = signed.user.account;
    const fail = async (
      key: NoticeInput['key'],
      invalid: 'email' | 'emailPassword',
      status = 400,
    ) =>
      show(
        ctx,
        'account-profile',
        await profileLocals(pageOf(ctx, signed.user, { kind: 'error', key }), account, {
          invalid,
          newEmail: form.email,
        }),
        status,
      );
    if (signed.page.needsReauth) {
      const verdict = await reauthenticate(account, form.current_password);
      if (verdict === 'locked') return fail('account.error.tooMany', 'emailPassword', 429);
      if (verdict === 'wrong') return fail('account.error.wrongPassword', 'emailPassword');
    }
    try {
      await deps.lifecycle.requestEmailChange(account.id, form.email.trim(), lang(ctx));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'too_many_attempts') return fail('account.error.tooMany', 'email', 429);
      if (err.code === 'email_taken') return fail('account.error.emailUnavailable', 'email');
      if (err.code === 'invalid_input')
        return fail(
          (err.details as Record<string, string> | undefined)?.email === 'same'
            ? 'account.error.sameEmail'
            : 'account.error.invalidEmail',
          'email',
        );
      throw err;
    }
    await show(
      ctx,
      'account-profile',
      await profileLocals(
        pageOf(ctx, signed.user, {
          kind: 'success',
          key: 'account.email.sent',
          params: { email: form.email.trim() },
        }),
        account,
      ),
    );
  });

  router.post('/account/email/verify', async (ctx) => {
    const got = await accountForm(ctx, forms.plain);
    if (!got) return;
    const { signed } = got;
    const account = signed.user.account;
    if (account.email === undefined || account.emailVerified) {
      await show(
        ctx,
        'account-profile',
        await profileLocals(
          pageOf(ctx, signed.user, { kind: 'error', key: 'account.error.noEmail' }),
          account,
        ),
        400,
      );
      return;
    }
    try {
      await deps.lifecycle.sendVerification(account.id, lang(ctx));
    } catch (err) {
      if (err instanceof AppError && err.code === 'too_many_attempts') {
        await show(
          ctx,
          'account-profile',
          await profileLocals(
            pageOf(ctx, signed.user, { kind: 'error', key: 'account.error.tooMany' }),
            account,
          ),
          429,
        );
        return;
      }
      throw err;
    }
    await show(
      ctx,
      'account-profile',
      await profileLocals(
        pageOf(ctx, signed.user, {
          kind: 'success',
          key: 'account.email.resent',
          params: { email: account.email },
        }),
        account,
      ),
    );
  });

  router.post('/account/password', async (ctx) => {
    const got = await accountForm(ctx, forms.password);
    if (!got) return;
    const { signed, form } = got;
    const account = signed.user.account;
    const fail = async (
      key: NoticeInput['key'],
      invalid: 'password' | 'passwordNew',
      status = 400,
    ) =>
      show(
        ctx,
        'account-profile',
        await profileLocals(
          pageOf(ctx, signed.user, { kind: 'error', key, params: { min: minLength } }),
          account,
          { invalid },
        ),
        status,
      );
    // ASVS 6.2.3: a new password only with the current one, whatever the session's age.
    const verdict = await reauthenticate(account, form.current_password);
    if (verdict === 'locked') return fail('account.error.tooMany', 'password', 429);
    if (verdict === 'wrong') return fail('account.error.wrongPassword', 'password');
    if (form.password !== form.confirm) return fail('account.error.mismatch', 'passwordNew');
    if ([...form.password].length < minLength) return fail('account.error.tooShort', 'passwordNew');
    await deps.lifecycle.changePassword(account, form.password, lang(ctx));
    // Every session ended with the old password, this one too (ASVS 7.4.3): sign in again.
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: 'reset.doneTitle',
        paragraphs: [{ key: 'account.password.changed' }],
        link: { href: '/account', key: 'reset.continue' },
      }),
    );
  });

  async function sessionsPage(
    ctx: Context,
    user: AccountSignedIn,
    notice?: NoticeInput,
    status = 200,
  ) {
    const sessions = await deps.selfService.listSessions(user.account.id, user.sessionUid);
    await show(
      ctx,
      'account-sessions',
      accountSessionsPage({
        ...pageOf(ctx, user, notice),
        sessions: sessions.map((s) => ({ ...s, apps: s.clientNames })),
      }),
      status,
    );
  }

  router.post('/account/factors/remove', async (ctx) => {
    const got = await accountForm(ctx, forms.factor);
    if (!got) return;
    const { signed, form } = got;
    const account = signed.user.account;
    const answer = async (notice: NoticeInput, status = 200, invalid?: 'factorPassword') =>
      show(
        ctx,
        'account-profile',
        await profileLocals(pageOf(ctx, signed.user, notice), account, { invalid }),
        status,
      );
    // Removing a factor weakens the account: a sensitive action (issue 15 item 4).
    if (signed.page.needsReauth) {
      const verdict = await reauthenticate(account, form.current_password);
      if (verdict === 'locked')
        return answer({ kind: 'error', key: 'account.error.tooMany' }, 429, 'factorPassword');
      if (verdict === 'wrong')
        return answer({ kind: 'error', key: 'account.error.wrongPassword' }, 400, 'factorPassword');
    }
    // Only the user's own factors: another account's passkey id is "not found", nothing changes.
    const removed =
      form.factor === 'totp'
        ? await deps.factors.removeTotp(account.id)
        : form.factor.startsWith('passkey:')
          ? await deps.factors.removePasskey(account.id, form.factor.slice('passkey:'.length))
          : false;
    if (!removed) return answer({ kind: 'error', key: 'account.factors.notFound' }, 404);
    return answer({ kind: 'success', key: 'account.factors.removed' });
  });

  router.get('/account/sessions', async (ctx) => {
    const signed = await signedIn(ctx);
    if (!signed) return;
    await sessionsPage(ctx, signed.user);
  });

  router.post('/account/sessions/end', async (ctx) => {
    const got = await accountForm(ctx, forms.session);
    if (!got) return;
    const { signed, form } = got;
    // Another user's session, or this one (signing out here is "Sign out"): not found, unchanged.
    const ended =
      form.session !== signed.user.sessionUid &&
      (await deps.selfService.endSession(signed.user.account.id, form.session));
    if (!ended) {
      await sessionsPage(
        ctx,
        signed.user,
        { kind: 'error', key: 'account.sessions.notFound' },
        404,
      );
      return;
    }
    await sessionsPage(ctx, signed.user, { kind: 'success', key: 'account.sessions.endedOne' });
  });

  router.post('/account/sessions/end-others', async (ctx) => {
    const got = await accountForm(ctx, forms.plain);
    if (!got) return;
    const { signed } = got;
    await deps.selfService.endOtherSessions(signed.user.account.id, signed.user.sessionUid);
    await sessionsPage(ctx, signed.user, { kind: 'success', key: 'account.sessions.endedOthers' });
  });

  async function appsPage(ctx: Context, user: AccountSignedIn, notice?: NoticeInput, status = 200) {
    const grants = await deps.selfService.listGrants(user.account.id);
    await show(
      ctx,
      'account-apps',
      accountAppsPage({
        ...pageOf(ctx, user, notice),
        apps: grants.map((g) => ({ ...g, name: g.clientName })),
      }),
      status,
    );
  }

  router.get('/account/apps', async (ctx) => {
    const signed = await signedIn(ctx);
    if (!signed) return;
    await appsPage(ctx, signed.user);
  });

  router.post('/account/apps/revoke', async (ctx) => {
    const got = await accountForm(ctx, forms.grant);
    if (!got) return;
    const { signed, form } = got;
    const revoked = await deps.selfService.revokeGrant(signed.user.account.id, form.grant);
    if (!revoked) {
      await appsPage(ctx, signed.user, { kind: 'error', key: 'account.apps.notFound' }, 404);
      return;
    }
    await appsPage(ctx, signed.user, {
      kind: 'success',
      key: 'account.apps.revoked',
      params: { client: revoked.clientName },
    });
  });

  router.get('/account/activity', async (ctx) => {
    const signed = await signedIn(ctx);
    if (!signed) return;
    const events = await deps.selfService.activity(signed.user.account.id);
    await show(ctx, 'account-activity', accountActivityPage({ ...signed.page, events }));
  });

  const dataLocals = (page: AccountPageContext, invalid?: 'password' | 'confirm') =>
    accountDataPage({ ...page, selfDelete: config.account.selfDelete, invalid });

  router.get('/account/data', async (ctx) => {
    const signed = await signedIn(ctx);
    if (!signed) return;
    await show(ctx, 'account-data', dataLocals(signed.page));
  });

  router.post('/account/data/export', async (ctx) => {
    const got = await accountForm(ctx, forms.plain);
    if (!got) return;
    const { signed } = got;
    const data = await deps.selfService.exportData(signed.user.account, signed.user.sessionUid);
    ctx.type = 'application/json';
    ctx.set(
      'Content-Disposition',
      `attachment; filename="account-${new Date(now()).toISOString().slice(0, 10)}.json"`,
    );
    ctx.body = JSON.stringify(data, null, 2);
  });

  router.post('/account/data/delete', async (ctx) => {
    const got = await accountForm(ctx, forms.delete);
    if (!got) return;
    const { signed, form } = got;
    if (!config.account.selfDelete) throw new AppError('not_found');
    const fail = async (key: NoticeInput['key'], invalid: 'password' | 'confirm', status = 400) =>
      show(
        ctx,
        'account-data',
        dataLocals(pageOf(ctx, signed.user, { kind: 'error', key }), invalid),
        status,
      );
    if (form.confirm !== 'yes') return fail('account.data.deleteNeedsConfirm', 'confirm');
    if (signed.page.needsReauth) {
      const verdict = await reauthenticate(signed.user.account, form.current_password);
      if (verdict === 'locked') return fail('account.error.tooMany', 'password', 429);
      if (verdict === 'wrong') return fail('account.error.wrongPassword', 'password');
    }
    await deps.lifecycle.deleteAccount(signed.user.account.id, lang(ctx));
    deps.log.info({ event: 'account.deleted' }, 'account deleted by its user');
    await show(
      ctx,
      'account-message',
      accountMessagePage({
        ...pageContext(ctx),
        here: undefined,
        title: 'account.deletedTitle',
        paragraphs: [{ key: 'account.deleted' }],
        link: undefined,
      }),
    );
  });

  return router;
}
