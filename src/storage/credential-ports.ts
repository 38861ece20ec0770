/**
 * The credentials port: a user's second factors and passkeys (issue 14). Kept in its own file so
 * `ports.ts` only gains one member (`Store.credentials`); the same rules hold: backends return
 * plain copies, times are epoch milliseconds, and every backend passes the contract suite
 * (test/contract/credential-contract.ts), FerretDB included.
 *
 * Nothing here is secret in clear: the TOTP secret arrives already encrypted (the caller seals it
 * with the client-secret keys, src/mfa/totp-secret-seal.ts), recovery codes arrive as hashes, and a
 * passkey's public key is public.
 */

/** A TOTP authenticator (RFC 6238). One per account. */
export interface TotpCredentialRecord {
  accountId: string;
  /** The shared secret in its stored (encrypted) form; opaque to the store. */
  sealedSecret: string;
  createdAt: number;
  /** When the user proved they hold it (a correct code); `undefined` while enrolment is pending. */
  confirmedAt: number | undefined;
  lastUsedAt: number | undefined;
}

/** A WebAuthn credential (a passkey or a security key) registered to an account. */
export interface PasskeyRecord {
  /** The credential id (base64url), unique across every account. */
  id: string;
  accountId: string;
  /** A name the user chose ("Laptop", "YubiKey"). */
  name: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (WebAuthn §6.1.1); 0 for authenticators that keep none. */
  counter: number;
  /** AuthenticatorTransport values reported at registration (`usb`, `internal`, `hybrid`, ...). */
  transports: string[];
  /** `platform` (built in) or `cross-platform` (a roaming key); `undefined` when not reported. */
  attachment: 'platform' | 'cross-platform' | undefined;
  /** `multiDevice` credentials may be synced (a passkey); `singleDevice` ones never leave the authenticator. */
  deviceType: 'singleDevice' | 'multiDevice';
  /** The backup-state flag (WebAuthn §6.1 BS) at the last use. */
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | undefined;
}

export interface CredentialStore {
  /** The account's TOTP authenticator, confirmed or pending, or `undefined`. */
  findTotp(accountId: string): Promise<TotpCredentialRecord | undefined>;
  /** Stores a pending (or replaces any) authenticator of `record.accountId`; clears used steps. */
  putTotp(record: TotpCredentialRecord): Promise<void>;
  /**
   * Sets `confirmedAt` when the stored authenticator still has `sealedSecret` (so a confirmation
   * for a secret replaced meanwhile confirms nothing); returns whether it did.
   */
  confirmTotp(accountId: string, sealedSecret: string, confirmedAt: number): Promise<boolean>;
  /** Returns whether there was one. */
  removeTotp(accountId: string): Promise<boolean>;
  /**
   * Records that the code of time step `step` (RFC 6238 §4: floor(unix time / 30)) was accepted,
   * atomically across processes: returns `true` for the first call per account and step, `false`
   * for every other (RFC 6238 §5.2: a verified OTP is never accepted a second time). Also sets
   * the authenticator's `lastUsedAt`.
   */
  useTotpStep(accountId: string, step: number, usedAt: number): Promise<boolean>;

  /** Replaces the account's recovery codes with these hashes (the old ones stop working). */
  replaceRecoveryCodes(
    accountId: string,
    hashes: readonly string[],
    createdAt: number,
  ): Promise<void>;
  /** How many of the account's recovery codes are still unused. */
  countRecoveryCodes(accountId: string): Promise<number>;
  /**
   * Uses the recovery code with this hash, atomically: of concurrent calls for one code exactly
   * one gets `true`; an unknown or used code gets `false`.
   */
  useRecoveryCode(accountId: string, hash: string): Promise<boolean>;

  /** Throws `StoreConflictError('id')` when the credential id is registered (to anyone). */
  addPasskey(record: PasskeyRecord): Promise<void>;
  /** By credential id, whoever owns it. */
  findPasskey(id: string): Promise<PasskeyRecord | undefined>;
  /** The account's passkeys, oldest first (then by id). */
  listPasskeys(accountId: string): Promise<PasskeyRecord[]>;
  /** Records a use: the new counter, backup state and time; false when absent. */
  recordPasskeyUse(
    id: string,
    use: { counter: number; backedUp: boolean; usedAt: number },
  ): Promise<boolean>;
  /** Removes the passkey if `accountId` owns it; returns whether it did. */
  removePasskey(accountId: string, id: string): Promise<boolean>;

  /** Removes every factor of the account (TOTP, recovery codes, passkeys); returns how many. */
  removeAll(accountId: string): Promise<number>;
}
