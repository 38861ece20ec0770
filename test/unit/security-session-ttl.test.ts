import { describe, expect, it } from '@jest/globals';
import { sessionTtl } from '../../src/security/session-ttl.ts';

describe('session lifetime (ASVS 7.3.1, 7.3.2)', () => {
  const ttl = sessionTtl({ idleTimeoutSeconds: 1800, absoluteSeconds: 36_000 }, () => 100_000);

  it('gives a session the idle timeout on each use', () => {
    expect(ttl(undefined, { loginTs: 99_000 })).toBe(1800);
  });

  it('never extends a session past the absolute lifetime from its sign-in', () => {
    expect(ttl(undefined, { loginTs: 100_000 - 36_000 + 600 })).toBe(600);
  });

  it('gives a session without a sign-in the idle timeout', () => {
    expect(ttl(undefined, {})).toBe(1800);
  });
});
