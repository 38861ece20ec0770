import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import type { AccountService } from '../accounts/account-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { parseForm } from '../http/parse-form.ts';
import type { ViewRenderer } from '../http/render-view.ts';
import { negotiateLanguage } from '../i18n/negotiate-language.ts';
import type { Csrf } from './csrf.ts';
import { consentPage, loginPage, type ClientInput } from './view-models.ts';

export interface InteractionRouterDeps {
  provider: () => Provider;
  accounts: Pick<AccountService, 'authenticate' | 'findById'>;
  render: ViewRenderer;
  csrf: Csrf;
  log: Logger;
  productName: string;
  bodyLimitBytes: number;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

// Form schemas: every field a string of bounded length; anything else is a 400 before any lookup.
const loginForm = z.object({
  csrf: z.string().max(200),
  username: z.string().max(254),
  password: z.string().max(1024),
});
const consentForm = z.object({ csrf: z.string().max(200), decision: z.enum(['approve', 'deny']) });
const abortForm = z.object({ csrf: z.string().max(200) });

const UID = /^[A-Za-z0-9_-]{10,64}$/;

/**
 * Login and consent pages (the provider's interaction prompts). Each POST is checked three ways
 * before it does anything: the CSRF token matches this interaction (ASVS 3.5.1), the interaction
 * named by the cookie is the one in the URL (so a form cannot finish another sign-in), and the
 * body is a small form of plain strings (ASVS 15.3.x).
 */
export function interactionRouter(deps: InteractionRouterDeps): Router {
  const router = new Router({ prefix: '/interaction' });

  async function details(ctx: Context, uid: string): Promise<Details> {
    if (!UID.test(uid)) throw new AppError('not_found');
    let found: Details;
    try {
      found = await deps.provider().interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      // The library throws SessionNotFound when the cookie is missing or the interaction expired.
      if ((err as { name?: string }).name === 'SessionNotFound') throw new AppError('interaction_expired');
      throw err;
    }
    if (found.uid !== uid) throw new AppError('interaction_mismatch');
    return found;
  }

  async function clientOf(found: Details): Promise<ClientInput> {
    const client = await deps.provider().Client.find(String(found.params.client_id));
    return { name: client?.clientName ?? client?.clientId, logoUri: client?.logoUri, uri: client?.clientUri };
  }

  function language(ctx: Context, found: Details | undefined): string {
    const uiLocales = typeof found?.params.ui_locales === 'string' ? found.params.ui_locales : undefined;
    return negotiateLanguage(uiLocales, ctx.get('accept-language'));
  }

  async function readForm<T>(ctx: Context, schema: z.ZodType<T>, uid: string): Promise<T> {
    const fields = await parseForm(ctx, { limit: deps.bodyLimitBytes });
    const parsed = schema.safeParse(fields);
    if (!deps.csrf.verify(uid, fields.csrf)) throw new AppError('csrf_failed');
    if (!parsed.success) {
      throw new AppError('invalid_input', Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])));
    }
    return parsed.data;
  }

  async function renderLogin(ctx: Context, found: Details, extra: { username?: string; error?: 'invalid_credentials' | 'missing_fields' }) {
    ctx.type = 'html';
    ctx.body = await deps.render(
      'login',
      loginPage({
        uid: found.uid,
        csrfToken: deps.csrf.token(found.uid),
        client: await clientOf(found),
        productName: deps.productName,
        lang: language(ctx, found),
        ...extra,
      }),
    );
  }

  /** Hands the result to the provider and follows its redirect with 303 (RFC 9700 §4.12: never
   *  307 after a form that carried credentials, or the browser would re-post them). */
  async function finish(ctx: Context, result: Parameters<Provider['interactionResult']>[2], merge: boolean) {
    const url = await deps.provider().interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.status = 303;
    ctx.redirect(url);
  }

  router.use(async function noStore(ctx, next) {
    // Pages with a CSRF token or a user's details must never be cached (ASVS 14.3.2).
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    await next();
  });

  router.get('/:uid', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    if (found.prompt.name === 'login') {
      const hint = typeof found.params.login_hint === 'string' ? found.params.login_hint.slice(0, 254) : undefined;
      await renderLogin(ctx, found, hint ? { username: hint } : {});
      return;
    }
    if (found.prompt.name === 'consent') {
      const accountId = found.session?.accountId;
      const account = accountId ? await deps.accounts.findById(accountId) : undefined;
      const missing = found.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      ctx.type = 'html';
      ctx.body = await deps.render(
        'consent',
        consentPage({
          uid: found.uid,
          csrfToken: deps.csrf.token(found.uid),
          client: await clientOf(found),
          scopes: missing.missingOIDCScope ?? [],
          claims: missing.missingOIDCClaims ?? [],
          accountName: account?.username ?? '',
          productName: deps.productName,
          lang: language(ctx, found),
        }),
      );
      return;
    }
    throw new AppError('invalid_request', { prompt: `unsupported prompt ${found.prompt.name}` });
  });

  router.post('/:uid/login', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    if (found.prompt.name !== 'login') throw new AppError('interaction_mismatch');
    const form = await readForm(ctx, loginForm, found.uid);
    if (form.username.trim() === '' || form.password === '') {
      ctx.status = 400;
      await renderLogin(ctx, found, { username: form.username, error: 'missing_fields' });
      return;
    }
    const account = await deps.accounts.authenticate(form.username, form.password);
    if (!account) {
      // One answer for unknown user, wrong password and disabled account (ASVS 6.3.8).
      deps.log.info({ event: 'login.failed', requestId: ctx.state.requestId, clientId: found.params.client_id }, 'sign-in failed');
      ctx.status = 401;
      await renderLogin(ctx, found, { username: form.username, error: 'invalid_credentials' });
      return;
    }
    deps.log.info({ event: 'login.succeeded', requestId: ctx.state.requestId, sub: account.id, clientId: found.params.client_id }, 'sign-in');
    await finish(ctx, { login: { accountId: account.id } }, false);
  });

  router.post('/:uid/consent', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    if (found.prompt.name !== 'consent') throw new AppError('interaction_mismatch');
    const form = await readForm(ctx, consentForm, found.uid);
    const provider = deps.provider();
    if (form.decision === 'deny') {
      await finish(ctx, { error: 'access_denied', error_description: 'The user denied the request.' }, false);
      return;
    }
    const accountId = found.session?.accountId;
    if (!accountId) throw new AppError('interaction_expired');
    const missing = found.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = found.grantId
      ? await provider.Grant.find(found.grantId)
      : new provider.Grant({ accountId, clientId: String(found.params.client_id) });
    if (!grant) throw new AppError('interaction_expired');
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    deps.log.info({ event: 'consent.given', requestId: ctx.state.requestId, sub: accountId, clientId: found.params.client_id }, 'consent given');
    await finish(ctx, { consent: { grantId } }, true);
  });

  router.post('/:uid/abort', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    await readForm(ctx, abortForm, found.uid);
    await finish(ctx, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, false);
  });

  return router;
}
