import { describe, expect, it } from '@jest/globals';
import type { AdapterPayload } from 'oidc-provider';
import { bearerEntries, storedIdOf } from '../../src/oidc/bearer-entries.ts';
import { createStoreAdapterFactory } from '../../src/oidc/store-adapter.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';

const later = () => Date.now() + 60_000;

describe('bearer credentials stored under a hash of their id (issue 12, item 11)', () => {
  it('stores a refresh token under its hash, without the raw id in the payload, and finds it by the raw id', async () => {
    const store = createMemoryStore();
    const adapter = createStoreAdapterFactory(store.oidc)('RefreshToken');
    await adapter.upsert(
      'rt-raw-value-0123456789',
      { jti: 'rt-raw-value-0123456789', grantId: 'g1', kind: 'RefreshToken' } as AdapterPayload,
      60,
    );

    expect(await store.oidc.find('RefreshToken', 'rt-raw-value-0123456789')).toBeUndefined();
    const stored = await store.oidc.find(
      'RefreshToken',
      storedIdOf('RefreshToken', 'rt-raw-value-0123456789'),
    );
    expect(JSON.stringify(stored)).not.toContain('rt-raw-value-0123456789');
    expect(await adapter.find('rt-raw-value-0123456789')).toMatchObject({
      jti: 'rt-raw-value-0123456789',
      grantId: 'g1',
    });
  });

  it('does not take a stored id copied from a dump as the token', async () => {
    const store = createMemoryStore();
    const adapter = createStoreAdapterFactory(store.oidc)('AccessToken');
    await adapter.upsert('at-raw', { jti: 'at-raw', kind: 'AccessToken' } as AdapterPayload, 60);
    const storedId = storedIdOf('AccessToken', 'at-raw');

    expect(await adapter.find(storedId)).toBeUndefined();
    // Nor the hash of another model's value of the same text.
    expect(storedIdOf('RefreshToken', 'at-raw')).not.toBe(storedId);
  });

  it('keeps entries stored under their raw id before the upgrade usable, consumable once', async () => {
    const store = createMemoryStore();
    await store.oidc.upsert(
      'RefreshToken',
      'legacy-rt',
      { jti: 'legacy-rt', grantId: 'g-legacy', kind: 'RefreshToken' },
      later(),
    );
    await store.oidc.upsert('Grant', 'g-legacy', { jti: 'g-legacy' }, later());
    const adapter = createStoreAdapterFactory(store.oidc)('RefreshToken');

    expect(await adapter.find('legacy-rt')).toMatchObject({ jti: 'legacy-rt' });
    await adapter.consume('legacy-rt');
    expect((await adapter.find('legacy-rt'))?.consumed).toEqual(expect.any(Number));
    // A second consumption is a reuse: refused and the grant revoked (RFC 9700 §4.14.2).
    await expect(adapter.consume('legacy-rt')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await store.oidc.find('Grant', 'g-legacy')).toBeUndefined();
  });

  it('moves a legacy session under its hash when it is saved again', async () => {
    const store = createMemoryStore();
    await store.oidc.upsert(
      'Session',
      'legacy-session',
      { jti: 'legacy-session', uid: 'u1', accountId: 'a1' },
      later(),
    );
    const adapter = createStoreAdapterFactory(store.oidc)('Session');
    const found = await adapter.find('legacy-session');
    await adapter.upsert('legacy-session', { ...found, loginTs: 1 } as AdapterPayload, 60);

    expect(await store.oidc.find('Session', 'legacy-session')).toBeUndefined();
    expect(await store.oidc.findByAccountId('Session', 'a1', 10)).toEqual([
      {
        id: storedIdOf('Session', 'legacy-session'),
        payload: expect.objectContaining({ loginTs: 1 }),
      },
    ]);
  });

  it('saves a session found by uid under the id it is stored under', async () => {
    const store = createMemoryStore();
    const adapter = createStoreAdapterFactory(store.oidc)('Session');
    await adapter.upsert(
      'cookie-value',
      { jti: 'cookie-value', uid: 'u2', accountId: 'a2' } as AdapterPayload,
      60,
    );
    const byUid = await adapter.findByUid('u2');
    expect(byUid?.jti).toBe(storedIdOf('Session', 'cookie-value'));
    await adapter.upsert(String(byUid?.jti), { ...byUid, loginTs: 2 } as AdapterPayload, 60);

    expect(await store.oidc.findByAccountId('Session', 'a2', 10)).toHaveLength(1);
    expect(await adapter.find('cookie-value')).toMatchObject({ jti: 'cookie-value', loginTs: 2 });
  });

  it('keeps the session cookie value out of an interaction, naming the session by its stored id', async () => {
    const store = createMemoryStore();
    const entries = bearerEntries(store.oidc);
    await entries.upsert(
      'Interaction',
      'i1',
      { jti: 'i1', session: { uid: 'u3', cookie: 'session-cookie-value', accountId: 'a3' } },
      later(),
    );

    const stored = await store.oidc.find('Interaction', storedIdOf('Interaction', 'i1'));
    expect(JSON.stringify(stored)).not.toContain('session-cookie-value');
    expect((await entries.find('Interaction', 'i1'))?.session).toEqual({
      uid: 'u3',
      accountId: 'a3',
      cookie: storedIdOf('Session', 'session-cookie-value'),
    });
  });

  it('passes ids of other models through (Grant, Client, ReplayDetection)', async () => {
    const store = createMemoryStore();
    const factory = createStoreAdapterFactory(store.oidc);
    await factory('ReplayDetection').upsert(
      'replay-id',
      { jti: 'replay-id', iss: 'x' } as AdapterPayload,
      60,
    );
    await factory('Grant').upsert('grant-id', { jti: 'grant-id' } as AdapterPayload, 60);

    expect(await store.oidc.find('ReplayDetection', 'replay-id')).toEqual({
      jti: 'replay-id',
      iss: 'x',
    });
    expect(await store.oidc.find('Grant', 'grant-id')).toEqual({ jti: 'grant-id' });
  });
});
