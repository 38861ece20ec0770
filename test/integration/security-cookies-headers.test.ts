import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { TestBrowser, type Page } from '../helpers/test-browser.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

/**
 * Cookies and response headers (issue 6 item 4; ASVS 3.3.1–3.3.4, 3.4.1–3.4.6, 14.3.2; security
 * reference B24, B28).
 */

const PUBLIC = 'https://login.example.test';

/**
 * A browser behind a TLS-terminating proxy: it talks https to the public issuer; the proxy
 * (loopback, trusted) forwards to our http port with X-Forwarded-Proto: https.
 */
class BrowserBehindProxy extends TestBrowser {
  readonly origin: string;
  readonly forwardedProto: boolean;
  constructor(origin: string, forwardedProto = true) {
    super();
    this.origin = origin;
    this.forwardedProto = forwardedProto;
  }
  override async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const target = new URL(url);
    const upstream =
      target.protocol === 'https:' ? `${this.origin}${target.pathname}${target.search}` : url;
    const headers = {
      ...(this.forwardedProto ? { 'x-forwarded-proto': 'https' } : {}),
      ...init.headers,
    };
    return super.request(upstream, { ...init, headers });
  }
}

describe('cookies over https (ASVS 3.3.1–3.3.4)', () => {
  let server: TestServer;
  let origin: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    server = await startTestServer({
      PORT: String(port),
      ISSUER: PUBLIC,
      ALLOWED_HOSTS: `127.0.0.1:${port}`,
      TRUST_PROXY: 'true',
      TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
    });
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  /** Signs in through the proxy; answers every Set-Cookie header seen on the way. */
  async function signInCollectingCookies(browser: BrowserBehindProxy): Promise<string[]> {
    const user = await server.createUser();
    const client = await server.createClient();
    const url = new URL(`${origin}/auth`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: client.redirectUri,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'st',
    }).toString();
    const seen: string[] = [];
    let page = await browser.get(url.href);
    seen.push(...page.headers.getSetCookie());
    for (
      let hops = 0;
      hops < 5 && page.location && !page.location.startsWith(client.redirectUri);
      hops++
    ) {
      page = await browser.get(page.location);
      seen.push(...page.headers.getSetCookie());
    }
    expect(page.text).toContain('name="password"');
    let res = await browser.submit(page, '/login', {
      username: user.username,
      password: user.password,
    });
    expect(res.status).toBe(303);
    seen.push(...res.headers.getSetCookie());
    for (
      let hops = 0;
      hops < 5 && res.location && !res.location.startsWith(client.redirectUri);
      hops++
    ) {
      res = await browser.get(res.location);
      seen.push(...res.headers.getSetCookie());
      if (res.text.includes('name="decision"')) {
        res = await browser.submit(res, '/consent', { decision: 'approve' });
        seen.push(...res.headers.getSetCookie());
      }
    }
    expect(res.location?.startsWith(client.redirectUri)).toBe(true);
    return seen.filter((c) => !c.startsWith('portcullis_lang='));
  }

  function checkCookies(cookies: string[]): void {
    expect(cookies.length).toBeGreaterThan(0);
    const names = new Set(cookies.map((c) => c.split('=')[0] ?? ''));
    expect(names).toContain('__Host-session');
    expect(names).toContain('__Secure-interaction');
    expect(names).toContain('__Secure-interaction_resume');
    for (const cookie of cookies) {
      const lower = cookie.toLowerCase();
      expect(lower).toContain('; secure');
      expect(lower).toContain('; httponly');
      expect(lower).toContain('samesite=lax');
      expect(cookie).toMatch(/^__(Host|Secure)-/);
      // RFC 6265bis §4.1.3.2: a __Host- cookie has Path=/ and no Domain.
      if (cookie.startsWith('__Host-')) {
        expect(lower).toContain('path=/;');
        expect(lower).not.toContain('domain=');
      }
    }
  }

  it('marks every cookie Secure, HttpOnly and SameSite=Lax with __Host-/__Secure- names behind a trusted proxy saying https', async () => {
    checkCookies(await signInCollectingCookies(new BrowserBehindProxy(origin)));
  });

  it('marks cookies Secure even when the proxy does not say https: the issuer is https', async () => {
    checkCookies(await signInCollectingCookies(new BrowserBehindProxy(origin, false)));
  });

  it('sends HSTS on every kind of response, HTML, JSON, redirects and errors (ASVS 3.4.1)', async () => {
    const headers = { 'x-forwarded-proto': 'https' };
    const responses = await Promise.all([
      fetch(`${origin}/`, { headers }),
      fetch(`${origin}/.well-known/openid-configuration`, { headers }),
      fetch(`${origin}/jwks`, { headers }),
      fetch(`${origin}/token`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
      fetch(`${origin}/auth?client_id=nobody`, { headers, redirect: 'manual' }),
      fetch(`${origin}/nothing-here`, { headers }),
      fetch(`${origin}/healthz`, { headers }),
    ]);
    for (const res of responses) {
      expect(res.headers.get('strict-transport-security')).toBe(
        'max-age=31536000; includeSubDomains',
      );
    }
  });

  it('builds endpoint URLs with https from the trusted proxy', async () => {
    const doc = (await (
      await fetch(`${origin}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-proto': 'https' },
      })
    ).json()) as Record<string, string>;
    expect(doc.issuer).toBe(PUBLIC);
    expect(doc.token_endpoint?.startsWith('https://')).toBe(true);
  });
});

describe('headers on every response (ASVS 3.4.3–3.4.6, 14.3.2; B24, B28)', () => {
  let server: TestServer;
  let pages: Record<string, Page>;
  let json: Record<string, Response>;

  beforeAll(async () => {
    server = await startTestServer();
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const login = (await startAuthorization(browser, rp, client.redirectUri)).page;
    const wrong = await browser.submit(login, '/login', {
      username: user.username,
      password: 'wrong-password',
    });
    const posted = await browser.submit(wrong, '/login', {
      username: user.username,
      password: user.password,
    });
    const consent = await browser.follow(posted, client.redirectUri);
    const fresh = new TestBrowser();
    const { tokens } = await signInAndRedeem(fresh, rp, user, client.redirectUri);
    const logout = await fresh.get(`${server.issuer}/session/end`);
    const loggedOut = await fresh.follow(
      await fresh.submit(logout, '/session/end/confirm', { logout: 'yes' }),
    );
    pages = {
      home: await new TestBrowser().get(`${server.issuer}/`),
      login,
      'login after a wrong password': wrong,
      consent,
      logout,
      'signed out': loggedOut,
      'provider error page': await new TestBrowser().get(
        `${server.issuer}/auth?client_id=nobody&response_type=code`,
      ),
      'our error page': await new TestBrowser().get(
        `${server.issuer}/interaction/not-a-real-interaction-id`,
      ),
      '404 page': await new TestBrowser().get(`${server.issuer}/no/such/page`),
    };
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
    json = {
      'token response': await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token ?? '',
        }),
      }),
      'token error': await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: form,
        body: 'grant_type=authorization_code&code=nope',
      }),
      userinfo: await fetch(`${server.issuer}/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
      discovery: await fetch(`${server.issuer}/.well-known/openid-configuration`),
      'our JSON error': await fetch(`${server.issuer}/interaction/not-a-real-interaction-id`, {
        headers: { accept: 'application/json' },
      }),
    };
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  it('sends nosniff, no-referrer and no X-Powered-By on every page and JSON answer', () => {
    for (const headers of [
      ...Object.values(pages).map((p) => p.headers),
      ...Object.values(json).map((r) => r.headers),
    ]) {
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('x-powered-by')).toBeNull();
    }
  });

  it('sends a CSP with frame-ancestors, object-src and base-uri none, and no-store, on every HTML page', () => {
    for (const [name, page] of Object.entries(pages)) {
      expect([name, page.headers.get('content-type')]).toEqual([
        name,
        expect.stringMatching(/^text\/html/),
      ]);
      const csp = page.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "default-src 'none'",
      ]) {
        expect([name, csp]).toEqual([name, expect.stringContaining(directive)]);
      }
      expect([name, csp]).toEqual([name, expect.not.stringContaining('unsafe-inline')]);
      expect([name, page.headers.get('x-frame-options')]).toEqual([name, 'DENY']);
      expect([name, page.headers.get('cache-control')]).toEqual([name, 'no-store']);
    }
  });

  it('answers token and userinfo responses with Cache-Control: no-store (ASVS 14.3.2, RFC 6749 §5.1)', () => {
    expect(json['token response']?.status).toBe(200);
    for (const name of ['token response', 'token error', 'userinfo']) {
      expect([name, json[name]?.headers.get('cache-control')]).toEqual([name, 'no-store']);
    }
  });

  it('sends no HSTS over plain http, where browsers ignore it and it would only mislead', () => {
    expect(pages.home?.headers.get('strict-transport-security')).toBeNull();
  });
});
