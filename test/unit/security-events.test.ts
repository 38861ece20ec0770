import { describe, expect, it } from '@jest/globals';
import { parseSince, typeFilter } from '../../src/cli/events-commands.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createSecurityEvents } from '../../src/security/security-events.ts';
import { createMemoryEventStore } from '../../src/storage/memory/create-memory-event-store.ts';
import { createMemoryOutboxStore } from '../../src/storage/memory/create-memory-outbox-store.ts';

describe('security event records (ASVS 16.2.5, 16.3.x)', () => {
  it('fills in time, id and the request context, and drops detail keys that could hold a secret', async () => {
    const store = createMemoryEventStore(createMemoryOutboxStore(Date.now));
    const events = createSecurityEvents({
      store,
      log: createLogger({ level: 'silent' }),
      now: () => 1_700_000_000_000,
      context: () => ({ ip: '192.0.2.1', userAgent: 'UA/1', requestId: 'req-12345678' }),
      defaultActor: 'system',
    });
    await events.record({
      type: 'login.failed',
      subject: 'sub-1',
      details: {
        reason: 'wrong_password',
        password: 'hunter2',
        refresh_token: 'rt',
        client_secret: 's',
        code: 'c',
        attempt: 2,
      },
    });
    const [event] = (await store.list({}, { limit: 10 })).items;
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{9}-[0-9a-f]{16}$/),
      time: 1_700_000_000_000,
      type: 'login.failed',
      subject: 'sub-1',
      actor: 'system',
      ip: '192.0.2.1',
      userAgent: 'UA/1',
      requestId: 'req-12345678',
      details: { reason: 'wrong_password', attempt: 2 },
    });
  });

  it('stores text a client chooses with terminal control characters made visible, not raw', async () => {
    const store = createMemoryEventStore(createMemoryOutboxStore(Date.now));
    const events = createSecurityEvents({ store, log: createLogger({ level: 'silent' }) });
    await events.record({
      type: 'client_auth.failed',
      clientId: 'evil\u001b[2J\u0007\u009b31m\u202e',
      userAgent: 'UA\r\n/1',
      details: { endpoint: '/token\u0000' },
    });
    const [event] = (await store.list({}, { limit: 10 })).items;
    expect(event?.clientId).toBe('evil\\x1b[2J\\x07\\x9b31m\\u202e');
    expect(event?.userAgent).toBe('UA\\r\\n/1');
    expect(event?.details?.endpoint).toBe('/token\\x00');
    expect(`${event?.clientId ?? ''}${event?.userAgent ?? ''}`).not.toMatch(
      // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
      /[\u0000-\u001f\u007f-\u009f]/,
    );
  });

  it('bounds text a client chooses (user agent) and never throws when the store fails', async () => {
    const events = createSecurityEvents({
      store: { append: async () => Promise.reject(new Error('disk full')) },
      log: createLogger({ level: 'silent' }),
    });
    await expect(
      events.record({ type: 'logout', userAgent: 'x'.repeat(10_000) }),
    ).resolves.toBeUndefined();
    const store = createMemoryEventStore(createMemoryOutboxStore(Date.now));
    await createSecurityEvents({ store, log: createLogger({ level: 'silent' }) }).record({
      type: 'logout',
      userAgent: 'x'.repeat(10_000),
    });
    expect((await store.list({}, { limit: 1 })).items[0]?.userAgent).toHaveLength(256);
  });
});

describe('`portcullis events list` options', () => {
  it('reads --since as an ISO time or an age', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(parseSince('24h', now, '')).toBe(now - 86_400_000);
    expect(parseSince('30m', now, '')).toBe(now - 1_800_000);
    expect(parseSince('7d', now, '')).toBe(now - 7 * 86_400_000);
    expect(parseSince('2025-05-01T00:00:00Z', now, '')).toBe(Date.parse('2025-05-01T00:00:00Z'));
    expect(parseSince(undefined, now, '')).toBeUndefined();
    expect(() => parseSince('yesterday', now, '')).toThrow('--since');
  });

  it('reads --type as one type or a family', () => {
    expect(typeFilter('login.failed')).toEqual({ type: 'login.failed' });
    expect(typeFilter('login.*')).toEqual({ typePrefix: 'login.' });
    expect(typeFilter('admin.')).toEqual({ typePrefix: 'admin.' });
  });
});
