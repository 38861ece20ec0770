import { fileURLToPath } from 'node:url';
import { createAccountLifecycle } from '../account-centre/account-lifecycle.ts';
import { createAccountSelfService } from '../account-centre/account-self-service.ts';
import { createAuditLog } from '../admin/audit-log.ts';
import {
  createUserLifecycleAdmin,
  type UserLifecycleAdmin,
} from '../admin/user-lifecycle-admin.ts';
import { createAccountEmails } from '../email/account-emails.ts';
import { createMailer } from '../email/create-mailer.ts';
import type { Services } from '../open-services.ts';
import { createBackchannelLogoutOnSessionEnd } from '../security/backchannel-logout-on-session-end.ts';
import { createLogoutTokenIssuer } from '../oidc/logout-token.ts';
import { createOutbox } from '../outbox/create-outbox.ts';
import { createEmailRenderer } from '../ui/render-email.ts';
import { buildCliProvider } from './open-client-service.ts';

const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

/**
 * The account lifecycle's admin operations over the CLI's store (issue 15 item 6), the same as
 * the admin API's: sessions end with back-channel logout (first attempt from this process, retries
 * by a server's outbox worker), emails go out
 * through `email.*`. `finish()` waits for queued emails (bounded) and closes the mailer.
 */
export async function openUserLifecycle(
  services: Services,
): Promise<{ admin: UserLifecycleAdmin; finish(): Promise<void> }> {
  const provider = await buildCliProvider(services);
  // Logout intents go to the store's outbox before sessions end; this process makes the first
  // attempt of each (its own outbox worker, no polling), and what fails waits for a server's.
  const outbox = createOutbox({
    config: services.config,
    outbox: services.store.outbox,
    events: services.events,
    log: services.log,
    now: services.now,
    issueLogoutToken: createLogoutTokenIssuer(() => provider),
  });
  const onSessionsEnding = createBackchannelLogoutOnSessionEnd({
    provider: () => provider,
    outbox: services.store.outbox,
    deliverNow: (id) => outbox.worker.deliverNow(id),
    log: services.log,
    now: services.now,
  });
  const mailer = createMailer({
    config: services.config.email,
    log: services.log,
    production: services.config.env === 'production',
  });
  const emails = createAccountEmails({
    render: createEmailRenderer({
      viewsDir: VIEWS_DIR,
      templatesDir: services.config.ui.templatesDir,
      cache: false,
    }),
    mailer,
    log: services.log,
  });
  const [pseudonymKey = ''] = services.cookieKeys;
  const lifecycle = createAccountLifecycle({
    config: services.config,
    store: services.store,
    accounts: services.accounts,
    emails,
    events: services.events,
    onSessionsEnding,
    pseudonymKey,
    now: services.now,
  });
  const selfService = createAccountSelfService({
    store: services.store,
    accounts: services.accounts,
    events: services.events,
    onSessionsEnding,
    now: services.now,
  });
  return {
    admin: createUserLifecycleAdmin({
      services: { lifecycle, selfService },
      audit: createAuditLog({ events: services.store.events, now: services.now }),
      exists: async (id) => (await services.store.accounts.findById(id)) !== undefined,
    }),
    async finish() {
      await Promise.race([
        emails.idle(),
        new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref()),
      ]);
      mailer.close();
    },
  };
}
