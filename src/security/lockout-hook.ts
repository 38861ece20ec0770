/**
 * What a brute-force limit locked (docs/operating.md, `portcullis_lockouts_total`):
 * - `account`: one account (or one unknown login) after `security.login.maxFailures` failures;
 * - `ip`: one network refused sign-ins after `security.login.ipMaxFailures` failures over any
 *   accounts (password spraying);
 * - `client`: client authentication refused, for one client id from one network
 *   (`security.clientAuth.maxFailures`) or for every client id from one network (`ipMaxFailures`).
 */
export type LockoutKind = 'account' | 'ip' | 'client';

/**
 * Told once when a lock starts, never for the attempts refused while it lasts. The security
 * code knows nothing of what listens (the metrics, src/server.ts wires them in); a listener must
 * not throw, and is called synchronously.
 */
export type OnLockout = (kind: LockoutKind) => void;
