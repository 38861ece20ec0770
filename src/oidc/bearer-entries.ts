import { createHash } from 'node:crypto';
import type { OidcModelName, OidcModelStore, OidcPayload } from '../storage/ports.ts';

/**
 * The models whose id *is* a bearer credential: whoever knows the id can use it (a refresh token,
 * an access token, a code, the session cookie value, ...). They are stored under a hash of the id
 * (issue 12, item 11), so a copy of the database (backup, dump, read-only SQL injection) yields
 * no usable token: RFC 9700 §4.14 / ASVS 13.3.1 (secrets at rest), the way a password is stored.
 *
 * Not here: `Grant` (its id is referenced from every token's payload and is no credential by
 * itself), `Client` (the id is public; the secret is encrypted, src/clients/), and
 * `ReplayDetection` (oidc-provider already stores it under SHA-256(iss + jti) of a DPoP proof or
 * client assertion, and a jti is no credential; ids pass through unchanged).
 */
export const BEARER_ID_MODELS: ReadonlySet<OidcModelName> = new Set<OidcModelName>([
  'Session',
  'Interaction',
  'AuthorizationCode',
  'AccessToken',
  'RefreshToken',
  'ClientCredentials',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'PreAuthorizedCode',
]);

/**
 * Marks a stored (hashed) id. `:` is outside oidc-provider's id alphabet (nanoid: A–Z a–z 0–9 _ -),
 * so no token it issues starts with it; a presented value that does is never looked up as a legacy
 * raw id (see `find`), so an id copied from a dump is not a credential either.
 */
const HASHED_PREFIX = 'sha256:';

/**
 * The id an entry is stored under. An unkeyed SHA-256 suffices: the ids are 126+ random bits
 * (nanoid), so unlike passwords they cannot be guessed from their hash. The model name is a domain
 * prefix, so one model's value never matches another model's entry.
 */
export function storedIdOf(model: OidcModelName, value: string): string {
  if (!BEARER_ID_MODELS.has(model)) return value;
  return HASHED_PREFIX + createHash('sha256').update(`${model}\u0000${value}`).digest('base64url');
}

/** Whether `value` is already a stored id (see `upsert`). */
function isStoredId(value: string): boolean {
  return value.startsWith(HASHED_PREFIX);
}

/**
 * Whether `value` may name an entry stored before ids were hashed (a raw-id "legacy" entry).
 * Such entries keep working until they expire or are used (see docs/security.md, "Secrets at
 * rest"): refresh tokens rotate on use and sessions are rewritten under the hash when next saved,
 * so users are not logged out by the upgrade.
 */
function mayBeLegacy(model: OidcModelName, value: string): boolean {
  return BEARER_ID_MODELS.has(model) && !isStoredId(value);
}

/**
 * The payload as stored: the raw id never appears in it either. oidc-provider keeps the id as
 * `jti` in every payload; it is replaced by the stored id (no secret: it is the entry's key), so
 * an entry the engine finds by `uid` (a session) carries an id that names it when saved again.
 * An Interaction keeps the session cookie value as `session.cookie` (the engine only writes it):
 * it becomes the session's stored id too, which is what the concurrent-session limit compares
 * with the ids it lists (src/security/session-limit.ts).
 */
function sealedPayload(model: OidcModelName, storedId: string, payload: OidcPayload): OidcPayload {
  const sealed: OidcPayload = { ...payload, jti: storedId };
  const session = sealed.session;
  if (model === 'Interaction' && typeof session === 'object' && session !== null) {
    const { cookie } = session as Record<string, unknown>;
    if (typeof cookie === 'string' && !isStoredId(cookie))
      sealed.session = { ...session, cookie: storedIdOf('Session', cookie) };
  }
  return sealed;
}

/** Models oidc-provider saves again under the same id (sessions on every visit, interactions). */
const RESAVED_MODELS: ReadonlySet<OidcModelName> = new Set<OidcModelName>([
  'Session',
  'Interaction',
]);

/**
 * Access to the entries of `store` by the bearer value (what a client or browser presents), for
 * the adapter and for the host code that handles such values itself (initial access tokens).
 * Everything else reading `store` directly (listings, `findByAccountId`, revocation by grant,
 * account or client) works with stored ids as they are and needs no change.
 */
export function bearerEntries(store: OidcModelStore) {
  return {
    /**
     * Writes the entry under the hash of `value`. A `value` that is a stored id already is written
     * as it is: the engine got it from `findByUid` (a session it saves again). Lookups never take
     * one (`find`, `consume`), so a stored id copied from a dump is no credential.
     */
    async upsert(
      model: OidcModelName,
      value: string,
      payload: OidcPayload,
      expiresAt?: number,
    ): Promise<void> {
      if (!BEARER_ID_MODELS.has(model)) return store.upsert(model, value, payload, expiresAt);
      const storedId = isStoredId(value) ? value : storedIdOf(model, value);
      await store.upsert(model, storedId, sealedPayload(model, storedId, payload), expiresAt);
      // A legacy session saved again now lives under its hash: drop the raw copy so listings and
      // the concurrent-session limit do not count it twice.
      if (RESAVED_MODELS.has(model) && mayBeLegacy(model, value)) await store.destroy(model, value);
    },

    async find(model: OidcModelName, value: string): Promise<OidcPayload | undefined> {
      if (!BEARER_ID_MODELS.has(model)) return store.find(model, value);
      const found = await store.find(model, storedIdOf(model, value));
      // oidc-provider expects its id back as `jti`: the value it was looked up by.
      if (found !== undefined) return { ...found, jti: value };
      return mayBeLegacy(model, value) ? store.find(model, value) : undefined;
    },

    /**
     * Consumes the entry; `false` when it was consumed already (or is missing). A legacy entry is
     * consumed under its raw id only when there is no hashed one, so an entry is never consumable
     * twice through its two names.
     */
    async consume(model: OidcModelName, value: string): Promise<boolean> {
      const storedId = storedIdOf(model, value);
      if (await store.consume(model, storedId)) return true;
      if (!mayBeLegacy(model, value) || (await store.find(model, storedId)) !== undefined)
        return false;
      return store.consume(model, value);
    },

    async destroy(model: OidcModelName, value: string): Promise<void> {
      await store.destroy(model, isStoredId(value) ? value : storedIdOf(model, value));
      if (mayBeLegacy(model, value)) await store.destroy(model, value);
    },
  };
}

export type BearerEntries = ReturnType<typeof bearerEntries>;
