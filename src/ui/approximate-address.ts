import { isIP } from 'node:net';

/**
 * The network a session came from, not the address itself: the sessions page shows where a
 * sign-in happened closely enough to recognise it (an office, a provider) without displaying a
 * precise address on every screen the page is opened on (GDPR Art. 5(1)(c), data minimisation).
 * IPv4 keeps its /24, IPv6 its /48 — the prefixes a provider hands to one site. The data export
 * keeps the exact value: that is the user's own data.
 */
export function approximateAddress(ip: string): string {
  const kind = isIP(ip);
  if (kind === 4) return `${ip.split('.').slice(0, 3).join('.')}.x`;
  if (kind !== 6) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return approximateAddress(mapped[1]);
  // Expand `::` so the first three groups are the real ones.
  const [head = '', tail] = ip.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [
    ...headGroups,
    ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'),
    ...tailGroups,
  ];
  return `${groups
    .slice(0, 3)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/48`;
}
