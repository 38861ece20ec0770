import type { Logger } from '../logging/logger.ts';
import { emailMessage, type EmailContext, type EmailInput } from '../ui/email-messages.ts';
import type { EmailRenderer } from '../ui/render-email.ts';
import type { Mailer } from './create-mailer.ts';

/** Sends the account lifecycle's messages: rendered in the user's language, then queued. */
export interface AccountEmails {
  /** Returns at once; rendering and delivery happen in the background (never blocks a page). */
  send(to: string, context: EmailContext, input: EmailInput): void;
  /** Resolves once every message handed over so far was sent or given up (tests, shutdown). */
  idle(): Promise<void>;
}

export function createAccountEmails(deps: {
  render: EmailRenderer;
  mailer: Mailer;
  log: Logger;
}): AccountEmails {
  const rendering = new Set<Promise<void>>();
  return {
    send(to, context, input) {
      const job = deps
        .render(emailMessage(context, input))
        .then((rendered) =>
          deps.mailer.send({ to, kind: input.name, lang: context.lang, ...rendered }),
        )
        .catch((err: unknown) => {
          deps.log.error({ err, event: 'email.render_failed', kind: input.name }, 'email not sent');
        })
        .finally(() => rendering.delete(job));
      rendering.add(job);
    },
    async idle() {
      await Promise.all([...rendering]);
      await deps.mailer.idle();
    },
  };
}
