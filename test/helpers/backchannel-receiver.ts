import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTHeaderParameters } from 'jose';

/**
 * A relying party's back-channel logout endpoint on loopback (OIDC Back-Channel Logout 1.0
 * §2.5): records every delivery and answers as told, for tests that sign users out.
 */

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface BackchannelReceiver {
  url: string;
  deliveries: { path: string; token: string }[];
  /** Status to answer per path; the first entries are used first, the last one forever after. */
  answers: Map<string, number[]>;
  close(): Promise<void>;
}

/** `port` 0 (the default) picks a free one; a fixed one brings a receiver back where it was. */
export async function startBackchannelReceiver(port = 0): Promise<BackchannelReceiver> {
  const deliveries: BackchannelReceiver['deliveries'] = [];
  const answers = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      // §2.5: the logout token arrives as the form parameter `logout_token`.
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      deliveries.push({ path, token });
      const planned = answers.get(path) ?? [200];
      const status = planned.length > 1 ? (planned.shift() ?? 200) : (planned[0] ?? 200);
      res.writeHead(status, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    deliveries,
    answers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` every 25 ms until it holds or `ms` pass (deliveries are asynchronous). */
export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * Verifies a logout token as a relying party must (§2.6): signed with a key the issuer
 * publishes, `typ` logout+jwt, issued by `issuer` for `audience`. Answers header and claims.
 */
export async function verifyLogoutToken(
  issuer: string,
  token: string,
  audience: string,
): Promise<{ payload: JWTPayload; protectedHeader: JWTHeaderParameters }> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  return jwtVerify(token, jwks, { issuer, audience, typ: 'logout+jwt' });
}
