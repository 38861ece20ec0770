import type { Middleware } from 'koa';
import type { MfaService } from '../mfa/mfa-service.ts';
import { summarizeFactors } from '../mfa/factor-summary.ts';
import type { Provider } from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import type { Config } from '../config/schema.ts';
import { createAccountEmails, type AccountEmails } from '../email/account-emails.ts';
import { createMailer, type EmailOutcome } from '../email/create-mailer.ts';
import { createCsrf } from '../interactions/csrf.ts';
import type { Logger } from '../logging/logger.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { OnSessionsEnding } from '../security/sessions-ending-hook.ts';
import type { Store } from '../storage/ports.ts';
import { createEmailRenderer } from '../ui/render-email.ts';
import type { ViewRenderer } from '../ui/render-view.ts';
import { createAccountLifecycle, type AccountLifecycle } from './account-lifecycle.ts';
import { accountRouter } from './account-router.ts';
import { createAccountSelfService, type AccountSelfService } from './account-self-service.ts';
import { createAccountSignIn } from './account-sign-in.ts';
import { sessionActivity } from './session-activity.ts';

export interface AccountCentre {
  emails: AccountEmails;
  lifecycle: AccountLifecycle;
  selfService: AccountSelfService;
  /** The pages, for the host app (/account and /forgot-password only with `account.selfService`). */
  routes: Middleware;
  /** The provider hook recording sessions' devices (always on: admins list sessions too). */
  sessionActivity: Middleware;
  close(): void;
}

/** Builds the account lifecycle (issue 15) from the server's services; no I/O happens here. */
export function createAccountCentre(deps: {
  config: Config;
  log: Logger;
  store: Store;
  accounts: AccountService;
  events: SecurityEvents;
  cookieKeys: readonly string[];
  viewsDir: string;
  render: ViewRenderer;
  provider: () => Provider;
  onSessionsEnding?: OnSessionsEnding | undefined;
  now?: () => number;
  countEmail?: ((outcome: EmailOutcome) => void) | undefined;
  /** Removes a second factor with its security event (src/mfa/mfa-service.ts). */
  mfa: Pick<MfaService, 'removeTotp' | 'removePasskey'>;
}): AccountCentre {
  const { config, log, store } = deps;
  const [pseudonymKey] = deps.cookieKeys;
  if (pseudonymKey === undefined) throw new Error('the account centre needs a cookie key');
  const mailer = createMailer({
    config: config.email,
    log,
    count: deps.countEmail,
    production: config.env === 'production',
  });
  const emails = createAccountEmails({
    render: createEmailRenderer({
      viewsDir: deps.viewsDir,
      templatesDir: config.ui.templatesDir,
      cache: config.env !== 'development',
    }),
    mailer,
    log,
  });
  const lifecycle = createAccountLifecycle({
    config,
    store,
    accounts: deps.accounts,
    emails,
    events: deps.events,
    // The server's account service tells the apps of the sessions a deletion ends.
    pseudonymKey,
    now: deps.now,
  });
  const selfService = createAccountSelfService({
    store,
    accounts: deps.accounts,
    events: deps.events,
    onSessionsEnding: deps.onSessionsEnding,
    now: deps.now,
  });
  // Always mounted: reset, invitation and confirmation links work even when the self-service
  // pages (`account.selfService`) are off; the router leaves those out then.
  const router = accountRouter({
    config,
    lifecycle,
    selfService,
    signIn: createAccountSignIn({
      provider: deps.provider,
      accounts: deps.accounts,
      issuer: config.server.issuer,
      https: config.server.issuer.startsWith('https:'),
    }),
    render: deps.render,
    csrf: createCsrf(deps.cookieKeys),
    counters: store.counters,
    log,
    factors: {
      summary: (accountId) => summarizeFactors(store.credentials, accountId),
      removeTotp: (accountId) => deps.mfa.removeTotp(accountId),
      removePasskey: (accountId, id) => deps.mfa.removePasskey(accountId, id),
    },
    now: deps.now,
  });
  return {
    emails,
    lifecycle,
    selfService,
    // The router adds its params to the context; the host app sees an ordinary middleware.
    routes: router.routes() as Middleware,
    sessionActivity: sessionActivity({
      config,
      store,
      accounts: deps.accounts,
      emails,
      events: deps.events,
      log,
      now: deps.now,
    }),
    close: () => mailer.close(),
  };
}
