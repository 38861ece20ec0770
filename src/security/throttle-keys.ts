import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizeIp } from '../http/ip-range.ts';

/**
 * Counter keys of the brute-force limits (src/storage/ports.ts `CounterStore`), in one place so
 * every process builds the same key for the same thing.
 */

/**
 * The network a limit per address applies to. One IPv6 host usually holds a whole /64 (SLAAC,
 * privacy addresses), so counting single IPv6 addresses would give an attacker 2^64 fresh keys:
 * IPv6 is counted per /64, IPv4 per address.
 */
export function ipKey(ip: string): string {
  const address = normalizeIp(ip);
  if (address === undefined) return 'unknown';
  if (isIP(address) === 4) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (`::ffff:1.2.3.4` was mapped to IPv4 already; others are rare) counts as two groups.
  const groups = [
    ...left,
    ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'),
    ...right,
  ];
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/**
 * The key a login is counted under: the account's id when the login names an account, so "Alice",
 * "alice" and alice@example.com are one counter; otherwise a hash of the normalised login, so
 * unknown names are throttled alike (their answers must not differ, ASVS 6.3.8) and a password
 * typed into the username field never lands in the store in clear.
 */
export function loginSubjectKey(
  subject: { accountId: string } | { normalizedLogin: string },
): string {
  if ('accountId' in subject) return `account:${subject.accountId}`;
  return `login:${createHash('sha256').update(subject.normalizedLogin).digest('base64url')}`;
}

export const counterKeys = {
  loginAttempts: (subjectKey: string) => `login-attempts:${subjectKey}`,
  loginLock: (subjectKey: string) => `login-lock:${subjectKey}`,
  /** Attempts on one login from one network, for the growing delay only. */
  loginDelay: (subjectKey: string, ip: string) => `login-delay:${subjectKey}:${ipKey(ip)}`,
  /** The per-network limit, as reservations (counter-reservation.ts). */
  loginIpAttempts: (ip: string) => `login-ip:${ipKey(ip)}`,
  /** Failed client authentications per client and network, and per network (client-auth-throttle.ts). */
  clientAuthFailures: (clientId: string, ip: string) =>
    `client-auth:${createHash('sha256').update(clientId).digest('base64url')}:${ipKey(ip)}`,
  clientAuthIpFailures: (ip: string) => `client-auth-ip:${ipKey(ip)}`,
};
