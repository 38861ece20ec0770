/** The example API's own parts (examples/resource-server): its introspection cache and DPoP checks. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { createDpopProofChecker } from '../../examples/resource-server/src/dpop-proof.ts';
import {
  createIntrospectionCache,
  tokenKey,
} from '../../examples/resource-server/src/introspection-cache.ts';

describe('the introspection cache', () => {
  it("keeps an answer for its TTL, and never past the token's expiry", () => {
    let clock = 1_000_000;
    const cache = createIntrospectionCache<string>({
      ttlSeconds: 10,
      maxEntries: 10,
      now: () => clock,
    });
    cache.set('long-lived', 'a');
    cache.set('expiring', 'b', clock + 3000);
    clock += 2999;
    expect(cache.get('long-lived')).toBe('a');
    expect(cache.get('expiring')).toBe('b');
    clock += 1;
    expect(cache.get('expiring')).toBeUndefined();
    clock += 7000;
    expect(cache.get('long-lived')).toBeUndefined();
  });

  it('holds at most maxEntries answers, dropping the least recently used', () => {
    const cache = createIntrospectionCache<number>({ ttlSeconds: 60, maxEntries: 2 });
    cache.set('one', 1);
    cache.set('two', 2);
    expect(cache.get('one')).toBe(1);
    cache.set('three', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('two')).toBeUndefined();
    expect(cache.get('one')).toBe(1);
    expect(cache.get('three')).toBe(3);
  });

  it('caches nothing with a TTL of 0, and keys entries by a hash, never by the token', () => {
    const off = createIntrospectionCache<number>({ ttlSeconds: 0, maxEntries: 10 });
    off.set('t', 1);
    expect(off.get('t')).toBeUndefined();
    expect(tokenKey('secret-token')).not.toContain('secret-token');
    expect(tokenKey('secret-token')).toBe(
      createHash('sha256').update('secret-token').digest('base64url'),
    );
  });
});

describe('DPoP proofs (RFC 9449 §4.3)', () => {
  const url = 'https://api.example.com/orders';
  const accessToken = 'the-access-token';
  const ath = createHash('sha256').update(accessToken).digest('base64url');

  async function keyAndProof(
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
  ) {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    const make = async () =>
      new SignJWT({
        htm: 'GET',
        htu: url,
        ath,
        jti: crypto.randomUUID(),
        iat: Math.floor(Date.now() / 1000),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
        .sign(privateKey);
    return { jkt, proof: await make() };
  }

  it('accepts a fresh proof for this request, this token and the bound key', async () => {
    const { jkt, proof } = await keyAndProof();
    await expect(
      createDpopProofChecker().check({
        proof,
        method: 'GET',
        url: `${url}?page=2`,
        accessToken,
        jkt,
      }),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['another method', { htm: 'POST' }, 'another method'],
    ['another URL', { htu: 'https://api.example.com/other' }, 'another URL'],
    ['another access token', { ath: 'x' }, 'another access token'],
    ['an old iat', { iat: Math.floor(Date.now() / 1000) - 600 }, 'too old'],
  ])('refuses a proof for %s', async (_what, claims, message) => {
    const { jkt, proof } = await keyAndProof(claims);
    await expect(
      createDpopProofChecker().check({ proof, method: 'GET', url, accessToken, jkt }),
    ).rejects.toThrow(message);
  });

  it('refuses a proof signed by another key than the token is bound to', async () => {
    const { proof } = await keyAndProof();
    const other = await keyAndProof();
    await expect(
      createDpopProofChecker().check({ proof, method: 'GET', url, accessToken, jkt: other.jkt }),
    ).rejects.toThrow('another key');
  });

  it('refuses a proof of the wrong type, and one used twice', async () => {
    const typed = await keyAndProof({}, { typ: 'JWT' });
    await expect(
      createDpopProofChecker().check({
        proof: typed.proof,
        method: 'GET',
        url,
        accessToken,
        jkt: typed.jkt,
      }),
    ).rejects.toThrow('dpop+jwt');

    const { jkt, proof } = await keyAndProof();
    const checker = createDpopProofChecker();
    await checker.check({ proof, method: 'GET', url, accessToken, jkt });
    await expect(checker.check({ proof, method: 'GET', url, accessToken, jkt })).rejects.toThrow(
      'used before',
    );
  });
});
