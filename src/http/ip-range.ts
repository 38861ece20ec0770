import { BlockList, isIP } from 'node:net';

/**
 * The address as Node's sockets and proxies write it, in one canonical form: IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`, what a dual-stack socket reports for an IPv4 peer) becomes plain IPv4,
 * brackets and a port (`[2001:db8::1]:443`, `10.0.0.1:8080`, as some proxies put in
 * X-Forwarded-For) are dropped. Answers `undefined` for anything that is not an IP address.
 */
export function normalizeIp(value: string): string | undefined {
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed?.[1] !== undefined) text = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(text))
    text = text.slice(0, text.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(text);
  if (mapped?.[1] !== undefined) text = mapped[1];
  // A zone index (`fe80::1%eth0`) names an interface of this host, not a network.
  text = text.replace(/%[\w.-]+$/, '');
  const family = isIP(text);
  if (family === 0) return undefined;
  return family === 6 ? text.toLowerCase() : text;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (`127.0.0.1`, `::1`) as its own /32 or /128. */
export function isCidr(value: string): boolean {
  return parseCidr(value) !== undefined;
}

function parseCidr(
  value: string,
): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [addressPart = '', prefixPart, extra] = value.trim().split('/');
  if (extra !== undefined) return undefined;
  const family = isIP(addressPart);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefixPart !== undefined && !/^\d{1,3}$/.test(prefixPart)) return undefined;
  const prefix = prefixPart === undefined ? max : Number(prefixPart);
  if (prefix > max) return undefined;
  return { address: addressPart, prefix, type: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * A set of networks (CIDR blocks) that answers whether an address is inside. Built on
 * `node:net`'s BlockList, which compares addresses as numbers, so `010.0.0.1` or other
 * spellings cannot slip past a string comparison. Throws on a malformed block: the list comes
 * from validated configuration, so a bad entry is a programming error.
 */
export function createIpRanges(cidrs: readonly string[]): { contains(ip: string): boolean } {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new TypeError(`not a CIDR block: ${cidr}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.type);
  }
  return {
    contains(ip) {
      const address = normalizeIp(ip);
      if (address === undefined) return false;
      return list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
