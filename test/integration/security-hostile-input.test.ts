import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import type * as oidc from 'openid-client';
import { TestBrowser, parseForms, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

/**
 * Hostile input, black-box (issue 6 item 5; ASVS 1.2.4, 15.3.5–15.3.7, 16.5.1, 3.7.2; security
 * reference B1, B2, B3). Nothing here may ever answer 5xx.
 */
let server: TestServer;
let client: Awaited<ReturnType<TestServer['createClient']>>;
let rp: oidc.Configuration;
let idToken: string;

beforeAll(async () => {
  server = await startTestServer();
  client = await server.createClient();
  rp = await server.rp(client.clientId, client.clientSecret);
  const { tokens } = await signInAndRedeem(
    new TestBrowser(),
    rp,
    await server.createUser(),
    client.redirectUri,
  );
  idToken = tokens.id_token ?? '';
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as written: raw path, raw headers, raw body bytes (no client-side cleaning). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<Raw> {
  const url = new URL(server.issuer);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A live login page (interaction cookies in `browser`), to post hostile forms into. */
async function liveLoginIn(
  browser: TestBrowser,
): Promise<{ browser: TestBrowser; page: Page; action: string; csrf: string }> {
  const { page } = await startAuthorization(browser, rp, client.redirectUri);
  const form = parseForms(page.text).find((f) => f.action.includes('/login'));
  return {
    browser,
    page,
    action: new URL(form?.action ?? '', page.url).pathname,
    csrf: form?.fields.csrf ?? '',
  };
}

const liveLogin = () => liveLoginIn(new TestBrowser());

describe('bodies on our routes (ASVS 15.3.x, 16.5.1)', () => {
  it('refuses bodies over the limit with 413 on every form route (login, consent, abort)', async () => {
    const oversized = `csrf=x&username=${'a'.repeat(20_000)}`;
    const { browser, action } = await liveLogin();
    const uidPath = action.replace(/\/login$/, '');
    for (const path of [`${uidPath}/login`, `${uidPath}/abort`]) {
      const res = await raw(
        'POST',
        path,
        { ...FORM, cookie: browser.cookieHeader(new URL(server.issuer + path)) },
        oversized,
      );
      expect([path, res.status]).toEqual([path, 413]);
    }
    // The consent form exists only once the user has signed in.
    const user = await server.createUser();
    const signedIn = await browser.submit((await liveLoginIn(browser)).page, '/login', {
      username: user.username,
      password: user.password,
    });
    const consent = await browser.follow(signedIn, client.redirectUri);
    const consentAction = new URL(
      parseForms(consent.text).find((f) => f.action.includes('/consent'))?.action ?? '',
      consent.url,
    ).pathname;
    const res = await raw(
      'POST',
      consentAction,
      { ...FORM, cookie: browser.cookieHeader(new URL(server.issuer + consentAction)) },
      oversized,
    );
    expect(res.status).toBe(413);
  });

  it('answers a form that is not UTF-8 with 400 and a clear message, no stack trace', async () => {
    const { browser, action } = await liveLogin();
    const res = await raw(
      'POST',
      action,
      {
        ...FORM,
        accept: 'application/json',
        cookie: browser.cookieHeader(new URL(server.issuer + action)),
      },
      Buffer.from([0x75, 0x3d, 0xff, 0xfe]),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 'invalid_body',
      error_description: expect.stringContaining('could not be read'),
    });
    expect(res.body).not.toMatch(/at \w+ \(/);
  });

  it("answers malformed JSON and JSON operators at the provider's endpoints with 400, never reaching a lookup", async () => {
    for (const path of ['/token', '/token/introspection', '/token/revocation']) {
      for (const body of [
        '{',
        '{"client_id":{"$gt":""},"grant_type":"client_credentials"}',
        '[]',
        'null',
      ]) {
        const res = await raw('POST', path, JSON_TYPE, body);
        expect([path, body, res.status]).toEqual([path, body, 400]);
        expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
      }
    }
  });

  it('treats operator-looking form fields at /token as plain strings (NoSQL injection, ASVS 1.2.4)', async () => {
    const res = await raw(
      'POST',
      '/token',
      FORM,
      `grant_type=authorization_code&code[$ne]=x&client_id=${encodeURIComponent(client.clientId)}&client_secret[$gt]=&redirect_uri=${encodeURIComponent(client.redirectUri)}`,
    );
    expect([400, 401]).toContain(res.status);
    const sneaky = await raw(
      'POST',
      '/token',
      { ...FORM, authorization: basic(client.clientId, client.clientSecret) },
      'grant_type=refresh_token&refresh_token[$ne]=x',
    );
    expect(sneaky.status).toBe(400);
    expect(JSON.parse(sneaky.body).access_token).toBeUndefined();
  });

  it('ignores __proto__ and constructor keys everywhere: nothing is polluted (ASVS 15.3.6)', async () => {
    const { browser, action, csrf } = await liveLogin();
    await raw(
      'POST',
      action,
      { ...FORM, cookie: browser.cookieHeader(new URL(server.issuer + action)) },
      `csrf=${csrf}&username=a&password=b&__proto__[polluted]=yes&constructor[prototype][polluted]=yes`,
    );
    await raw(
      'POST',
      '/token',
      FORM,
      '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&grant_type=client_credentials',
    );
    await raw(
      'POST',
      '/token',
      JSON_TYPE,
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
    );
    await raw('GET', '/auth?__proto__[polluted]=yes&constructor[prototype][polluted]=yes');
    // The server runs in this process: a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('duplicate parameters (ASVS 15.3.7)', () => {
  it('refuses a parameter sent twice at the authorization endpoint', async () => {
    const res = await raw(
      'GET',
      `/auth?client_id=${encodeURIComponent(client.clientId)}&client_id=other&response_type=code&scope=openid`,
      { accept: 'text/html' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain('client_id');
  });

  it('refuses a parameter sent twice at the token endpoint', async () => {
    const res = await raw(
      'POST',
      '/token',
      { ...FORM, authorization: basic(client.clientId, client.clientSecret) },
      'grant_type=refresh_token&refresh_token=a&refresh_token=b',
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('refresh_token'),
    });
  });
});

describe('unknown methods (ASVS 13.4.4)', () => {
  it('answers TRACE and other unknown methods with 405, not a server error', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'PURGE']) {
      const res = await raw(method, '/');
      expect([method, res.status]).toEqual([method, 405]);
    }
  });
});

describe('oversized headers', () => {
  it("answers headers over Node's limit with 431, and the server keeps serving", async () => {
    const res = await raw('GET', '/', { 'x-padding': 'a'.repeat(32 * 1024) });
    expect(res.status).toBe(431);
    expect((await raw('GET', '/healthz')).status).toBe(200);
  });
});

describe('no open redirects on any route that takes a URL (B2, RFC 9700 §4.11.1, ASVS 3.7.2)', () => {
  const foreign = [
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    'https:evil.example',
    'javascript:alert(1)',
    'https://rp.example@evil.example/callback',
    `${'https://rp.example/callback'}/../../evil`,
  ];

  function leavesForForeignOrigin(res: Raw): boolean {
    const location = res.headers.location;
    if (typeof location !== 'string') return false;
    const target = new URL(location, server.issuer);
    return (
      target.origin !== new URL(server.issuer).origin &&
      target.origin !== new URL(client.redirectUri).origin
    );
  }

  it.each(foreign)(
    'does not redirect to %s from the authorization endpoint (redirect_uri, B1/B3)',
    async (url) => {
      for (const clientId of [client.clientId, 'no-such-client']) {
        const res = await raw(
          'GET',
          `/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: url, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`,
        );
        expect(res.status).toBeLessThan(500);
        expect(leavesForForeignOrigin(res)).toBe(false);
      }
    },
  );

  it.each(foreign)(
    'does not redirect to %s after logout (post_logout_redirect_uri)',
    async (url) => {
      const variants: Record<string, string>[] = [
        { id_token_hint: idToken },
        { client_id: client.clientId },
        {},
      ];
      for (const params of variants) {
        const res = await raw(
          'GET',
          `/session/end?${new URLSearchParams({ ...params, post_logout_redirect_uri: url })}`,
        );
        expect(res.status).toBeLessThan(500);
        expect(leavesForForeignOrigin(res)).toBe(false);
        expect(res.body).not.toContain('evil.example');
      }
    },
  );

  it.each(foreign)(
    'does not redirect or link to %s from the language switcher or return parameters',
    async (url) => {
      const query = (extra: Record<string, string>) =>
        `?${new URLSearchParams({ lang: 'de', ...extra })}`;
      for (const path of [
        '/',
        '/session/end/success',
        '/interaction/abcdefghijklmnop',
        '//evil.example/',
        '/\\evil.example/',
      ]) {
        for (const name of ['return_to', 'next', 'redirect', 'redirect_uri', 'url', 'lang']) {
          const res = await raw('GET', `${path}${query({ [name]: url })}`, { accept: 'text/html' });
          expect(res.status).toBeLessThan(500);
          expect(leavesForForeignOrigin(res)).toBe(false);
          // Links on the page (the switcher) stay on this server.
          expect(res.body).not.toMatch(
            /href="(https?:)?\/\/evil\.example|href="\/\\|href="javascript:/i,
          );
        }
      }
    },
  );
});

describe('nothing answers 5xx to hostile input (fuzz)', () => {
  it('survives a battery of malformed paths, queries, headers and bodies on every route', async () => {
    const { browser, action, csrf } = await liveLogin();
    const uidPath = action.replace(/\/login$/, '');
    const cookie = browser.cookieHeader(new URL(server.issuer + action));
    const routes: [string, string][] = [
      ['GET', '/'],
      ['GET', '/auth'],
      ['POST', '/auth'],
      ['GET', uidPath],
      ['POST', `${uidPath}/login`],
      ['POST', `${uidPath}/consent`],
      ['POST', `${uidPath}/abort`],
      ['POST', '/token'],
      ['POST', '/token/introspection'],
      ['POST', '/token/revocation'],
      ['GET', '/me'],
      ['POST', '/me'],
      ['GET', '/session/end'],
      ['POST', '/session/end/confirm'],
      ['GET', '/session/end/success'],
      ['GET', '/jwks'],
      ['GET', '/.well-known/openid-configuration'],
      ['POST', '/reg'],
      ['GET', '/reg/some-client'],
      ['GET', '/healthz'],
      ['GET', '/readyz'],
      ['GET', '/assets/portcullis.css'],
      ['GET', '/admin/v1/users'],
      ['POST', '/admin/v1/users'],
    ];
    const queries = [
      '',
      '?x=%',
      '?%E0%A4%A=1',
      '?a[]=1&a[]=2',
      '?client_id[$ne]=x&redirect_uri[$gt]=',
      '?__proto__[polluted]=1&constructor[prototype][polluted]=1',
      `?client_id=${encodeURIComponent(client.clientId)}&client_id=dup&response_type=code&response_type=token`,
      `?redirect_uri=javascript:alert(1)&client_id=${encodeURIComponent(client.clientId)}&response_type=code&scope=openid`,
      '?lang=../../etc/passwd&ui_locales=%00',
      `?state=${'s'.repeat(6000)}`,
      '?request=eyJhbGciOiJub25lIn0.e30.&request_uri=http://127.0.0.1:1/',
      '?id_token_hint=a.b.c&post_logout_redirect_uri=https://evil.example',
      '?max_age=-1&prompt=none%20login&claims={',
    ];
    const bodies: [Record<string, string>, string | Buffer][] = [
      [FORM, 'a=%'],
      [FORM, Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x00])],
      [FORM, `csrf=${csrf}&username[$ne]=x&password[$gt]=`],
      [FORM, `csrf=${csrf}&username=a&username=b&password=c`],
      [FORM, 'grant_type=authorization_code&code=%00&redirect_uri=//evil.example'],
      [FORM, `token=${'t'.repeat(60_000)}`],
      [JSON_TYPE, '{'],
      [JSON_TYPE, '{"$gt":""}'],
      [JSON_TYPE, '{"__proto__":{"polluted":1}}'],
      [
        JSON_TYPE,
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
      ],
      [{ 'content-type': 'text/plain' }, 'hello'],
      [{ 'content-type': ';;;' }, 'x'],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nbroken'],
      [{ 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' }, 'a=b'],
      [{}, ''],
    ];
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Basic %%%' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
      { authorization: `Bearer ${'a'.repeat(5000)}` },
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
      { cookie: '_session=%; _session.sig=%%; _interaction=../..; portcullis_lang=%00' },
      { cookie },
      { 'accept-language': '*;q=x, ;;, en-US;q=2' },
      {
        'x-forwarded-for': 'garbage, 999.1.1.1',
        'x-forwarded-proto': 'gopher',
        'x-forwarded-host': 'evil.example',
      },
      { accept: 'application/json' },
      { 'x-request-id': '../../../etc/passwd' },
      { dpop: 'not-a-jwt', 'oauth-client-attestation': 'x' },
    ];
    const paths = [
      '/%',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/%00',
      '/interaction/%ff',
      '/interaction/a/%ff/login',
      '//evil.example',
      '/\\evil',
      '/token/%',
      `/${'x'.repeat(4000)}`,
    ];

    const failures: string[] = [];
    const check = async (label: string, sending: Promise<Raw>) => {
      const res = await sending;
      if (res.status >= 500 || res.status === 0)
        failures.push(`${res.status} ${label}: ${res.body.slice(0, 200)}`);
    };
    for (const [method, path] of routes) {
      for (const query of queries)
        await check(`${method} ${path}${query}`, raw(method, `${path}${query}`, { cookie }));
      for (const headers of headerSets)
        await check(
          `${method} ${path} ${JSON.stringify(headers).slice(0, 80)}`,
          raw(method, path, headers),
        );
      if (method === 'POST') {
        for (const [headers, body] of bodies) {
          await check(
            `${method} ${path} ${JSON.stringify(headers)} ${String(body).slice(0, 40)}`,
            raw(method, path, { ...headers, cookie }, body),
          );
        }
      }
    }
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'])
        await check(
          `${method} ${path}`,
          raw(method, path, FORM, method === 'GET' ? undefined : 'a=b'),
        );
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});

describe('malformed percent-encoding in the path (issue 12 item 10)', () => {
  const BAD = '%E0%A4%A';

  it('answers 400 in the JSON error shape on OAuth and API endpoint paths, never 5xx', async () => {
    for (const path of [
      `/reg/${BAD}`,
      `/token/${BAD}`,
      `/.well-known/${BAD}`,
      `/jwks${BAD}`,
      `/me/${BAD}`,
      `/admin/v1/users/${BAD}`,
      `/request/${BAD}`,
    ]) {
      for (const accept of [undefined, 'application/json', '*/*']) {
        const res = await raw('GET', path, accept ? { accept } : {});
        expect([path, accept, res.status]).toEqual([path, accept, 400]);
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
      }
    }
    expect(
      (
        await raw(
          'POST',
          `/token/${BAD}`,
          { 'content-type': 'application/x-www-form-urlencoded' },
          'grant_type=x',
        )
      ).status,
    ).toBe(400);
  });

  it('answers 400 with the HTML error page on browser routes', async () => {
    for (const path of [
      `/interaction/${BAD}`,
      `/interaction/${BAD}/login`,
      `/auth/${BAD}`,
      `/${BAD}`,
      `/assets/${BAD}`,
    ]) {
      const res = await raw('GET', path, { accept: 'text/html' });
      expect([path, res.status]).toEqual([path, 400]);
      expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
      expect(res.body).toContain('<html');
    }
  });
});
