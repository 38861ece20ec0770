import { Router } from '@koa/router';
import { ACR_PASSWORD, AMR_PASSWORD } from '../oidc/acr-values.ts';
import { OFFLINE_CONSENT_PARAM } from '../oidc/hooks/offline-access-consent.ts';
import { SCOPE_CLAIMS } from '../oidc/scopes.ts';
import { CLAIM_MAPPINGS_METADATA } from '../oidc/client-metadata.ts';
import { attributeClaimNames } from '../rbac/claim-mappings.ts';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import type { AccountService } from '../accounts/account-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { parseForm } from '../http/parse-form.ts';
import type { ViewRenderer } from '../ui/render-view.ts';
import { requestLanguage } from '../ui/i18n/request-language.ts';
import type { Security } from '../security/create-security.ts';
import type { LoginResult } from '../security/login-guard.ts';
import type { Csrf } from './csrf.ts';
import type { DescribeResource } from './describe-resource.ts';
import { readPromptDetails } from './read-prompt-details.ts';
import type { ClientInput } from '../ui/client-badge.ts';
import { consentPage } from '../ui/consent-page.ts';
import { expiredPage } from '../ui/error-page.ts';
import { loginPage } from '../ui/login-page.ts';
import { MFA_PROMPT } from '../oidc/mfa-prompt.ts';
import { registerMfaRoutes, type MfaRoutesDeps } from './mfa-routes.ts';

