/**
 * Storage ports: everything Portcullis persists, as interfaces owned by their callers.
 *
 * Backends (`memory/`, `sqlite/`, `mongodb/`) implement `Store`; nothing outside their folder
 * sees a driver type, a SQL string or a document shape. Every backend passes the same contract
 * suite (`test/contract/`), written once as a function of a backend factory (ORY Hydra's habit).
 *
 * Time: every timestamp in these ports is epoch **milliseconds** unless the name says otherwise;
 * backends take a `now()` clock so the contract suite can test expiry without sleeping.
 */
import type { AccessControlStore } from './access-control-port.ts';

import type { CredentialStore } from './credential-ports.ts';

import type { AccountDeviceStore, AccountTokenStore } from './account-lifecycle-ports.ts';

// Outbound deliveries and webhook endpoints (issue 17) are declared in their own file.
import type { NewOutboxDelivery, OutboxStore, WebhookEndpointStore } from './outbox-ports.ts';

/** The oidc-provider models we persist (oidc-provider 9 `Adapter` names), and one of our own. */
export const OIDC_MODELS = [
  'Session',
  'Interaction',
  'AuthorizationCode',
  'AccessToken',
  'RefreshToken',
  'ClientCredentials',
  'Grant',
  'Client',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'PreAuthorizedCode',
  // Portcullis's own: answers kept for the refresh-token grace window (src/http/refresh-token-grace.ts).
  'RefreshTokenGrace',
] as const;
export type OidcModelName = (typeof OIDC_MODELS)[number];

/**
 * Models whose entries carry a `grantId` and are revoked together when a grant is revoked
 * (RFC 9700 §4.14.2: reuse of a refresh token or code revokes the whole grant).
 */
