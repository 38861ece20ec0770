/**
 * Document shapes of the MongoDB backend. Only this folder sees them; the ports speak in plain
 * records. Ids are always `_id` *values*, never document keys (an id may contain `.` or `$`).
 */

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
