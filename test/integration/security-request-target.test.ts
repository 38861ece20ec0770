import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rawRequest } from '../helpers/raw-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Absolute-form request targets (RFC 9112 §3.2.2; issue 12 item 6). A server must take the
 * authority from such a target, not from `Host`; the engine built its URLs from the request line,
 * so `GET http://evil.example/...` with our `Host` got discovery pointing at evil.example and
 * audiences of another authorization server accepted. A target naming another authority is
 * refused with 421 like a foreign `Host` (RFC 9110 §15.5.20); our own authority is accepted.
 */
let server: TestServer;
let port: number;
let authority: string;

beforeAll(async () => {
  server = await startTestServer();
  authority = new URL(server.issuer).host;
  port = Number(new URL(server.issuer).port);
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

describe('absolute-form request targets (RFC 9112 §3.2.2)', () => {
  it('refuses discovery for another authority with 421, whatever Host says', async () => {
    const res = await rawRequest(
      port,
      'GET http://evil.example/.well-known/openid-configuration HTTP/1.1',
      { host: authority, accept: 'application/json' },
    );
    expect(res.status).toBe(421);
    expect(res.body).not.toContain('evil.example');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'misdirected_request' });
  });

  it('refuses the token endpoint of another authority (a client assertion made for it gets nothing)', async () => {
    const res = await rawRequest(
      port,
      'POST https://other-as.example/token HTTP/1.1',
      { host: authority, 'content-type': 'application/x-www-form-urlencoded' },
      'grant_type=client_credentials&client_id=x',
    );
    expect(res.status).toBe(421);
    expect(res.body).not.toContain('access_token');
  });

  it('refuses the JWKS of another authority, and a target with our host but another port', async () => {
    expect(
      (await rawRequest(port, 'GET http://evil.example/jwks HTTP/1.1', { host: authority })).status,
    ).toBe(421);
    expect(
      (
        await rawRequest(port, `GET http://127.0.0.1:${String(port + 1)}/jwks HTTP/1.1`, {
          host: authority,
        })
      ).status,
    ).toBe(421);
  });

  it('answers an absolute-form target with our own authority, with URLs of the issuer only', async () => {
    const res = await rawRequest(
      port,
      `GET http://${authority}/.well-known/openid-configuration HTTP/1.1`,
      { host: authority },
    );
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    expect(doc.issuer).toBe(server.issuer);
    expect(doc.token_endpoint).toBe(`${server.issuer}/token`);
    expect(doc.jwks_uri).toBe(`${server.issuer}/jwks`);
  });

  it('refuses a malformed absolute-form target with 400', async () => {
    const res = await rawRequest(
      port,
      'GET http://[bad/.well-known/openid-configuration HTTP/1.1',
      { host: authority, accept: 'application/json' },
    );
    expect(res.status).toBe(400);
  });
});