export const GRANTABLE_MODELS: ReadonlySet<OidcModelName> = new Set<OidcModelName>([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** An oidc-provider payload: a plain JSON object. Backends store and return it as is. */
export type OidcPayload = Record<string, unknown>;

export interface ListPage<T> {
  items: T[];
  /** Opaque cursor for the next page, or `undefined` when this was the last page. */
  nextCursor: string | undefined;
}

export interface ListOptions {
  /** Cursor returned by a previous call; omitted for the first page. */
  cursor?: string | undefined;
  /** Page size; callers clamp it, backends honour it as given (>= 1). */
  limit: number;
}

/**
 * Storage of oidc-provider models, the shape of oidc-provider's `Adapter` with the model name
 * as the first argument. Reads never return an expired entry, even before it is swept.
 */
export interface OidcModelStore {
  /**
   * Inserts or replaces an entry. `expiresAt` (epoch ms) is absent for entries that never
   * expire (e.g. `Client`). Backends index `payload.grantId`, `payload.uid` and
   * `payload.userCode` for the finders below; `uid` and `userCode` are unique per model.
   */
  upsert(model: OidcModelName, id: string, payload: OidcPayload, expiresAt?: number): Promise<void>;
  find(model: OidcModelName, id: string): Promise<OidcPayload | undefined>;
  /** Finds by `payload.uid` (Session). */
  findByUid(model: OidcModelName, uid: string): Promise<OidcPayload | undefined>;
  /** Finds by `payload.userCode` (DeviceCode). */
  findByUserCode(model: OidcModelName, userCode: string): Promise<OidcPayload | undefined>;
  /**
   * Marks the entry consumed (`payload.consumed` = epoch **seconds**, as oidc-provider expects)
   * in one atomic step, and only if it exists, has not expired and is not consumed yet.
   * Returns `true` when this call consumed it, `false` otherwise: of two concurrent calls for
   * one id, exactly one gets `true` (RFC 6749 §4.1.2: a code is used at most once).
   */
  consume(model: OidcModelName, id: string): Promise<boolean>;
  /**
   * Inserts the entry only if `model` holds no live entry with `id` (an expired one is
   * replaced), in one atomic step; returns `true` when this call inserted it. Of concurrent
   * calls for one id exactly one gets `true`. Used for replay detection (RFC 9449 §11.1: a DPoP
   * proof, like a client assertion's `jti`, is accepted once), where "find, then save" let
   * parallel uses of one proof all through.
   */
  insertIfAbsent(
    model: OidcModelName,
    id: string,
    payload: OidcPayload,
    expiresAt: number,
  ): Promise<boolean>;
  destroy(model: OidcModelName, id: string): Promise<void>;
  /** Deletes every entry of `model` whose `payload.grantId` is `grantId`. */
  revokeByGrantId(model: OidcModelName, grantId: string): Promise<void>;
  /**
   * Lists unexpired entries of a model ordered by id (used for `Client`, admin listings).
   * The cursor is opaque to callers.
   */
  list(
    model: OidcModelName,
    options: ListOptions,
  ): Promise<ListPage<{ id: string; payload: OidcPayload }>>;
  /**
   * Unexpired entries of a model whose `payload.accountId` is `accountId` (Session, Grant,
   * tokens), at most `limit`, oldest `payload.iat` first. Used to end a user's other sessions
   * and to enforce a limit of concurrent sessions.
   */
  findByAccountId(
    model: OidcModelName,
    accountId: string,
    limit: number,
  ): Promise<{ id: string; payload: OidcPayload }[]>;
  /** Deletes every entry of `model` whose `payload.accountId` is `accountId`; returns how many. */
  revokeByAccountId(model: OidcModelName, accountId: string): Promise<number>;
  /** Deletes every entry of `model` whose `payload.clientId` is `clientId`; returns how many. */
  revokeByClientId(model: OidcModelName, clientId: string): Promise<number>;
}

/** A person who can sign in. `id` is the OIDC `sub`: stable, never reused, never the username. */
export interface AccountRecord {
  id: string;
  /** As entered at creation (display form). */
  username: string;
  /** Lower-cased, NFKC-normalised username: the unique key logins are matched against. */
  usernameNormalized: string;
  email: string | undefined;
  /** Lower-cased email; unique when present. */
  emailNormalized: string | undefined;
  emailVerified: boolean;
  /** argon2id PHC string. Never leaves the accounts service. */
  passwordHash: string;
  disabled: boolean;
  /** Standard OIDC profile claims (name, given_name, ...), already validated. */
  claims: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type AccountPatch = Partial<
  Pick<
    AccountRecord,
    'email' | 'emailNormalized' | 'emailVerified' | 'passwordHash' | 'disabled' | 'claims'
  >
>;

export interface AccountStore {
  /** Inserts a new account; throws `StoreConflictError` naming the field when the normalised
   *  username or email is taken (by another account's username or email alike). */
  create(record: AccountRecord): Promise<void>;
  findById(id: string): Promise<AccountRecord | undefined>;
  /** Finds by normalised username or normalised email, whichever matches. */
  findByLogin(normalizedLogin: string): Promise<AccountRecord | undefined>;
  /** Applies the patch and sets `updatedAt`; returns the updated record, or `undefined` if absent.
   *  Throws `StoreConflictError` when a new email is taken. */
  update(id: string, patch: AccountPatch, updatedAt: number): Promise<AccountRecord | undefined>;
  /** Ordered by `usernameNormalized`. */
  list(options: ListOptions): Promise<ListPage<AccountRecord>>;
  /** Deletes the account (GDPR Art. 17 erasure); returns whether one was removed. Its username
   *  and email are free again afterwards; its id is never reused (ids are random). */
  remove(id: string): Promise<boolean>;
}

/**
 * A signing key. Zero-downtime rotation (see `src/oidc/signing-keys.ts`): a key is published in
 * the JWKS from `createdAt`, signs from `activatesAt`, stops signing at `retiredAt`, and is
 * removed from the JWKS at `expiresAt` (after every token it signed has expired).
 */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** Private JWK (includes `kid`, `alg`, `use: 'sig'`). */
  privateJwk: Record<string, unknown>;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | undefined;
  expiresAt: number | undefined;
}

export interface KeyStore {
  /** Every stored key, ordered by `createdAt` ascending, then `kid`. */
  list(): Promise<SigningKeyRecord[]>;
  /** Throws `StoreConflictError` when the kid exists. */
  add(record: SigningKeyRecord): Promise<void>;
  /** Sets `retiredAt`/`expiresAt`; returns false when no such kid. */
  update(kid: string, patch: Pick<SigningKeyRecord, 'retiredAt' | 'expiresAt'>): Promise<boolean>;
  /**
   * Replaces the stored `privateJwk` (the same key in another stored form: encrypted at rest,
   * re-encrypted under a newer key); returns false when no such kid.
   */
  replacePrivateJwk(kid: string, privateJwk: Record<string, unknown>): Promise<boolean>;
  remove(kid: string): Promise<void>;
}

/**
 * Small named values the server generates once and every process must share (development
 * cookie keys, ...). `setIfAbsent` is atomic so two processes starting together agree.
 */
export interface SettingStore {
  get(name: string): Promise<unknown>;
  /** Stores `value` unless `name` is already set; returns whichever value is now stored. */
  setIfAbsent(name: string, value: unknown): Promise<unknown>;
}

/** A counter in a fixed time window, shared by every process (brute-force and rate limits). */
export interface CounterState {
  count: number;
  /** When the window ends and the counter starts again from zero (epoch ms). */
  resetAt: number;
}

export interface CounterStore {
  /**
   * Adds `by` (default 1) to counter `key` and returns its new state, atomically across
   * processes. A missing or expired counter starts at 0 with a window ending at now + `windowMs`;
   * hits inside a window never move its end (attempts during a lockout do not extend it).
   * Throws `RangeError` unless `windowMs` and `by` are positive whole numbers.
   */
  hit(key: string, windowMs: number, by?: number): Promise<CounterState>;
  /** The counter's state, or `undefined` when it is missing or its window has ended. */
  get(key: string): Promise<CounterState | undefined>;
  reset(key: string): Promise<void>;
  /** Deletes counters whose window has ended; returns how many. */
  sweepExpired(): Promise<number>;
}

/**
 * A security or audit event (ASVS 16.3): sign-ins, lockouts, logouts, consent, revocations,
 * admin changes. Never holds a password, token or secret.
 */
export interface SecurityEvent {
  /** Unique id; time-ordered ids are fine but not required. */
  id: string;
  time: number;
  /** Dotted name, e.g. `login.failed`, `user.disabled`, `client.created`. */
  type: string;
  /** The user the event is about (OIDC `sub`), if any. */
  subject?: string | undefined;
  clientId?: string | undefined;
  /** Who did it: a user's `sub`, an admin client's id, `cli`, or `system`. */
  actor?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
  /** Small, flat, non-secret details (e.g. `{ reason: 'locked' }`). */
  details?: Record<string, string | number | boolean> | undefined;
}

export interface EventFilter {
  type?: string | undefined;
  /** Matches every type starting with this prefix (e.g. `login.`). */
  typePrefix?: string | undefined;
  subject?: string | undefined;
  clientId?: string | undefined;
  /** Inclusive lower bound on `time`. */
  since?: number | undefined;
  /** Exclusive upper bound on `time`. */
  until?: number | undefined;
}

export interface EventStore {
  /** Throws `StoreConflictError('id')` when the id exists. */
  append(event: SecurityEvent): Promise<void>;
  /**
   * Appends the event and enqueues the outbound deliveries it causes (its webhooks) as one
   * atomic write: both are stored or neither is — the transactional outbox pattern, so no crash
   * or failure leaves an event without its deliveries or a delivery without its event. SQLite:
   * one transaction; memory: one synchronous step; MongoDB (and FerretDB, which has no
   * multi-document transactions): the event document carries its deliveries (a single-document
   * write is atomic) and the outbox moves them to its own collection before it claims, finds or
   * lists (see create-mongo-outbox-store.ts). Throws `StoreConflictError('id')` when the event's
   * or a delivery's id exists (nothing is stored). An empty list is a plain `append`.
   */
  appendWithDeliveries(event: SecurityEvent, deliveries: NewOutboxDelivery[]): Promise<void>;
  /** Newest first (by `time`, then `id`), keyset-paginated; a cursor that is not ours restarts
   *  from the newest event. */
  list(filter: EventFilter, options: ListOptions): Promise<ListPage<SecurityEvent>>;
  /** Deletes events older than `time` (retention); returns how many. */
  pruneBefore(time: number): Promise<number>;
  /**
   * Pseudonymises the events about a deleted user (GDPR Art. 17, Recital 26): `subject` and
   * `actor` equal to `subject` become `pseudonym`; their `ip` and `userAgent` are removed.
   * Returns how many events changed.
   */
  pseudonymiseSubject(subject: string, pseudonym: string): Promise<number>;
}

/** A client allowed to get an API's tokens with client credentials, and the scopes it may get. */
export interface ResourceServerClientGrant {
  clientId: string;
  scopes: string[];
}

/** A role and the API scopes it allows its holders (issue 16). */
export interface ResourceServerRoleScopes {
  role: string;
  scopes: string[];
}

/** A scope an API defines (RFC 6749 §3.3 scope-token), with the text shown to users. */
export interface ResourceServerScope {
  name: string;
  description: string;
}

/**
 * An API protected by Portcullis (a resource server, RFC 8707). Clients ask for tokens for it with
 * `resource=<identifier>`; such tokens carry `aud: identifier` and only the scopes listed here.
 */
export interface ResourceServerRecord {
  /** Generated, URL-safe; the handle of the CLI and admin API. */
  id: string;
  /** The absolute `resource` URI (RFC 8707 §2), compared as an exact string; unique; never changes. */
  identifier: string;
  name: string;
  scopes: ResourceServerScope[];
  /** `opaque` (looked up at introspection) or `jwt` (RFC 9068, verified locally by the API). */
  tokenFormat: 'opaque' | 'jwt';
  /** Access-token lifetime in seconds; `undefined` for the default (300 s for JWT, `ttl.*` for opaque). */
  accessTokenTtlSeconds: number | undefined;
  /** JWS algorithm of JWT access tokens (one of `keys.algorithms`). */
  signingAlg: string;
  /** Clients (each `resource_server: true`) that may introspect this API's tokens: the API's identity. */
  introspectionClientIds: string[];
  /**
   * Clients that may get this API's tokens with the client_credentials grant, and which of its
   * scopes each may get. No user consents to such a token, so an admin grants it; in user-facing
   * flows the user's consent decides instead.
   */
  clientCredentialsGrants: ResourceServerClientGrant[];
  /**
   * Which of the API's scopes each role allows in user-facing flows (issue 16). Empty: every
   * user may be granted every scope (the user's consent decides). Not empty: a user's token
   * carries only the scopes one of their roles allows, whatever the app asked for. Optional so
   * records built before it existed stay valid: absent means empty.
   */
  roleScopes?: ResourceServerRoleScopes[] | undefined;
  createdAt: number;
  updatedAt: number;
}

export type ResourceServerPatch = Partial<
  Pick<
    ResourceServerRecord,
    | 'name'
    | 'scopes'
    | 'tokenFormat'
    | 'accessTokenTtlSeconds'
    | 'signingAlg'
    | 'introspectionClientIds'
    | 'clientCredentialsGrants'
    | 'roleScopes'
  >
>;

export interface ResourceServerStore {
  /** Throws `StoreConflictError('identifier')` when the identifier is taken (`'id'` for the id). */
  create(record: ResourceServerRecord): Promise<void>;
  findById(id: string): Promise<ResourceServerRecord | undefined>;
  findByIdentifier(identifier: string): Promise<ResourceServerRecord | undefined>;
  /** Applies the patch (a key present with `undefined` clears an optional field) and sets
   *  `updatedAt`; returns the updated record, or `undefined` when absent. */
  update(
    id: string,
    patch: ResourceServerPatch,
    updatedAt: number,
  ): Promise<ResourceServerRecord | undefined>;
  /** Returns whether a record was removed. */
  remove(id: string): Promise<boolean>;
  /** Ordered by `identifier`. */
  list(options: ListOptions): Promise<ListPage<ResourceServerRecord>>;
  /**
   * An opaque tag that changes whenever a record is created, updated or removed, by any process
   * (a fresh random value per change, so concurrent writers can never leave it unchanged). Read
   * before loading the records, it tells a cache whether what it holds is still current.
   */
  version(): Promise<string>;
}

/**
 * One change that may make an answer cached by some process wrong (issue 18): a token, grant,
 * account or client that was revoked or changed, named by its cache keys
 * (src/cache/invalidation-keys.ts), never by a bearer credential.
 */
export interface InvalidationRecord {
  id: string;
  /** Epoch ms, the store's clock. */
  time: number;
  keys: string[];
}

/**
 * The store-backed change feed every process polls to drop what it cached (issue 18 item 2).
 * Readers ask for a time window that overlaps their previous read (records are idempotent), so
 * neither ids nor clocks need to be ordered across processes.
 */
export interface InvalidationStore {
  /** Records that what `keys` name changed now (the store's clock). */
  append(keys: readonly string[]): Promise<void>;
  /** The records with `time >= since`, oldest first, at most `limit`. */
  since(since: number, limit: number): Promise<InvalidationRecord[]>;
  /** Deletes the records older than `time`; returns how many. */
  pruneBefore(time: number): Promise<number>;
}

export type StoreBackend = 'memory' | 'sqlite' | 'mongodb';

export interface Store {
  readonly backend: StoreBackend;
  readonly oidc: OidcModelStore;
  readonly accounts: AccountStore;
  readonly keys: KeyStore;
  readonly settings: SettingStore;
  readonly counters: CounterStore;
  readonly events: EventStore;
  readonly resourceServers: ResourceServerStore;
  readonly invalidations: InvalidationStore;
  /** Roles, groups and account attributes (issue 16, access-control-port.ts). */
  readonly accessControl: AccessControlStore;
  /** Second factors and passkeys (src/storage/credential-ports.ts). */
  readonly credentials: CredentialStore;
  /** One-time links sent by email (src/storage/account-lifecycle-ports.ts). */
  readonly accountTokens: AccountTokenStore;
  /** Sessions' devices and the devices each account signed in from. */
  readonly accountDevices: AccountDeviceStore;
  /** Outbound deliveries: back-channel logout tokens and webhooks (src/outbox/). */
  readonly outbox: OutboxStore;
  readonly webhookEndpoints: WebhookEndpointStore;
  /** Resolves when the store answers; rejects otherwise (used by `/readyz`). */
  ping(): Promise<void>;
  /** Deletes expired oidc entries and counters; returns how many. Cheap enough to run every minute. */
  sweepExpired(): Promise<number>;
  close(): Promise<void>;
}

/** Thrown by a backend when a unique key is taken. `field` names the key (e.g. `username`). */
export class StoreConflictError extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`${field} is already taken`);
    this.name = 'StoreConflictError';
    this.field = field;
  }
}

/** Thrown by a backend when the database cannot be reached (maps to 503 upstream). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface StoreOptions {
  /** Clock, injectable so contract tests can move time. Defaults to `Date.now`. */
  now?: () => number;
}
