import { hash, verify } from '@node-rs/argon2';

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
}

export function createPasswordHasher(): PasswordHasher {
  // A hash of a random value nobody knows, computed once, verified against when the user is unknown.
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, OPTIONS),
    async verify(hashed, password) {
      try {
        return await verify(hashed, password);
      } catch {
        // A malformed stored hash must not let anyone in, nor crash the login.
        return false;
      }
    },
    async burn(password) {
      dummy ??= hash(crypto.randomUUID(), OPTIONS);
      await verify(await dummy, password).catch(() => false);
    },
  };
}