export interface InteractionRouterDeps {
  provider: () => Provider;
  accounts: Pick<AccountService, 'findById'>;
  render: ViewRenderer;
  csrf: Csrf;
  log: Logger;
  productName: string;
  bodyLimitBytes: number;
  /** Told the outcome of every password check (metrics: `portcullis_sign_ins_total`). */
  signIn?: ((outcome: 'success' | 'failure') => void) | undefined;
  /** Brute-force limits, session limit and security events (src/security): every password
   *  check goes through them. */
  security: Pick<Security, 'signIn' | 'events'>;
  /** Names and scope descriptions of registered APIs, for the consent page (src/resources). */
  describeResource: DescribeResource;
  /** The second-factor step (issue 14, src/interactions/mfa-routes.ts); none without it. */
  mfa?: MfaRoutesDeps | undefined;
  /** The login page's "Forgot your password?" link (the account centre, issue 15); none if absent. */
  forgotPasswordHref?: string | undefined;
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
      if ((err as { name?: string }).name === 'SessionNotFound')
        throw new AppError('interaction_expired');
      throw err;
    }
    if (found.uid !== uid) throw new AppError('interaction_mismatch');
    return found;
  }

  async function findClient(clientId: string): Promise<ClientInput | undefined> {
    const client = await deps.provider().Client.find(clientId);
    if (!client) return undefined;
    return {
      id: client.clientId,
      name: client.clientName ?? client.clientId,
      logoUri: client.logoUri,
      uri: client.clientUri,
      initiateLoginUri: client.initiateLoginUri,
    };
  }

  /** Claims the client's claim mapping releases from custom attributes (src/rbac). */
  async function mappedAttributeClaims(clientId: string): Promise<string[]> {
    const client = (await deps.provider().Client.find(clientId)) as unknown as
      Record<string, unknown> | undefined;
    return attributeClaimNames(client?.[CLAIM_MAPPINGS_METADATA]);
  }

  async function clientOf(found: Details): Promise<ClientInput> {
    return (await findClient(String(found.params.client_id))) ?? { name: undefined };
  }

  /** Language (src/ui/i18n/choose-language.ts); the switcher links to the interaction's GET page. */
  function language(ctx: Context, found: Details | undefined) {
    const uiLocales =
      typeof found?.params.ui_locales === 'string' ? found.params.ui_locales : undefined;
    return {
      lang: requestLanguage(ctx, uiLocales),
      here: found ? `/interaction/${found.uid}` : undefined,
    };
  }

  /**
   * The interaction is gone (expired, or its cookie is): a page that says so and, when the
   * posted form names a registered app (hidden `client_id`), links back to it. A GET, or a form
   * without a known app, gets the instruction to start again from the application.
   */
  async function renderExpired(ctx: Context): Promise<void> {
    let client: ClientInput | undefined;
    if (ctx.method === 'POST' && !ctx.req.readableEnded) {
      const fields = await parseForm(ctx, { limit: deps.bodyLimitBytes }).catch(() => undefined);
      const clientId = fields?.client_id;
      if (typeof clientId === 'string' && clientId.length > 0 && clientId.length <= 200) {
        client = await findClient(clientId);
      }
    }
    const uid = ctx.params.uid ?? '';
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = await deps.render(
      'error',
      expiredPage({
        client,
        requestId: String(ctx.state.requestId ?? ''),
        productName: deps.productName,
        lang: requestLanguage(ctx),
        here: UID.test(uid) && ctx.method === 'GET' ? `/interaction/${uid}` : undefined,
      }),
    );
  }

  async function readForm<T>(ctx: Context, schema: z.ZodType<T>, uid: string): Promise<T> {
    const fields = await parseForm(ctx, { limit: deps.bodyLimitBytes });
    const parsed = schema.safeParse(fields);
    if (!deps.csrf.verify(uid, fields.csrf)) throw new AppError('csrf_failed');
    if (!parsed.success) {
      throw new AppError(
        'invalid_input',
        Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])),
      );
    }
    return parsed.data;
  }

  async function renderLogin(
    ctx: Context,
    found: Details,
    extra: { username?: string; error?: 'invalid_credentials' | 'missing_fields' },
  ) {
    ctx.type = 'html';
    ctx.body = await deps.render(
      'login',
      loginPage({
        uid: found.uid,
        csrfToken: deps.csrf.token(found.uid),
        client: await clientOf(found),
        productName: deps.productName,
        forgotPasswordHref: deps.forgotPasswordHref,
        ...language(ctx, found),
        ...extra,
        passkeys: deps.mfa?.passkeys !== undefined,
      }),
    );
  }

  /** Hands the result to the provider and follows its redirect with 303 (RFC 9700 §4.12: never
   *  307 after a form that carried credentials, or the browser would re-post them). */
  async function finish(
    ctx: Context,
    result: Parameters<Provider['interactionResult']>[2],
    merge: boolean,
  ) {
    const url = await deps
      .provider()
      .interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.status = 303;
    ctx.redirect(url);
  }

  router.use(async function noStore(ctx, next) {
    // Pages with a CSRF token or a user's details must never be cached (ASVS 14.3.2).
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    await next();
  });

  router.use(async function expiredInteraction(ctx, next) {
    try {
      await next();
    } catch (err) {
      // Browsers get the friendly page; API callers keep the JSON error of the error handler.
      if (
        !(err instanceof AppError && err.code === 'interaction_expired') ||
        ctx.accepts('json', 'html') !== 'html'
      ) {
        throw err;
      }
      await renderExpired(ctx);
    }
  });

  const mfaRoutes = deps.mfa
    ? registerMfaRoutes(
        router,
        {
          details,
          readForm,
          finish,
          language: (ctx, found) => language(ctx, found),
          clientOf,
          csrfToken: (uid) => deps.csrf.token(uid),
          productName: deps.productName,
        },
        deps.mfa,
      )
    : undefined;

  router.get('/:uid', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    if (found.prompt.name === 'login') {
      const hint =
        typeof found.params.login_hint === 'string'
          ? found.params.login_hint.slice(0, 254)
          : undefined;
      await renderLogin(ctx, found, hint ? { username: hint } : {});
      return;
    }
    if (found.prompt.name === 'consent') {
      const accountId = found.session?.accountId;
      const account = accountId ? await deps.accounts.findById(accountId) : undefined;
      const missing = readPromptDetails(found.prompt.details);
      // The consent prompt was added only so offline access could be granted (OIDC Core §11,
      // src/oidc/hooks/offline-access-consent.ts); when the user's grant already holds all that
      // is asked, there is nothing to ask again.
      const nothingMissing =
        (missing.missingOIDCScope ?? []).length === 0 &&
        (missing.missingOIDCClaims ?? []).length === 0 &&
        Object.keys(missing.missingResourceScopes ?? {}).length === 0;
      if (found.params[OFFLINE_CONSENT_PARAM] === '1' && found.grantId && nothingMissing) {
        await finish(ctx, { consent: { grantId: found.grantId } }, true);
        return;
      }
      // Approving grants these API scopes too (see the POST below), so the page must show them
      // (ASVS 10.7.2): each API the request names (RFC 8707) with the scopes asked of it.
      const resources = await Promise.all(
        Object.entries(missing.missingResourceScopes ?? {}).map(async ([indicator, scopes]) => ({
          indicator,
          scopes,
          description: await deps.describeResource(indicator),
        })),
      );
      ctx.type = 'html';
      ctx.body = await deps.render(
        'consent',
        consentPage({
          uid: found.uid,
          csrfToken: deps.csrf.token(found.uid),
          client: await clientOf(found),
          scopes: missing.missingOIDCScope ?? [],
          // Issue 16: custom attributes the client's claim mapping releases are named too.
          claims: [
            ...(missing.missingOIDCClaims ?? []),
            ...(await mappedAttributeClaims(String(found.params.client_id))),
          ],
          scopeClaims: SCOPE_CLAIMS,
          resources,
          accountName: account?.username ?? '',
          productName: deps.productName,
          ...language(ctx, found),
        }),
      );
      return;
    }
    if (found.prompt.name === MFA_PROMPT && mfaRoutes) {
      await mfaRoutes.renderPrompt(ctx, found);
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
    const clientId =
      typeof found.params.client_id === 'string' ? found.params.client_id : undefined;
    const result: LoginResult = await deps.security.signIn({
      login: form.username,
      password: form.password,
      ip: ctx.request.ip,
      clientId,
      sessionId: found.session?.cookie,
    });
    if (!result.ok && result.refusal === 'ip_limited') {
      // Too many failures from this network (password spraying): says nothing about the account.
      deps.signIn?.('failure');
      ctx.set('Retry-After', String(result.retryAfterSeconds));
      throw new AppError('too_many_attempts');
    }
    if (!result.ok && result.refusal === 'session_limit')
      throw new AppError('session_limit_reached');
    const account = result.ok ? result.account : undefined;
    if (!account) {
      // One answer for unknown user, wrong password, disabled or locked account (ASVS 6.3.8).
      deps.signIn?.('failure');
      deps.log.info(
        { event: 'login.failed', requestId: ctx.state.requestId, clientId: found.params.client_id },
        'sign-in failed',
      );
      ctx.status = 401;
      await renderLogin(ctx, found, { username: form.username, error: 'invalid_credentials' });
      return;
    }
    deps.signIn?.('success');
    deps.log.info(
      {
        event: 'login.succeeded',
        requestId: ctx.state.requestId,
        sub: account.id,
        clientId: found.params.client_id,
      },
      'sign-in',
    );
    // OIDC Core §2: the `acr` achieved and RFC 8176 `amr` go into the session and the ID token.
    await finish(
      ctx,
      { login: { accountId: account.id, acr: ACR_PASSWORD, amr: [AMR_PASSWORD] } },
      false,
    );
  });

  router.post('/:uid/consent', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    if (found.prompt.name !== 'consent') throw new AppError('interaction_mismatch');
    const form = await readForm(ctx, consentForm, found.uid);
    const provider = deps.provider();
    if (form.decision === 'deny') {
      await deps.security.events.record({
        type: 'consent.denied',
        subject: found.session?.accountId,
        clientId: String(found.params.client_id),
      });
      await finish(
        ctx,
        { error: 'access_denied', error_description: 'The user denied the request.' },
        false,
      );
      return;
    }
    const accountId = found.session?.accountId;
    if (!accountId) throw new AppError('interaction_expired');
    const missing = readPromptDetails(found.prompt.details);
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
    deps.log.info(
      {
        event: 'consent.given',
        requestId: ctx.state.requestId,
        sub: accountId,
        clientId: found.params.client_id,
      },
      'consent given',
    );
    await deps.security.events.record({
      type: 'consent.given',
      subject: accountId,
      clientId: String(found.params.client_id),
      // The audit trail names everything granted: OpenID scopes and, per API (RFC 8707), its scopes.
      details: {
        scope: (missing.missingOIDCScope ?? []).join(' '),
        ...(Object.keys(missing.missingResourceScopes ?? {}).length > 0
          ? {
              resourceScopes: Object.entries(missing.missingResourceScopes ?? {})
                .map(([indicator, scopes]) => `${indicator} ${scopes.join(' ')}`)
                .join('; '),
            }
          : {}),
      },
    });
    await finish(ctx, { consent: { grantId } }, true);
  });

  router.post('/:uid/abort', async (ctx) => {
    const found = await details(ctx, ctx.params.uid ?? '');
    await readForm(ctx, abortForm, found.uid);
    await finish(
      ctx,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      false,
    );
  });

  return router;
}
