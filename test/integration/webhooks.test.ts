import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '../helpers/backchannel-receiver.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { SQLITE_FILE_NAME } from '../../src/storage/create-store.ts';
import { tempDir } from '../helpers/test-server.ts';
import { startAdminServer, type AdminFixture } from './admin-fixtures.ts';

/**
 * Webhooks (issue 17): admins register endpoints through the admin API; security and admin
 * events are POSTed through the outbox, signed per Standard Webhooks — checked here with the
 * `standardwebhooks` library a receiver would use, never with our own code — retried, and kept
 * from private addresses unless allowed (the SSRF rules of back-channel logout).
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let f: AdminFixture;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  f = await startAdminServer({
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_DELAY_MS: '100',
    WEBHOOK_ATTEMPTS: '3',
    OUTBOX_POLL_INTERVAL_MS: '100',
  });
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
  await receiver?.close();
});

interface Message {
  type: string;
  timestamp: string;
  data: { id: string; type: string; subject: string | null; actor: string | null };
}

async function register(path: string, events: string[]) {
  const res = await f.api('POST', '/webhooks', { url: `${receiver.url}${path}`, events });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string; url: string };
}

const at = (path: string) => receiver.received.filter((r) => r.path === path);

describe('webhooks', () => {
  it('POSTs a subscribed admin event signed so that a Standard Webhooks library verifies it', async () => {
    const endpoint = await register('/crm', ['admin.user.*']);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = await f.api('GET', '/webhooks?limit=100');
    expect(JSON.stringify(listed.body)).not.toContain(endpoint.secret);

    const created = await f.api('POST', '/users', {
      username: `hooked-${Date.now()}`,
      password: 'a long enough passphrase',
    });
    expect(created.status).toBe(201);
    await waitFor(() => at('/crm').length >= 1);
    const [message] = at('/crm');
    const headers = {
      'webhook-id': String(message?.headers['webhook-id']),
      'webhook-timestamp': String(message?.headers['webhook-timestamp']),
      'webhook-signature': String(message?.headers['webhook-signature']),
    };
    const verified = new Webhook(endpoint.secret).verify(message?.body ?? '', headers) as Message;
    expect(verified.type).toBe('admin.user.created');
    expect(verified.data.subject).toBe(created.body.id);
    expect(message?.headers['content-type']).toBe('application/json');
    // Another secret does not verify it (the check can fail).
    const other = await register('/other', ['nothing.sent']);
    expect(() => new Webhook(other.secret).verify(message?.body ?? '', headers)).toThrow();
    // A changed body does not verify either.
    expect(() =>
      new Webhook(endpoint.secret).verify((message?.body ?? '').replace('admin', 'xdmin'), headers),
    ).toThrow();
  });

  it('sends only the types an endpoint subscribed to', async () => {
    await register('/locks', ['login.locked']);
    await f.api('POST', '/users', {
      username: `not-sent-${Date.now()}`,
      password: 'a long enough passphrase',
    });
    await sleep(500);
    expect(at('/locks')).toEqual([]);
  });

  it('retries a failed message with the same webhook-id and a fresh signature, then delivers it', async () => {
    const endpoint = await register('/flaky', ['admin.user.disabled']);
    receiver.answers.set('/flaky', [503, 500, 204]);
    const user = await f.api('POST', '/users', {
      username: `flaky-${Date.now()}`,
      password: 'a long enough passphrase',
    });
    await f.api('POST', `/users/${String(user.body.id)}/disable`);
    await waitFor(() => at('/flaky').length >= 3);
    await sleep(300);
    const attempts = at('/flaky');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    for (const a of attempts) {
      const verified = new Webhook(endpoint.secret).verify(a.body, {
        'webhook-id': String(a.headers['webhook-id']),
        'webhook-timestamp': String(a.headers['webhook-timestamp']),
        'webhook-signature': String(a.headers['webhook-signature']),
      }) as Message;
      expect(verified.type).toBe('admin.user.disabled');
    }
    const waiting = await f.api('GET', `/deliveries?target=${endpoint.id}`);
    expect((waiting.body.items as unknown[]).length).toBe(0);
  });

  it('lists a message that used its budget as a dead letter and retries it on request', async () => {
    const endpoint = await register('/dead', ['admin.user.enabled']);
    receiver.answers.set('/dead', [500]);
    const user = await f.api('POST', '/users', {
      username: `dead-${Date.now()}`,
      password: 'a long enough passphrase',
    });
    await f.api('POST', `/users/${String(user.body.id)}/disable`);
    await f.api('POST', `/users/${String(user.body.id)}/enable`);
    await waitFor(() => at('/dead').length >= 3, 5000);
    await sleep(300);
    const dead = await f.api('GET', `/deliveries?state=dead&target=${endpoint.id}`);
    const items = dead.body.items as { id: string; attempts: number; last_status: number }[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ attempts: 3, last_status: 500 });
    expect(JSON.stringify(dead.body)).not.toContain('"body"');

    const notDead = await f.api('POST', `/deliveries/msg_${'0'.repeat(20)}/retry`);
    expect(notDead.status).toBe(404);
    receiver.answers.set('/dead', [204]);
    const retried = await f.api('POST', `/deliveries/${items[0]?.id ?? ''}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.state).toBe('pending');
    expect((await f.api('POST', `/deliveries/${items[0]?.id ?? ''}/retry`)).status).toBe(409);
    await waitFor(() => at('/dead').length >= 4, 3000);
    expect(at('/dead')).toHaveLength(4);
    const audit = await f.api('GET', '/audit-events?type=admin.delivery.retried');
    expect(JSON.stringify(audit.body)).toContain(items[0]?.id ?? 'none');
  });

  it('refuses an endpoint with a bad URL or event pattern, and stores nothing', async () => {
    const before = await f.api('GET', '/webhooks?limit=100');
    for (const body of [
      { url: 'ftp://files.example.com/', events: ['*'] },
      { url: 'https://user:pw@hooks.example.com/', events: ['*'] },
      { url: 'https://hooks.example.com/#x', events: ['*'] },
      { url: 'not a url', events: ['*'] },
      { url: 'https://hooks.example.com/', events: [] },
      { url: 'https://hooks.example.com/', events: ['Bad Pattern!'] },
      { url: 'https://hooks.example.com/', events: ['*'], secret: 'whsec_mine' },
      { url: ['https://hooks.example.com/'], events: ['*'] },
    ]) {
      const res = await f.api('POST', '/webhooks', body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({
        body,
        status: 400,
        error: 'invalid_input',
      });
    }
    const after = await f.api('GET', '/webhooks?limit=100');
    expect(after.body.items).toEqual(before.body.items);
  });
});

describe('webhooks and private networks (SSRF rules of back-channel logout)', () => {
  it('never delivers to a loopback receiver unless private networks are allowed', async () => {
    const guarded = await startAdminServer({
      WEBHOOK_RETRY_DELAY_MS: '100',
      WEBHOOK_ATTEMPTS: '2',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    try {
      const created = await guarded.api('POST', '/webhooks', {
        url: `${receiver.url}/internal`,
        events: ['admin.user.created'],
      });
      expect(created.status).toBe(201);
      await guarded.api('POST', '/users', {
        username: `ssrf-${Date.now()}`,
        password: 'a long enough passphrase',
      });
      await sleep(800);
      expect(at('/internal')).toEqual([]);
      const items = (await guarded.api('GET', `/deliveries?target=${String(created.body.id)}`)).body
        .items as { last_error: string | null }[];
      expect(items).toHaveLength(1);
      expect(items[0]?.last_error).toMatch(/special-use|SSRF/);
    } finally {
      await guarded.server.stop({ graceMs: 100 });
    }
  });
});

describe('webhooks and their events are one write (transactional outbox)', () => {
  it('stores neither the event nor its webhook when the outbox write fails, and both once it works', async () => {
    const data = tempDir('portcullis-webhook-atomic-');
    const sqlite = await startAdminServer({
      STORE: 'sqlite',
      DATA_DIR: data.path,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    // A second connection on the server's file, as an operator's sqlite3 shell would be.
    const file = new DatabaseSync(join(data.path, SQLITE_FILE_NAME));
    try {
      const endpoint = await sqlite.api('POST', '/webhooks', {
        url: `${receiver.url}/atomic`,
        events: ['admin.user.created'],
      });
      expect(endpoint.status).toBe(201);
      // A real failure of the second write: the database refuses every outbox row.
      file.exec(
        `CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox
         BEGIN SELECT RAISE(ABORT, 'outbox refuses'); END`,
      );
      const failed = await sqlite.api('POST', '/users', {
        username: `atomic-${Date.now()}`,
        password: 'a long enough passphrase',
      });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      const events = () =>
        file
          .prepare(`SELECT subject FROM events WHERE type = 'admin.user.created'`)
          .all()
          .map((row) => row.subject);
      // No event without its webhook: the event was rolled back with it.
      expect(events()).toEqual([]);
      expect(file.prepare('SELECT count(*) AS n FROM outbox').get()?.n).toBe(0);

      file.exec('DROP TRIGGER outbox_refuses');
      const created = await sqlite.api('POST', '/users', {
        username: `atomic-ok-${Date.now()}`,
        password: 'a long enough passphrase',
      });
      expect(created.status).toBe(201);
      expect(events()).toEqual([created.body.id]);
      await waitFor(() => at('/atomic').length >= 1);
      await sleep(300);
      expect(at('/atomic')).toHaveLength(1);
      expect(at('/atomic')[0]?.body).toContain(String(created.body.id));
    } finally {
      file.close();
      await sqlite.server.stop({ graceMs: 100 });
      data.remove();
    }
  });
});
