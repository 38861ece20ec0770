/**
 * Document shapes of the MongoDB backend. Only this folder sees them; the ports speak in plain
 * records. Ids are always `_id` *values*, never document keys (an id may contain `.` or `$`).
 */
import type { ObjectId } from 'mongodb';

/** One oidc-provider model entry. */
export interface OidcDocument {
  _id: string;
  /** The oidc-provider payload with its keys escaped (`mongo-safe-value.ts`). */
  payload: Record<string, unknown>;
  /** `null` for entries that never expire: TTL indexes skip non-date values. */
  expiresAt: Date | null;
  /** Copies of the payload fields we look up by. Absent (never `null`) when the payload has
   *  none, so the sparse unique indexes ignore the document. */
  grantId?: string;
  uid?: string;
  userCode?: string;
  /** The entry's owners, for revoking a user's or a client's entries (absent when none). */
  accountId?: string;
  clientId?: string;
  /** When the entry was consumed; absent or `null` while unconsumed. */
  consumed?: Date | null;
}

export interface AccountDocument {
  _id: string;
  username: string;
  usernameNormalized: string;
  /** Absent when the account has no email (sparse unique index). */
  email?: string;
  emailNormalized?: string;
  /** Every login the account answers to (username and email, deduplicated): a unique
   *  multikey index over it keeps a username from equalling another account's email. */
  logins: string[];
  emailVerified: boolean;
  passwordHash: string;
  disabled: boolean;
  /** Claims with escaped keys: custom claim names are often URLs, which contain dots. */
  claims: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface SigningKeyDocument {
  _id: string;
  alg: string;
  privateJwk: Record<string, unknown>;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
  expiresAt: Date | null;
}

export interface SettingDocument {
  _id: string;
  /** The value with escaped keys (it may be any JSON value). */
  value: unknown;
}

/** A fixed-window counter where updates are atomic (MongoDB): one document per key. */
export interface CounterDocument {
  _id: string;
  count: number;
  /** The window's end (the port's `resetAt`); named like every expiring field, for the TTL index. */
  expiresAt: Date;
}

/**
 * One unit of a counter where updates are not atomic (FerretDB 1.x, see
 * create-mongo-slot-counter-store.ts): the `n`th hit of a window, claimed by inserting it.
 */
export interface CounterSlotDocument {
  /** `JSON.stringify([key, epoch, n])`: unique, so of two claims of one slot only one succeeds. */
  _id: string;
  key: string;
  /** The end of the window before this one (0 for none): with `key`, it names the window. */
  epoch: number;
  n: number;
  /** The window's end, the same on every slot of a window. */
  expiresAt: Date;
}

/** One record of the cache invalidation feed. */
export interface InvalidationDocument {
  _id: ObjectId;
  /** Epoch ms (a number, compared as such; never a Date the driver could round). */
  time: number;
  keys: string[];
}

export interface EventDocument {
  _id: string;
  time: Date;
  type: string;
  /** Optional fields are absent, never `null`, when the event has none. */
  subject?: string;
  clientId?: string;
  actor?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  /** Details with escaped keys (`mongo-safe-value.ts`). */
  details?: Record<string, unknown>;
}

/** A one-off data migration that has run on this database (see backfill-oidc-owner-fields.ts). */
export interface StorageMigrationDocument {
  _id: string;
  appliedAt: Date;
}

/** A resource server (API). Scope names and client ids are values, never keys. */
export interface ResourceServerDocument {
  _id: string;
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  tokenFormat: 'opaque' | 'jwt';
  /** Absent (never `null`) when the API uses the default lifetime. */
  accessTokenTtlSeconds?: number;
  signingAlg: string;
  introspectionClientIds: string[];
  clientCredentialsGrants: { clientId: string; scopes: string[] }[];
  /** Absent on documents written before issue 16: read as none. */
  roleScopes?: { role: string; scopes: string[] }[];
  createdAt: Date;
  updatedAt: Date;
}

/** The change tag of the resource servers: one document, `_id: 'version'`. */
export interface ResourceServerVersionDocument {
  _id: string;
  version: string;
}
