import { describe, expect, it } from '@jest/globals';
import { approximateAddress } from '../../src/ui/approximate-address.ts';

describe('approximateAddress (the sessions page)', () => {
  it('keeps the /24 of an IPv4 address', () => {
    expect(approximateAddress('203.0.113.77')).toBe('203.0.113.x');
  });
  it('keeps the /48 of an IPv6 address, expanding ::', () => {
    expect(approximateAddress('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::/48');
    expect(approximateAddress('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(approximateAddress('::1')).toBe('0:0:0::/48');
  });
  it('treats an IPv4-mapped IPv6 address as IPv4', () => {
    expect(approximateAddress('::ffff:198.51.100.9')).toBe('198.51.100.x');
  });
  it('leaves what is not an address as it is', () => {
    expect(approximateAddress('unknown')).toBe('unknown');
  });
});
