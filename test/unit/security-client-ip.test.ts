import { describe, expect, it } from '@jest/globals';
import { resolveClientIp } from '../../src/http/client-ip.ts';
import { createIpRanges, isCidr, normalizeIp } from '../../src/http/ip-range.ts';
import { ipKey, loginSubjectKey } from '../../src/security/throttle-keys.ts';

const proxies = createIpRanges(['10.0.0.0/8', '2001:db8:1::/48']);
const trusted = (ip: string) => proxies.contains(ip);

describe('client address behind proxies: right-most untrusted hop (B27, ASVS 15.3.4)', () => {
  it('takes the socket peer when it is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(resolveClientIp('203.0.113.7', '127.0.0.1', trusted)).toBe('203.0.113.7');
  });

  it('takes the entry the trusted proxy appended, ignoring what the client prepended', () => {
    expect(resolveClientIp('10.0.0.2', '127.0.0.1, 198.51.100.9', trusted)).toBe('198.51.100.9');
  });

  it('walks through a chain of trusted proxies to the first untrusted hop', () => {
    expect(resolveClientIp('10.0.0.2', '1.1.1.1, 198.51.100.9, 10.0.0.5, 10.0.0.4', trusted)).toBe(
      '198.51.100.9',
    );
  });

  it('stops at the last trusted hop when an entry is not an address', () => {
    expect(resolveClientIp('10.0.0.2', 'not-an-ip, 10.0.0.5', trusted)).toBe('10.0.0.5');
  });

  it('reads IPv4-mapped IPv6 peers and ports and brackets in forwarded entries', () => {
    expect(resolveClientIp('::ffff:10.0.0.2', '[2001:db8:2::5]:443', trusted)).toBe(
      '2001:db8:2::5',
    );
    expect(resolveClientIp('::ffff:10.0.0.2', '198.51.100.9:5555', trusted)).toBe('198.51.100.9');
  });

  it('answers the peer when no X-Forwarded-For came with a trusted peer', () => {
    expect(resolveClientIp('10.0.0.2', undefined, trusted)).toBe('10.0.0.2');
  });
});

describe('address ranges', () => {
  it('matches CIDR blocks numerically, IPv4 and IPv6', () => {
    expect(proxies.contains('10.255.0.1')).toBe(true);
    expect(proxies.contains('11.0.0.1')).toBe(false);
    expect(proxies.contains('2001:db8:1:ffff::1')).toBe(true);
    expect(proxies.contains('2001:db8:2::1')).toBe(false);
    expect(proxies.contains('garbage')).toBe(false);
  });

  it('accepts CIDR blocks and single addresses, and nothing else', () => {
    for (const good of ['10.0.0.0/8', '127.0.0.1', '::1/128', 'fc00::/7'])
      expect(isCidr(good)).toBe(true);
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'localhost', '::1/129', '1.2.3.4/8/9', ''])
      expect(isCidr(bad)).toBe(false);
  });

  it('normalises addresses to one spelling', () => {
    expect(normalizeIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('[2001:DB8::1]:8443')).toBe('2001:db8::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('1.2.3')).toBeUndefined();
  });
});

describe('brute-force counter keys (ASVS 6.3.1)', () => {
  it('counts one IPv6 /64 as one network, and IPv4 per address', () => {
    expect(ipKey('2001:db8:aa:bb:1::1')).toBe(ipKey('2001:db8:aa:bb:ffff::9'));
    expect(ipKey('2001:db8:aa:bb::1')).not.toBe(ipKey('2001:db8:aa:bc::1'));
    expect(ipKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('keys a login by account id, and an unknown login by a hash, never the typed text', () => {
    expect(loginSubjectKey({ accountId: 'abc' })).toBe('account:abc');
    const key = loginSubjectKey({ normalizedLogin: 'hunter2-typed-as-username' });
    expect(key).not.toContain('hunter2');
    expect(key).toBe(loginSubjectKey({ normalizedLogin: 'hunter2-typed-as-username' }));
  });
});
