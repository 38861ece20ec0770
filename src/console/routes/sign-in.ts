import type { Router } from '@koa/router';
import type { Context } from 'koa';
import {
  clearSession,
  CONSOLE_PATH,
  ConsoleSignInError,
  ensureConsoleClient,
  finishSignIn,
  newSessionId,
  safeReturn,
  startSignIn,
  writeSession,
} from '../console-auth.ts';
import type { AdmissionCandidate } from '../console-admission.ts';
import type { ConsoleKit } from '../console-kit.ts';
import { consoleMessages } from '../console-messages.ts';

/** The 403 page: no navigation, no names (who may enter: console-admission.ts). */
export function forbidden(kit: ConsoleKit, ctx: Context): Promise<void> {
  const t = consoleMessages(kit.languageOf(ctx));
  return kit.bare(ctx, 403, { heading: t.forbiddenTitle, text: [t.forbidden] });
}

/** Paths the guard lets through without a console session. */
export const OPEN_PATHS = ['/login', '/callback', '/signed-out'].map((p) => `${CONSOLE_PATH}${p}`);

/**
 * Sign-in through this server as a relying party (code + PKCE, console-auth.ts), the callback
 * that checks who signed in, and sign-out.
 */
export function signInRoutes(
  router: Router,
  kit: ConsoleKit,
  admitted: (account: AdmissionCandidate | undefined) => Promise<boolean>,
): void {
  const { deps } = kit;
  const issuer = deps.config.server.issuer;

  router.get('/login', async (ctx) => {
    await ensureConsoleClient(deps.oidc, issuer);
    const maxAge =
      typeof ctx.query.max_age === 'string' && /^\d{1,5}$/.test(ctx.query.max_age)
        ? Number(ctx.query.max_age)
        : undefined;
    ctx.redirect(startSignIn(ctx, { issuer, returnTo: safeReturn(ctx.query.return), maxAge }));
  });

  router.get('/callback', async (ctx) => {
    const t = consoleMessages(kit.languageOf(ctx));
    let result: Awaited<ReturnType<typeof finishSignIn>>;
    try {
      result = await finishSignIn(ctx, { issuer, verificationKeys: deps.verificationKeys });
    } catch (err) {
      if (!(err instanceof ConsoleSignInError)) throw err;
      deps.log.info(
        { event: 'console.sign_in_failed', reason: err.message },
        'console sign-in failed',
      );
      return kit.bare(ctx, 400, {
        heading: t.errorTitle,
        text: [err.message],
        links: [{ href: `${CONSOLE_PATH}/login`, label: t.signInAgain }],
      });
    }
    const account = await deps.accounts.findById(result.sub);
    if (!account || !(await admitted(account))) {
      clearSession(ctx);
      return forbidden(kit, ctx);
    }
    writeSession(ctx, {
      sid: newSessionId(),
      sub: account.id,
      username: account.username,
      authTime: result.authTime,
      exp: kit.now() + deps.config.console.sessionSeconds * 1000,
    });
    ctx.redirect(result.returnTo);
  });

  router.get('/signed-out', async (ctx) => {
    const t = consoleMessages(kit.languageOf(ctx));
    await kit.bare(ctx, 200, {
      heading: t.signedOutTitle,
      links: [{ href: `${CONSOLE_PATH}/login`, label: t.signInAgain }],
    });
  });

  router.post('/logout', (ctx) => {
    clearSession(ctx);
    ctx.status = 303;
    ctx.redirect(`${CONSOLE_PATH}/signed-out`);
  });
}
