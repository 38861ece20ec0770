/**
 * Email delivery (issue 15 item 1) against a real SMTP server (test/helpers/smtp-sink.ts): the
 * messages arrive with a text and an HTML body in the user's language, sending never waits for
 * the server, failures are retried and then counted, and the log transport sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { createAccountEmails } from '../../src/email/account-emails.ts';
import { createMailer, type EmailOutcome } from '../../src/email/create-mailer.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createEmailRenderer } from '../../src/ui/render-email.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const VIEWS = fileURLToPath(new URL('../../views/', import.meta.url));
const render = createEmailRenderer({ viewsDir: VIEWS, cache: true });

function emailConfig(overrides: Record<string, string>): Config['email'] {
  const result = loadConfig({ NODE_ENV: 'test', ...overrides });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config.email;
}

const context = { lang: 'en', productName: 'Portcullis', account: 'alice', name: 'Alice' };

describe('email delivery over SMTP', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers a reset message with a text and an HTML body and the link in both', async () => {
    const outcomes: EmailOutcome[] = [];
    const mailer = createMailer({
      config: emailConfig({
        EMAIL_TRANSPORT: 'smtp',
        SMTP_URL: sink.url,
        SMTP_REQUIRE_TLS: 'false',
        EMAIL_FROM: 'Portcullis <no-reply@example.com>',
      }),
      log: createLogger({ level: 'silent' }),
      count: (outcome) => outcomes.push(outcome),
    });
    const emails = createAccountEmails({ render, mailer, log: createLogger({ level: 'silent' }) });
    const link = 'https://id.example.com/reset-password?token=abc&x=<1>';
    emails.send('alice@example.com', context, { name: 'password-reset', link, minutes: 15 });
    await emails.idle();
    const message = await sink.waitFor('alice@example.com');
    expect(message.from).toBe('no-reply@example.com');
    expect(message.subject).toBe('Reset your Portcullis password');
    expect(message.text).toContain('Hello Alice,');
    expect(message.text).toContain(link);
    expect(message.text).toContain('15 minutes');
    // The HTML escapes the link (its `<`), and still links to it.
    expect(message.html).toContain(
      'href="https://id.example.com/reset-password?token=abc&amp;x=&lt;1&gt;"',
    );
    expect(message.html).not.toContain('<1>');
    expect(message.headers.get('content-language')).toBe('en');
    expect(outcomes).toEqual(['sent']);
    mailer.close();
  });

  it('writes German messages for German users', async () => {
    const mailer = createMailer({
      config: emailConfig({
        EMAIL_TRANSPORT: 'smtp',
        SMTP_URL: sink.url,
        SMTP_REQUIRE_TLS: 'false',
      }),
      log: createLogger({ level: 'silent' }),
    });
    const emails = createAccountEmails({ render, mailer, log: createLogger({ level: 'silent' }) });
    emails.send(
      'bob@example.com',
      { ...context, lang: 'de', account: 'bob', name: 'Bob' },
      {
        name: 'new-device',
        link: 'https://id.example.com/account/sessions',
        time: Date.UTC(2026, 0, 2, 3, 4),
        device: 'Firefox unter Linux',
        address: '192.0.2.1',
      },
    );
    await emails.idle();
    const message = await sink.waitFor('bob@example.com');
    expect(message.subject).toBe('Neue Anmeldung bei Ihrem Konto bei Portcullis');
    expect(message.text).toContain('Guten Tag Bob,');
    expect(message.text).toContain('Gerät: Firefox unter Linux');
    expect(message.html).toContain('<html lang="de">');
    mailer.close();
  });

  it('returns at once, retries a refused delivery and then delivers it', async () => {
    const outcomes: EmailOutcome[] = [];
    const mailer = createMailer({
      config: emailConfig({
        EMAIL_TRANSPORT: 'smtp',
        SMTP_URL: sink.url,
        SMTP_REQUIRE_TLS: 'false',
        EMAIL_RETRY_DELAY_MS: '20',
      }),
      log: createLogger({ level: 'silent' }),
      count: (outcome) => outcomes.push(outcome),
    });
    sink.refuseNext(2);
    const started = Date.now();
    mailer.send({
      to: 'carol@example.com',
      kind: 'test',
      lang: 'en',
      subject: 's',
      text: 't',
      html: '<p>t</p>',
    });
    expect(Date.now() - started).toBeLessThan(50);
    await sink.waitFor('carol@example.com');
    await mailer.idle();
    expect(outcomes).toEqual(['retried', 'retried', 'sent']);
    mailer.close();
  });

  it('gives up after email.attempts, logging and counting the failure', async () => {
    const outcomes: EmailOutcome[] = [];
    const lines: string[] = [];
    const log = createLogger({
      level: 'warn',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    // Nothing listens on port 1: every attempt fails to connect.
    const mailer = createMailer({
      config: emailConfig({
        EMAIL_TRANSPORT: 'smtp',
        SMTP_URL: 'smtp://127.0.0.1:1',
        SMTP_REQUIRE_TLS: 'false',
        EMAIL_ATTEMPTS: '2',
        EMAIL_RETRY_DELAY_MS: '10',
      }),
      log,
      count: (outcome) => outcomes.push(outcome),
    });
    mailer.send({
      to: 'dan@example.com',
      kind: 'test',
      lang: 'en',
      subject: 's',
      text: 't',
      html: 't',
    });
    await mailer.idle();
    expect(outcomes).toEqual(['retried', 'failed']);
    expect(lines.join('')).toContain('"event":"email.failed"');
    mailer.close();
  });
});

describe('email delivery to the log (development)', () => {
  it('sends nothing and logs the message with its link', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const outcomes: EmailOutcome[] = [];
    const mailer = createMailer({
      config: emailConfig({ EMAIL_TRANSPORT: 'log' }),
      log,
      count: (o) => outcomes.push(o),
    });
    const emails = createAccountEmails({ render, mailer, log });
    emails.send('erin@example.com', context, {
      name: 'email-verification',
      link: 'https://id.example.com/verify-email?token=xyz',
      email: 'erin@example.com',
      hours: 24,
    });
    await emails.idle();
    expect(outcomes).toEqual(['logged']);
    expect(lines.join('')).toContain('verify-email?token=xyz');
  });
});

describe('email delivery to the log in production', () => {
  it('logs that a message was not sent, never its text or link', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const mailer = createMailer({
      config: emailConfig({ EMAIL_TRANSPORT: 'log' }),
      log,
      production: true,
    });
    mailer.send({
      to: 'frank@example.com',
      kind: 'password-reset',
      lang: 'en',
      subject: 'Reset',
      text: 'https://id.example.com/reset-password?token=secret',
      html: '',
    });
    await mailer.idle();
    expect(lines.join('')).toContain('"event":"email.not_sent"');
    expect(lines.join('')).not.toContain('token=secret');
    expect(lines.join('')).not.toContain('frank@example.com');
  });
});
