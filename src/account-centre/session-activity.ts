import { createHash, randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AccountService } from '../accounts/account-service.ts';
import type { Config } from '../config/schema.ts';
import type { AccountEmails } from '../email/account-emails.ts';
import type { Logger } from '../logging/logger.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { Store } from '../storage/ports.ts';
import { deviceLabel } from '../ui/device-label.ts';
import { localise } from '../ui/localise.ts';
import { requestLanguage } from '../ui/i18n/request-language.ts';

interface AuthorizationContext {
  oidc?: {
    route?: string;
    session?: { uid?: unknown; accountId?: unknown; loginTs?: unknown };
    result?: { login?: unknown };
  };
}

// A year: long enough to recognise a returning browser; the cookie identifies a browser, never a user.
const DEVICE_COOKIE_MAX_AGE_MS = 365 * 86_400_000;
const DEVICE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/**
 * A provider hook on the authorization endpoint and its resume step (issue 15): the engine's
 * Session names its user and sign-in time only, so this records each session's device (user
 * agent) and approximate address and when it was last used, for the sessions page. When a
 * sign-in completes (`resume` with a login result) it also recognises the browser by a
 * long-lived, HttpOnly device cookie, and the first sign-in of an account from a browser it has
 * not used before sends "new sign-in to your account" (`account.newDeviceAlerts`; OWASP
 * Authentication Cheat Sheet: notify users of logins from new devices). Never fails the
 * authorization: a store error is logged, the response goes on.
 */
export function sessionActivity(deps: {
  config: Config;
  store: Pick<Store, 'accountDevices'>;
  accounts: Pick<AccountService, 'findById'>;
  emails: AccountEmails;
  events: SecurityEvents;
  log: Logger;
  now?: () => number;
}): Middleware {
  const now = deps.now ?? Date.now;
  const { config } = deps;
  const https = config.server.issuer.startsWith('https:');
  const cookieName = https ? '__Host-device' : 'device';
  const issuer = config.server.issuer.replace(/\/+$/, '');

  async function newDeviceCheck(
    ctx: Parameters<Middleware>[0],
    accountId: string,
    userAgent: string | undefined,
  ): Promise<void> {
    let device = ctx.cookies.get(cookieName, { signed: true });
    if (device === undefined || !DEVICE_VALUE.test(device)) {
      device = randomBytes(32).toString('base64url');
    }
    ctx.cookies.set(cookieName, device, {
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      path: '/',
      maxAge: DEVICE_COOKIE_MAX_AGE_MS,
      overwrite: true,
    });
    const hash = createHash('sha256').update(device).digest('base64url');
    const isNew = await deps.store.accountDevices.rememberDevice(accountId, hash, now());
    if (!isNew) return;
    await deps.events.record({ type: 'device.new', subject: accountId });
    if (!config.account.newDeviceAlerts) return;
    const account = await deps.accounts.findById(accountId);
    if (account?.email === undefined) return;
    const lang = requestLanguage(ctx);
    deps.emails.send(
      account.email,
      {
        lang,
        productName: config.ui.productName,
        account: account.username,
        name: typeof account.claims.name === 'string' ? account.claims.name : account.username,
      },
      {
        name: 'new-device',
        link: `${issuer}/account/sessions`,
        time: now(),
        device: deviceLabel(userAgent, localise(lang).t),
        address: ctx.ip,
      },
    );
  }

  return async function sessionActivityHook(ctx, next) {
    await next();
    const { oidc } = ctx as unknown as AuthorizationContext;
    if (oidc?.route !== 'resume' && oidc?.route !== 'authorization') return;
    // Only answers that went on to the client (a redirect), not errors or the login page.
    if (ctx.status !== 302 && ctx.status !== 303) return;
    const uid = oidc.session?.uid;
    const accountId = oidc.session?.accountId;
    if (typeof uid !== 'string' || typeof accountId !== 'string') return;
    const userAgent = ctx.get('user-agent').slice(0, 512) || undefined;
    const at = now();
    try {
      await deps.store.accountDevices.recordSession({
        sessionUid: uid,
        accountId,
        userAgent,
        ip: ctx.ip,
        signedInAt: typeof oidc.session?.loginTs === 'number' ? oidc.session.loginTs * 1000 : at,
        lastUsedAt: at,
        expiresAt: at + config.ttl.session * 1000,
      });
      if (oidc.route === 'resume' && oidc.result?.login !== undefined)
        await newDeviceCheck(ctx, accountId, userAgent);
    } catch (err) {
      deps.log.warn(
        { err, event: 'session_activity.not_recorded' },
        'session activity not recorded',
      );
    }
  };
}
