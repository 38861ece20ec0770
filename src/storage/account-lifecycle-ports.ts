/**
 * Storage ports of the account lifecycle (issue 15): one-time links sent by email and the
 * devices and sessions a user signed in with. Part of `Store` (src/storage/ports.ts); kept in
 * their own file so the account centre's storage reads in one place.
 *
 * Time: epoch milliseconds, as everywhere in the ports.
 */

/** What a one-time link does when followed. */
export const ACCOUNT_TOKEN_PURPOSES = [
  'password_reset',
  'email_verification',
  'email_change',
  'invitation',
] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * A one-time link's record. The link's secret is never stored: only its SHA-256 (`hash`), so a
 * copy of the database does not let anyone reset a password (ASVS 6.4.1, OWASP Forgot Password
 * Cheat Sheet: "store the token hashed").
 */
export interface AccountTokenRecord {
  /** base64url SHA-256 of the token sent by email; unique. */
  hash: string;
  purpose: AccountTokenPurpose;
  accountId: string;
  /** The address the link was sent to (an email change's new address). */
  email: string | undefined;
  createdAt: number;
  expiresAt: number;
}

export interface AccountTokenStore {
  /** Throws `StoreConflictError('hash')` when the hash exists. */
  create(record: AccountTokenRecord): Promise<void>;
  /** The live record (not expired, not consumed) with this hash and purpose, or `undefined`. */
  find(hash: string, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined>;
  /**
   * Removes the live record and returns it, in one atomic step: of concurrent calls for one
   * hash exactly one gets the record (a link is used at most once, ASVS 6.4.1). Expired,
   * consumed, unknown or other-purpose hashes answer `undefined` and change nothing.
   */
  consume(hash: string, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined>;
  /** Removes the account's records (of one purpose, or all); returns how many. */
  removeForAccount(accountId: string, purpose?: AccountTokenPurpose): Promise<number>;
  /** Deletes expired records; returns how many. */
  sweepExpired(): Promise<number>;
}

/**
 * Where and how a session is used: the engine's Session names its account and sign-in time
 * only, so the account centre keeps the device (user agent) and approximate address of each.
 */
export interface SessionActivityRecord {
  /** The engine's Session `uid` (not its id, which is the cookie value). */
  sessionUid: string;
  accountId: string;
  userAgent: string | undefined;
  ip: string | undefined;
  /** First seen (the sign-in). */
  signedInAt: number;
  lastUsedAt: number;
  /** Kept no longer than the session can live; swept afterwards. */
  expiresAt: number;
}

export interface AccountDeviceStore {
  /**
   * Inserts the session's record or, when it exists, updates `userAgent`, `ip`, `lastUsedAt`
   * and `expiresAt` (keeping `signedInAt`).
   */
  recordSession(record: SessionActivityRecord): Promise<void>;
  /** The account's unexpired session records, newest `lastUsedAt` first. */
  listSessions(accountId: string): Promise<SessionActivityRecord[]>;
  removeSession(sessionUid: string): Promise<void>;
  /**
   * Remembers that the account signed in from this device (`deviceHash`: SHA-256 of the long-lived
   * device cookie). Answers `true` when the account had not used it before, atomically: of
   * concurrent calls for one pair exactly one gets `true` (one new-device alert).
   */
  rememberDevice(accountId: string, deviceHash: string, at: number): Promise<boolean>;
  /** Every device and session record of the account removed (account deletion); returns how many. */
  removeForAccount(accountId: string): Promise<number>;
  /** Deletes expired session records; returns how many. */
  sweepExpired(): Promise<number>;
}
