import { describe, expect, it } from '@jest/globals';
import {
  createLoginThrottle,
  loginDelayMs,
  type LoginThrottlePolicy,
} from '../../src/security/login-throttle.ts';
import { createMemoryCounterStore } from '../../src/storage/memory/create-memory-counter-store.ts';

const policy: LoginThrottlePolicy = {
  maxFailures: 3,
  failureWindowMs: 60_000,
  lockoutMs: 10_000,
  delayBaseMs: 100,
  delayMaxMs: 350,
  ipMaxFailures: 5,
  ipWindowMs: 60_000,
};

/** A throttle over a real (memory) counter store with a clock the test moves. */
function setup() {
  let now = 1_000_000;
  const counters = createMemoryCounterStore(() => now);
  const throttle = createLoginThrottle({ counters, policy, now: () => now });
  return { throttle, tick: (ms: number) => (now += ms) };
}

async function fail(throttle: ReturnType<typeof setup>['throttle'], key: string, ip = '192.0.2.1') {
  const verdict = await throttle.check(key, ip);
  if (!verdict.allowed) return verdict;
  return { ...verdict, ...(await throttle.failed(key, verdict)) };
}

describe('login throttle (ASVS 6.3.1)', () => {
  it('grows the delay from the second attempt, doubling up to the cap', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => loginDelayMs(policy, n))).toEqual([
      0, 100, 200, 350, 350, 350,
    ]);
    expect(loginDelayMs({ delayBaseMs: 0, delayMaxMs: 100 }, 5)).toBe(0);
  });

  it('locks after maxFailures and refuses every attempt during the lock unchecked', async () => {
    const { throttle } = setup();
    expect(await fail(throttle, 'account:a')).toMatchObject({ allowed: true, locked: false });
    expect(await fail(throttle, 'account:a')).toMatchObject({ allowed: true, locked: false });
    expect(await fail(throttle, 'account:a')).toMatchObject({ allowed: true, locked: true });
    expect(await throttle.check('account:a', '192.0.2.9')).toMatchObject({
      allowed: false,
      reason: 'locked',
    });
  });

  it('does not extend a lock with attempts made during it, and starts a fresh count after it', async () => {
    const { throttle, tick } = setup();
    for (let i = 0; i < 3; i++) await fail(throttle, 'account:b');
    tick(9_000);
    for (let i = 0; i < 10; i++)
      expect((await throttle.check('account:b', '192.0.2.2')).allowed).toBe(false);
    tick(1_000);
    expect(await throttle.check('account:b', '192.0.2.2')).toMatchObject({
      allowed: true,
      attempt: 1,
    });
  });

  it('clears the count on success', async () => {
    const { throttle } = setup();
    await fail(throttle, 'account:c');
    await fail(throttle, 'account:c');
    const right = await throttle.check('account:c', '192.0.2.3');
    if (!right.allowed) throw new Error('expected the attempt to be allowed');
    await throttle.succeeded('account:c', '192.0.2.3', right);
    expect(await throttle.check('account:c', '192.0.2.3')).toMatchObject({
      allowed: true,
      attempt: 1,
    });
  });

  it('lets no more than maxFailures parallel guesses through to the password check', async () => {
    const { throttle } = setup();
    const verdicts = await Promise.all(
      Array.from({ length: 10 }, () => throttle.check('account:d', '192.0.2.4')),
    );
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(3);
  });

  it('reserves the per-network limit before the check: a parallel burst on many accounts gets at most ipMaxFailures checks', async () => {
    const { throttle } = setup();
    const verdicts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => throttle.check(`account:burst-${i}`, '198.51.100.7')),
    );
    const allowed = verdicts.filter((v) => v.allowed);
    expect(allowed).toHaveLength(5);
    // The others wait for those being checked, and are refused once they have failed.
    expect(verdicts.filter((v) => !v.allowed && v.reason === 'busy')).toHaveLength(7);
    for (const [i, v] of allowed.entries()) await throttle.failed(`account:burst-${i}`, v);
    expect(await throttle.check('account:late', '198.51.100.7')).toMatchObject({
      allowed: false,
      reason: 'ip_limited',
    });
  });

  it("gives a successful attempt's network unit back, so successes never spend the failure budget", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 20; i++) {
      const v = await throttle.check(`account:ok-${i}`, '198.51.100.8');
      if (!v.allowed) throw new Error(`attempt ${String(i)} refused: ${v.reason}`);
      await throttle.succeeded(`account:ok-${i}`, '198.51.100.8', v);
    }
    for (let i = 0; i < 4; i++) await fail(throttle, `account:bad-${i}`, '198.51.100.8');
    expect(await throttle.check('account:next', '198.51.100.8')).toMatchObject({ allowed: true });
  });

  it('refuses a network that failed on many accounts (password spraying), not other networks', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) await fail(throttle, `account:spray-${i}`, '198.51.100.1');
    expect(await throttle.check('account:fresh', '198.51.100.1')).toMatchObject({
      allowed: false,
      reason: 'ip_limited',
    });
    expect(await throttle.check('account:fresh', '198.51.100.2')).toMatchObject({ allowed: true });
  });
});
