import { generateKeyPairSync, createHash, createPublicKey } from 'node:crypto';
import type { KeyStore, SigningKeyRecord } from '../storage/ports.ts';

/**
 * Signing keys, kept in the store so every process and every restart signs with the same keys
 * (tokens stay valid across restarts).
 *
 * Rotation is the zero-downtime kind (OIDC Core §10.1.1: signers publish a new key before using
 * it, and keep the old one published while tokens it signed may still be verified):
 *   1. `keys rotate` adds a new key per algorithm that is *published* in the JWKS at once but
 *      signs only from `activatesAt` = now + `publishLeadSeconds`, so relying parties that cache
 *      the JWKS learn it first;
 *   2. the key it replaces keeps signing until then (`retiredAt`), and stays published until
 *      `expiresAt` = `retiredAt` + the longest lifetime of anything it signed;
 *   3. after that it leaves the JWKS and is deleted by `pruneExpiredKeys`.
 * Which key signs is decided from these timestamps alone, so processes that re-read the key set
 * (see `watch-signing-keys.ts`) agree without talking to each other.
 */

export type SigningAlgorithm = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';

export function generateSigningKey(
  alg: SigningAlgorithm,
  now: number,
  activatesAt = now,
): SigningKeyRecord {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : // RSA 2048 is the NIST SP 800-57 floor through 2030 and what every RP library verifies.
          generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = thumbprint(jwk);
  return {
    kid,
    alg,
    privateJwk: { ...jwk, kid, alg, use: 'sig' },
    createdAt: now,
    activatesAt,
    retiredAt: undefined,
    expiresAt: undefined,
  };
}

/** RFC 7638 JWK thumbprint: unique per key material, so `kid`s never collide across rotations. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members: Record<string, string[]> = {
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
    RSA: ['e', 'kty', 'n'],
  };
  const required = members[String(jwk.kty)] ?? [];
  const canonical = JSON.stringify(Object.fromEntries(required.map((k) => [k, jwk[k]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

export function isSigning(key: SigningKeyRecord, now: number): boolean {
  return key.activatesAt <= now && (key.retiredAt === undefined || key.retiredAt > now);
}

export function isPublished(key: SigningKeyRecord, now: number): boolean {
  return key.expiresAt === undefined || key.expiresAt > now;
}

/**
 * The private JWKS handed to oidc-provider. Keys that must not sign yet (or any more) carry
 * `key_ops: ['verify']`, which oidc-provider's key selection honours; keys that sign come first,
 * newest first, so the newest active key of an algorithm is the one chosen.
 */
export function toProviderJwks(
  keys: readonly SigningKeyRecord[],
  now: number,
): { keys: Record<string, unknown>[] } {
  const published = keys.filter((k) => isPublished(k, now));
  const signing = published
    .filter((k) => isSigning(k, now))
    .sort((a, b) => b.activatesAt - a.activatesAt);
  const others = published.filter((k) => !isSigning(k, now));
  return {
    keys: [
      ...signing.map((k) => ({ ...k.privateJwk })),
      ...others.map((k) => ({ ...k.privateJwk, key_ops: ['verify'] })),
    ],
  };
}

/** A JWK Set holding public keys only. */
export interface PublicJwks {
  keys: Record<string, unknown>[];
}

/**
 * The public halves of a private JWKS (as the `/jwks` endpoint publishes them), with `kid`, `alg`
 * and `use` kept, frozen: used to verify tokens in-process (JWT access-token introspection).
 */
export function toPublicJwks(jwks: { keys: Record<string, unknown>[] }): PublicJwks {
  return Object.freeze({
    keys: jwks.keys.map((jwk) => {
      const publicJwk = createPublicKey({ key: jwk as never, format: 'jwk' }).export({
        format: 'jwk',
      }) as Record<string, unknown>;
      return Object.freeze({ ...publicJwk, kid: jwk.kid, alg: jwk.alg, use: 'sig' });
    }),
  });
}

/** A fingerprint of what `toProviderJwks` would produce: when it changes, processes reload. */
export function keySetVersion(keys: readonly SigningKeyRecord[], now: number): string {
  return toProviderJwks(keys, now)
    .keys.map((k) => `${String(k.kid)}:${k.key_ops ? 'v' : 's'}`)
    .join(',');
}

/**
 * On first start, creates one signing key per configured algorithm that has none able to sign
 * now or later. Two processes starting together may both add one; both keys are then published
 * and either may sign, which is harmless.
 */
export async function ensureSigningKeys(
  store: KeyStore,
  algorithms: readonly SigningAlgorithm[],
  now: number,
): Promise<SigningKeyRecord[]> {
  const existing = await store.list();
  for (const alg of algorithms) {
    const usable = existing.some(
      (k) => k.alg === alg && (k.retiredAt === undefined || k.retiredAt > now),
    );
    if (!usable) await store.add(generateSigningKey(alg, now));
  }
  return store.list();
}

export interface RotationPolicy {
  algorithms: readonly SigningAlgorithm[];
  /** Seconds a new key is published before it signs. */
  publishLeadSeconds: number;
  /** Seconds a token signed by a key may stay valid (longest token lifetime). */
  maxTokenLifetimeSeconds: number;
}

export interface RotationResult {
  added: { kid: string; alg: string; activatesAt: number }[];
  retired: { kid: string; alg: string; retiredAt: number; expiresAt: number }[];
}

/** Starts a rotation of every configured algorithm (see the module comment). */
export async function rotateSigningKeys(
  store: KeyStore,
  policy: RotationPolicy,
  now: number,
): Promise<RotationResult> {
  const existing = await store.list();
  const activatesAt = now + policy.publishLeadSeconds * 1000;
  const expiresAt = activatesAt + policy.maxTokenLifetimeSeconds * 1000;
  const result: RotationResult = { added: [], retired: [] };
  for (const alg of policy.algorithms) {
    const fresh = generateSigningKey(alg, now, activatesAt);
    await store.add(fresh);
    result.added.push({ kid: fresh.kid, alg, activatesAt });
    for (const old of existing) {
      if (old.alg !== alg || (old.retiredAt !== undefined && old.retiredAt <= activatesAt))
        continue;
      await store.update(old.kid, { retiredAt: activatesAt, expiresAt });
      result.retired.push({ kid: old.kid, alg, retiredAt: activatesAt, expiresAt });
    }
  }
  return result;
}

/** Deletes keys past `expiresAt`: nothing they signed can still be valid. */
export async function pruneExpiredKeys(store: KeyStore, now: number): Promise<string[]> {
  const expired = (await store.list()).filter((k) => !isPublished(k, now));
  for (const key of expired) await store.remove(key.kid);
  return expired.map((k) => k.kid);
}
