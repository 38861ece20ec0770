import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';

/** A message ready to send: both bodies already rendered (src/ui/email-message.ts). */
export interface OutgoingEmail {
  to: string;
  /** Which message this is (`password_reset`, …), for logs and metrics; never shown. */
  kind: string;
  subject: string;
  text: string;
  html: string;
  /** BCP 47 tag of the message's language (`Content-Language`, RFC 3282). */
  lang: string;
}

export type EmailOutcome = 'sent' | 'logged' | 'retried' | 'failed' | 'dropped';

export interface Mailer {
  /**
   * Queues the message and returns at once: no page waits for an SMTP server (issue 15 item 1).
   * Failed deliveries are retried in the background (`email.attempts`), then logged and counted.
   */
  send(email: OutgoingEmail): void;
  /** Resolves once every queued message was sent or given up (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops retrying and closes the SMTP connections. */
  close(): void;
}

// A queue no bigger than this: a flood of reset requests (each already throttled) must not grow
// the process's memory without bound while the SMTP server is down.
const MAX_QUEUED = 1000;

/** The nodemailer transport for `email.*`: SMTP, or nothing (the log transport). */
function smtpTransport(config: Config['email']): Transporter | undefined {
  if (config.transport !== 'smtp' || config.smtpUrl === undefined) return undefined;
  const secure = config.smtpUrl.startsWith('smtps:');
  return nodemailer.createTransport({
    url: config.smtpUrl,
    secure,
    // RFC 3207: with smtp://, insist on STARTTLS unless the operator said otherwise.
    requireTLS: !secure && config.requireTls,
    tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
    // Bounded waits: a stalled server costs one retry slot, never a hung queue.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

/**
 * Email delivery with nodemailer over SMTP, or to the log (`email.transport: log`, for
 * development: the message, links included, is logged instead of sent). Messages are queued in
 * this process and sent one after another; a failed delivery is retried `attempts - 1` more
 * times with doubling delays. A restart drops what is still queued (documented in
 * docs/account.md): links can always be requested again.
 */
export function createMailer(deps: {
  config: Config['email'];
  log: Logger;
  /** Told each outcome (`portcullis_emails_total`). */
  count?: ((outcome: EmailOutcome, kind: string) => void) | undefined;
  /**
   * `env: production`: the log transport logs that a message was not sent, never its text: a
   * reset link in a production log would let whoever reads the logs take over the account.
   */
  production?: boolean | undefined;
}): Mailer {
  const { config, log } = deps;
  const transport = smtpTransport(config);
  const count = deps.count ?? (() => undefined);
  const queue: { email: OutgoingEmail; attempt: number }[] = [];
  let running: Promise<void> | undefined;
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const waiters: (() => void)[] = [];

  const pending = () => queue.length + timers.size;
  const settle = () => {
    if (pending() === 0 && running === undefined) for (const w of waiters.splice(0)) w();
  };

  async function deliver(email: OutgoingEmail): Promise<void> {
    if (transport === undefined && deps.production === true) {
      log.warn(
        { event: 'email.not_sent', kind: email.kind },
        'email not sent: email.transport is log; set EMAIL_TRANSPORT=smtp and SMTP_URL',
      );
      count('logged', email.kind);
      return;
    }
    if (transport === undefined) {
      // Development only: the whole message, so a developer can follow the link.
      log.info(
        { event: 'email.logged', kind: email.kind, to: email.to, subject: email.subject },
        `email (not sent, email.transport is log):\n${email.text}`,
      );
      count('logged', email.kind);
      return;
    }
    await transport.sendMail({
      from: config.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: { 'Content-Language': email.lang, 'Auto-Submitted': 'auto-generated' },
    });
    log.info({ event: 'email.sent', kind: email.kind }, 'email sent');
    count('sent', email.kind);
  }

  async function drain(): Promise<void> {
    for (let job = queue.shift(); job !== undefined && !closed; job = queue.shift()) {
      try {
        await deliver(job.email);
      } catch (err) {
        const final = job.attempt >= config.attempts;
        log.warn(
          {
            event: final ? 'email.failed' : 'email.retry',
            kind: job.email.kind,
            attempt: job.attempt,
            reason: err instanceof Error ? err.message : 'unknown error',
          },
          final ? 'email could not be delivered; giving up' : 'email delivery failed; will retry',
        );
        count(final ? 'failed' : 'retried', job.email.kind);
        if (!final) {
          const next = { ...job, attempt: job.attempt + 1 };
          const timer = setTimeout(
            () => {
              timers.delete(timer);
              enqueue(next);
            },
            config.retryDelayMs * 2 ** (job.attempt - 1),
          );
          timer.unref();
          timers.add(timer);
        }
      }
    }
  }

  function enqueue(job: { email: OutgoingEmail; attempt: number }): void {
    if (closed) return;
    queue.push(job);
    if (running !== undefined) return;
    running = drain().finally(() => {
      running = undefined;
      if (queue.length > 0) enqueue(queue.shift() as (typeof queue)[number]);
      else settle();
    });
  }

  return {
    send(email) {
      if (queue.length >= MAX_QUEUED) {
        log.error(
          { event: 'email.dropped', kind: email.kind },
          'email queue full; message dropped',
        );
        count('dropped', email.kind);
        return;
      }
      enqueue({ email, attempt: 1 });
    },
    idle() {
      if (pending() === 0 && running === undefined) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      queue.length = 0;
      transport?.close();
      settle();
    },
  };
}
