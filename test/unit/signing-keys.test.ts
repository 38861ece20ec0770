import { describe, expect, it } from '@jest/globals';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';
import {
  ensureSigningKeys,
  generateSigningKey,
  keySetVersion,
  pruneExpiredKeys,
  rotateSigningKeys,
  toProviderJwks,
} from '../../src/oidc/signing-keys.ts';

const HOUR = 3_600_000;
const policy = {
  algorithms: ['ES256', 'RS256'] as const,
  publishLeadSeconds: 3600,
  maxTokenLifetimeSeconds: 7200,
};

describe('signing keys', () => {
  it('generates keys whose kid is their RFC 7638 thumbprint, with alg and use set', () => {
    for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA'] as const) {
      const key = generateSigningKey(alg, 0);
      expect(key.privateJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
      expect(key.kid).toMatch(/^[\w-]{43}$/);
      expect(key.privateJwk).toHaveProperty('d');
    }
  });

  it('creates one key per algorithm on first start and none on the next', async () => {
    const store = createMemoryStore();
    const first = await ensureSigningKeys(store.keys, ['ES256', 'RS256', 'EdDSA'], 1000);
    expect(first.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    const second = await ensureSigningKeys(store.keys, ['ES256', 'RS256', 'EdDSA'], 2000);
    expect(second.map((k) => k.kid)).toEqual(first.map((k) => k.kid));
  });

  it('publishes a rotated key at once but signs with it only after the publish lead', async () => {
    const store = createMemoryStore();
    const t0 = 10 * HOUR;
    const [oldEs] = await ensureSigningKeys(store.keys, ['ES256'], t0);
    const rotation = await rotateSigningKeys(store.keys, { ...policy, algorithms: ['ES256'] }, t0);
    const newKid = rotation.added[0]?.kid;
    expect(rotation.retired).toEqual([
      { kid: oldEs?.kid, alg: 'ES256', retiredAt: t0 + HOUR, expiresAt: t0 + 3 * HOUR },
    ]);

    const keys = await store.keys.list();
    const before = toProviderJwks(keys, t0 + HOUR / 2).keys;
    expect(before.map((k) => k.kid)).toEqual([oldEs?.kid, newKid]);
    expect(before[0]).not.toHaveProperty('key_ops');
    expect(before[1]).toMatchObject({ key_ops: ['verify'] });

    const after = toProviderJwks(keys, t0 + HOUR + 1).keys;
    expect(after.map((k) => k.kid)).toEqual([newKid, oldEs?.kid]);
    expect(after[0]).not.toHaveProperty('key_ops');
    expect(after[1]).toMatchObject({ key_ops: ['verify'] });

    // Past the old key's expiry it leaves the JWKS and prune deletes it.
    expect(toProviderJwks(keys, t0 + 3 * HOUR + 1).keys.map((k) => k.kid)).toEqual([newKid]);
    expect(await pruneExpiredKeys(store.keys, t0 + 3 * HOUR + 1)).toEqual([oldEs?.kid]);
  });

  it('changes the key-set version exactly when a key changes role', async () => {
    const store = createMemoryStore();
    const t0 = 10 * HOUR;
    await ensureSigningKeys(store.keys, ['ES256'], t0);
    await rotateSigningKeys(store.keys, { ...policy, algorithms: ['ES256'] }, t0);
    const keys = await store.keys.list();
    expect(keySetVersion(keys, t0 + 1)).toBe(keySetVersion(keys, t0 + HOUR - 1));
    expect(keySetVersion(keys, t0 + HOUR + 1)).not.toBe(keySetVersion(keys, t0 + HOUR - 1));
  });

  it('never puts private key material in the public JWKS shape it hands out for verification', () => {
    const key = generateSigningKey('ES256', 0);
    const jwks = toProviderJwks([key], 1);
    // The provider strips private members itself when publishing; we only check we hand it one key per record.
    expect(jwks.keys).toHaveLength(1);
  });
});
