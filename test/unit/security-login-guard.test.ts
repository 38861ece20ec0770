import { describe, expect, it } from '@jest/globals';
import { createAccountService } from '../../src/accounts/account-service.ts';
import { createPasswordHasher, type PasswordHasher } from '../../src/accounts/password-hasher.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createLoginGuard } from '../../src/security/login-guard.ts';
import { createLoginThrottle } from '../../src/security/login-throttle.ts';
import { createSecurityEvents } from '../../src/security/security-events.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';

/** The real argon2 hasher, counting how often it does argon2 work. */
function countingHasher(): PasswordHasher & { work: () => number } {
  const real = createPasswordHasher();
  let work = 0;
  return {
    hash: (password) => real.hash(password),
    verify: async (hashed, password) => {
      work += 1;
      return real.verify(hashed, password);
    },
    burn: async (password) => {
      work += 1;
      return real.burn(password);
    },
    work: () => work,
  };
}

async function setup() {
  const store = createMemoryStore();
  const hasher = countingHasher();
  const log = createLogger({ level: 'silent' });
  const events = createSecurityEvents({ store: store.events, log });
  const accounts = createAccountService({
    store: store.accounts,
    hasher,
    passwordMinLength: 8,
    oidc: store.oidc,
    events,
  });
  const throttle = createLoginThrottle({
    counters: store.counters,
    policy: {
      maxFailures: 2,
      failureWindowMs: 60_000,
      lockoutMs: 60_000,
      delayBaseMs: 0,
      delayMaxMs: 0,
      ipMaxFailures: 100,
      ipWindowMs: 60_000,
    },
  });
  const signIn = createLoginGuard({
    accounts,
    throttle,
    events,
    delayMaxMs: 0,
    admitSession: async () => ({ admitted: true }),
  });
  const alice = await accounts.create({
    username: 'alice',
    email: 'alice@example.com',
    password: 'alice-password',
  });
  const bob = await accounts.create({ username: 'bob', password: 'bob-password' });
  await accounts.setDisabled(bob.id, true);
  return { hasher, signIn, alice, store };
}

describe('sign-in answers alike and costs alike (ASVS 6.3.8)', () => {
  it('spends exactly one argon2 operation on an unknown user, a wrong password, a disabled and a locked account', async () => {
    const { hasher, signIn } = await setup();
    const cases = [
      { login: 'nobody', password: 'whatever-pw' },
      { login: 'alice', password: 'wrong-password' },
      { login: 'bob', password: 'bob-password' },
      { login: 'ALICE', password: 'wrong-again' }, // second failure: locks alice
      { login: 'alice@example.com', password: 'alice-password' }, // locked: refused unchecked
    ];
    for (const attempt of cases) {
      const before = hasher.work();
      const result = await signIn({ ...attempt, ip: '192.0.2.1' });
      expect([attempt.login, result]).toEqual([attempt.login, { ok: false, refusal: 'invalid' }]);
      expect([attempt.login, hasher.work() - before]).toEqual([attempt.login, 1]);
    }
  });

  it('never checks the password of a locked account, even the right one', async () => {
    const { hasher, signIn, store, alice } = await setup();
    for (const password of ['wrong-1', 'wrong-2'])
      await signIn({ login: 'alice', password, ip: '192.0.2.2' });
    const verify = hasher.verify;
    let verified = 0;
    hasher.verify = async (hashed, password) => {
      verified += 1;
      return verify(hashed, password);
    };
    expect(await signIn({ login: 'alice', password: 'alice-password', ip: '192.0.2.3' })).toEqual({
      ok: false,
      refusal: 'invalid',
    });
    expect(verified).toBe(0);
    const reasons = (
      await store.events.list({ type: 'login.failed', subject: alice.id }, { limit: 10 })
    ).items.map((e) => e.details?.reason);
    expect(reasons).toEqual(['locked', 'wrong_password', 'wrong_password']);
  });

  it('waits as long before answering a locked login as a fresh or an unknown one: the delay tells nothing of a lock (ASVS 6.3.8)', async () => {
    const store = createMemoryStore();
    const log = createLogger({ level: 'silent' });
    const events = createSecurityEvents({ store: store.events, log });
    const accounts = createAccountService({
      store: store.accounts,
      hasher: createPasswordHasher(),
      passwordMinLength: 8,
      oidc: store.oidc,
      events,
    });
    const throttle = createLoginThrottle({
      counters: store.counters,
      policy: {
        maxFailures: 3,
        failureWindowMs: 60_000,
        lockoutMs: 60_000,
        delayBaseMs: 1000,
        delayMaxMs: 8000,
        ipMaxFailures: 100,
        ipWindowMs: 60_000,
      },
    });
    const slept: number[] = [];
    const signIn = createLoginGuard({
      accounts,
      throttle,
      events,
      delayMaxMs: 8000,
      admitSession: async () => ({ admitted: true }),
      sleep: async (ms) => void slept.push(ms),
    });
    await accounts.create({ username: 'locked-user', password: 'locked-password' });
    await accounts.create({ username: 'fresh-user', password: 'fresh-password' });
    // Someone else locks the account from their network.
    for (const password of ['wrong-1', 'wrong-2', 'wrong-3'])
      await signIn({ login: 'locked-user', password, ip: '198.51.100.1' });

    const delayOf = async (login: string, ip: string) => {
      slept.length = 0;
      expect(await signIn({ login, password: 'a-guess-here', ip })).toEqual({
        ok: false,
        refusal: 'invalid',
      });
      return slept.reduce((a, b) => a + b, 0);
    };
    // A first try from another network: no delay for any of them.
    expect([
      await delayOf('locked-user', '203.0.113.1'),
      await delayOf('fresh-user', '203.0.113.2'),
      await delayOf('nobody', '203.0.113.3'),
    ]).toEqual([0, 0, 0]);
    // A second try from the same networks: the same growing delay for each.
    expect([
      await delayOf('locked-user', '203.0.113.1'),
      await delayOf('fresh-user', '203.0.113.2'),
      await delayOf('nobody', '203.0.113.3'),
    ]).toEqual([1000, 1000, 1000]);
  });
});
