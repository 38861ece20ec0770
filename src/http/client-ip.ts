import type { Middleware } from 'koa';
import { createIpRanges, normalizeIp } from './ip-range.ts';

/**
 * Headers only a proxy we run may set. From anyone else they are dropped before Koa, the
 * provider or our logs read them (RFC 9700 §4.13: security-relevant inbound headers must be
 * sanitised), so a client cannot pick its own rate-limit key, log address, scheme or host.
 */
const PROXY_HEADERS = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'forwarded',
  'x-real-ip',
  'x-request-id',
];

/**
 * The client's address by the right-most-untrusted rule: walk the hops from the socket peer
 * leftwards through `X-Forwarded-For` while each hop is a trusted proxy; the first hop that is
 * not is the client. Entries left of it were written by the client itself and are ignored, so
 * prepending a fake `X-Forwarded-For: 127.0.0.1` changes nothing. A malformed entry ends the
 * walk at the last trusted hop (the proxy that wrote it). With no forwarded header, or a peer
 * that is not a trusted proxy, the peer is the client.
 */
export function resolveClientIp(
  peer: string,
  forwardedFor: string | undefined,
  isTrusted: (ip: string) => boolean,
): string {
  const socket = normalizeIp(peer) ?? peer;
  if (!isTrusted(socket) || !forwardedFor) return socket;
  const hops = forwardedFor.split(',');
  let client = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i] ?? '');
    if (hop === undefined) return client;
    client = hop;
    if (!isTrusted(hop)) return hop;
  }
  // Every hop is one of our proxies: the left-most one is the best we know.
  return client;
}

export interface ClientIpOptions {
  /** `server.trustProxy`: honour forwarded headers at all. */
  trustProxy: boolean;
  /** `server.trustedProxies`: CIDR blocks of the proxies whose forwarded headers are honoured. */
  trustedProxies: readonly string[];
}

/**
 * Sets `ctx.request.ip` (what the provider, our logs and the brute-force limits read) to the
 * client's real address, and strips proxy headers from requests that did not come through a
 * trusted proxy. Koa's own `ctx.ip` with `app.proxy` would take the left-most
 * `X-Forwarded-For` entry from anyone, which the client controls (ASVS 15.3.4, B27).
 */
export function clientIp(options: ClientIpOptions): Middleware {
  const trusted = createIpRanges(options.trustedProxies);
  // Every request asks about its peer, and peers are few (the proxies, or the clients of one
  // host): the answers are remembered, in a map emptied when it would grow past a bound.
  const known = new Map<string, boolean>();
  const isTrusted = (ip: string) => {
    let answer = known.get(ip);
    if (answer === undefined) {
      answer = trusted.contains(ip);
      if (known.size >= 1024) known.clear();
      known.set(ip, answer);
    }
    return answer;
  };
  return async function clientIp(ctx, next) {
    const peer = ctx.req.socket.remoteAddress ?? '';
    const fromProxy = options.trustProxy && isTrusted(peer);
    if (!fromProxy) {
      const { headers } = ctx.req;
      // `delete` only what is there: deleting absent keys still costs, on every request.
      for (const name of PROXY_HEADERS) if (headers[name] !== undefined) delete headers[name];
    }
    const forwarded = ctx.req.headers['x-forwarded-for'];
    ctx.request.ip = resolveClientIp(
      peer,
      fromProxy ? (Array.isArray(forwarded) ? forwarded.join(',') : forwarded) : undefined,
      isTrusted,
    );
    await next();
  };
}
