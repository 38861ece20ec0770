import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { startAuthorization } from '../helpers/sign-in.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

describe('discovery and keys', () => {
  it('serves the discovery document with the exact issuer, S256 only and code only (B4, B9, B20)', async () => {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(server.issuer);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
    expect(doc.introspection_endpoint).toBe(`${server.issuer}/token/introspection`);
    expect(doc.revocation_endpoint).toBe(`${server.issuer}/token/revocation`);
    expect(doc.end_session_endpoint).toBe(`${server.issuer}/session/end`);
    expect(doc.grant_types_supported).not.toContain('password');
    expect(doc.grant_types_supported).not.toContain('implicit');
  });

  it('publishes one public key per configured algorithm, with unique kids and no private parts', async () => {
    const { keys } = (await (await fetch(`${server.issuer}/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.map((k) => k.alg).sort()).toEqual([...server.config.keys.algorithms].sort());
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
    for (const key of keys) {
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        expect(key).not.toHaveProperty(privatePart);
    }
  });
});

describe('host header', () => {
  it('refuses a request for a foreign host with 421 so discovery cannot be poisoned', async () => {
    const { request } = await import('node:http');
    const url = new URL(server.issuer);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/.well-known/openid-configuration',
          headers: { host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('ignores X-Forwarded-Host when proxy trust is off (B27)', async () => {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-host': 'evil.example' },
    });
    const doc = (await res.json()) as Record<string, string>;
    expect(doc.token_endpoint).toBe(`${server.issuer}/token`);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz with the store reachable', async () => {
    const live = await fetch(`${server.issuer}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${server.issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { store: 'ok', keys: 'ok' } });
  });
});

describe('security headers (B24, B28, ASVS 3.4)', () => {
  it('sends a strict CSP, no-store and anti-framing headers on the login page', async () => {
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const { page } = await startAuthorization(new TestBrowser(), rp, client.redirectUri);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-powered-by')).toBeNull();
    // Issue 14: the passkey scripts are same-origin files (script-src 'self'); nothing inline.
    const scripts = page.text.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? [];
    for (const tag of scripts) {
      expect(tag).toMatch(/^<script src="\/assets\/[\w.-]+\.js" defer><\/script>$/);
    }
    expect(page.text.match(/<script/gi)?.length ?? 0).toBe(scripts.length);
    expect(page.text).not.toMatch(/(src|href)="https?:\/\//);
  });

  it('sets session cookies HttpOnly and SameSite=Lax', async () => {
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    const user = await server.createUser();
    const res = await browser.submit(auth.page, '/login', {
      username: user.username,
      password: user.password,
    });
    const followed = await browser.get(res.location ?? '');
    const cookies = [...res.headers.getSetCookie(), ...followed.headers.getSetCookie()];
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
    }
  });

  it('answers the X-Request-Id on every response and shows it on error pages', async () => {
    const res = await fetch(`${server.issuer}/interaction/does-not-exist-at-all`, {
      headers: { accept: 'text/html' },
    });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[\w-]{8,}$/);
    expect(await res.text()).toContain(id ?? 'missing');
  });

  it('serves the stylesheet and the home page', async () => {
    const css = await fetch(`${server.issuer}/assets/portcullis.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const home = await fetch(`${server.issuer}/`, { headers: { accept: 'text/html' } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('/.well-known/openid-configuration');
  });

  it('answers unknown paths with a 404 and no stack trace', async () => {
    const res = await fetch(`${server.issuer}/assets/../../package.json`);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).not.toContain('"dependencies"');
    expect(body).not.toMatch(/at \w+ \(/);
  });
});
