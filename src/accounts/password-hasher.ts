import { hash, verify } from '@node-rs/argon2';
import { verifyLegacyHash } from './legacy-password-hashes.ts';

/**
 * argon2id with OWASP's minimum parameters (m=19 MiB, t=2, p=1; OWASP Password Storage Cheat
 * Sheet, ASVS 11.4.2). Passwords are hashed exactly as received: no trimming, no case folding,
 * no truncation (ASVS 6.2.8).
 */
// `algorithm: 2` is `Algorithm.Argon2id`: the package exports it as an ambient const enum, which
// isolated-module compilation cannot inline.
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /**
   * Spends the same time as a real verification against nothing, so an unknown username answers
   * as slowly as a wrong password (ASVS 6.3.8: users are not deducible from response times).
   */
  burn(password: string): Promise<void>;
  /**
   * Whether a stored hash should be replaced, after a successful sign-in, by `hash(password)`:
   * imported hashes (bcrypt, PBKDF2, scrypt, argon2 with other parameters) become argon2id with
   * ours (issue 17, docs/import.md).
   */
  needsRehash?(hashed: string): boolean;
}

/** The PHC prefix of our own hashes: anything else is rehashed on the next sign-in. */
const CURRENT_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';

export function createPasswordHasher(): PasswordHasher {
  // A hash of a random value nobody knows, computed once, verified against when the user is unknown.
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, OPTIONS),
    async verify(hashed, password) {
      try {
        if (!hashed.startsWith('$argon2'))
          return (await verifyLegacyHash(hashed, password)) ?? false;
        return await verify(hashed, password);
      } catch {
        // A malformed stored hash must not let anyone in, nor crash the login.
        return false;
      }
    },
    needsRehash: (hashed) => !hashed.startsWith(CURRENT_PREFIX),
    async burn(password) {
      dummy ??= hash(crypto.randomUUID(), OPTIONS);
      await verify(await dummy, password).catch(() => false);
    },
  };
}
