/**
 * Pushed authorization requests (RFC 9126; issue 12 item 9): on by default, used by a real
 * client (openid-client pushes the request to `/request` and sends the browser with the
 * `request_uri`), and under the client-authentication limits like the token endpoint, since
 * `/request` authenticates confidential clients too (ASVS 6.3.1). The loopback peer is the
 * trusted proxy, so each test acts from its own address.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { completeSignIn } from '../helpers/sign-in.ts';
import { BrowserAt } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
let nextIp = 10;

beforeAll(async () => {
  server = await startTestServer({
    TRUST_PROXY: 'true',
    TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
    CLIENT_AUTH_MAX_FAILURES: '3',
    CLIENT_AUTH_IP_MAX_FAILURES: '50',
  });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

function freshIp(): string {
  nextIp += 1;
  return `192.0.2.${nextIp}`;
}

/** An openid-client configuration whose requests come from `ip` (through the trusted proxy). */
async function rpAt(
  ip: string,
  clientId: string,
  clientSecret: string,
): Promise<oidc.Configuration> {
  const rp = await server.rp(clientId, clientSecret);
  rp[oidc.customFetch] = (url, options) =>
    fetch(url, {
      ...options,
      headers: { ...(options.headers as Record<string, string>), 'x-forwarded-for': ip },
    } as RequestInit);
  return rp;
}

describe('pushed authorization requests (RFC 9126)', () => {
  it('are advertised in discovery', async () => {
    const doc = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc.pushed_authorization_request_endpoint).toBe(`${server.issuer}/request`);
  });

  it('sign a user in end to end: push, authorize with the request_uri, redeem the code', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const ip = freshIp();
    const rp = await rpAt(ip, client.clientId, client.clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(rp, {
      redirect_uri: client.redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      prompt: 'consent',
    });
    // Only the client id and the request_uri travel through the browser.
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);

    const browser = new BrowserAt(ip);
    const page = await browser.follow(await browser.get(url.href), client.redirectUri);
    const callback = await completeSignIn(
      browser,
      { state, nonce, verifier, page },
      user,
      client.redirectUri,
    );
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('refuses a client with 429 and Retry-After at /request after repeated bad secrets, before checking even the right one', async () => {
    const client = await server.createClient();
    const ip = freshIp();
    const push = (secret: string) =>
      fetch(`${server.issuer}/request`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': ip,
          authorization: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          response_type: 'code',
          scope: 'openid',
          redirect_uri: client.redirectUri,
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
        }).toString(),
      });
    for (let i = 0; i < 3; i++) {
      const res = await push(`wrong-${String(i)}`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error?: string }).error).toBe('invalid_client');
    }
    const refused = await push(client.clientSecret);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error?: string }).error).toBe('too_many_requests');
    const throttled = await server.services.store.events.list(
      { type: 'client_auth.throttled', clientId: client.clientId },
      { limit: 10 },
    );
    expect(throttled.items.map((e) => e.details?.endpoint)).toEqual(['/request']);
  });
});
