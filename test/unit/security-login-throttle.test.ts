import { describe, expect, it } from '@jest/globals';
import { createLoginThrottle, loginDelayMs, type LoginThrottlePolicy } from '../../src/security/login-throttle.ts';
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
  return { ...verdict, ...(await throttle.failed(key, ip, verdict.attempt)) };
}

describe('login throttle (ASVS 6.3.1)', () => {
  it('grows the delay from the second attempt, doubling up to the cap', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => loginDelayMs(policy, n))).toEqual([0, 100, 200, 350, 350, 350]);
    expect(loginDelayMs({ delayBaseMs: 0, delayMaxMs: 100 }, 5)).toBe(0);
  });

  it('locks after maxFailures and refuses every attempt during the lock unchecked', async () => {
    const { throttle } = setup();
    expect(await fail(throttle, 'account:a')).toMatchObject({ allowed: true, locked: false });
    expect(await fail(throttle, 'account:a')).toMatchObject({ allowed: true, locked: false });
    expect(await fail(throttle, 'account:a')).toMatchObject({ allowed: true, locked: true });
    expect(await throttle.check('account:a', '192.0.2.9')).toMatchObject({ allowed: false, reason: 'locked' });
  });

  it('does not extend a lock with attempts made during it, and starts a fresh count after it', async () => {
    const { throttle, tick } = setup();
    for (let i = 0; i < 3; i++) await fail(throttle, 'account:b');
    tick(9_000);
    for (let i = 0; i < 10; i++) expect((await throttle.check('account:b', '192.0.2.2')).allowed).toBe(false);
    tick(1_000);
    expect(await throttle.check('account:b', '192.0.2.2')).toMatchObject({ allowed: true, attempt: 1, delayMs: 0 });
  });

  it('clears the count on success', async () => {
    const { throttle } = setup();
    await fail(throttle, 'account:c');
    await fail(throttle, 'account:c');
    await throttle.succeeded('account:c');
    expect(await throttle.check('account:c', '192.0.2.3')).toMatchObject({ allowed: true, attempt: 1 });
  });

  it('lets no more than maxFailures parallel guesses through to the password check', async () => {
    const { throttle } = setup();
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => throttle.check('account:d', '192.0.2.4')));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(3);
  });

  it('refuses a network that failed on many accounts (password spraying), not other networks', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) await fail(throttle, `account:spray-${i}`, '198.51.100.1');
    expect(await throttle.check('account:fresh', '198.51.100.1')).toMatchObject({ allowed: false, reason: 'ip_limited' });
    expect(await throttle.check('account:fresh', '198.51.100.2')).toMatchObject({ allowed: true });
  });
});
