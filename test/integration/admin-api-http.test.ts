import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAdminServer, type AdminFixture } from './admin-fixtures.ts';

// The admin API's own HTTP behaviour (issue 4, item 1): JSON in and out, its own body parser
// and limits, its own error shape, and the OpenAPI document.

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminServer();
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

async function clientCount(): Promise<number> {
  return (await f.server.services.store.oidc.list('Client', { limit: 1000 })).items.length;
}

describe('request bodies', () => {
  it('answers malformed JSON 400 invalid_body, storing nothing', async () => {
    const before = await clientCount();
    const res = await f.api('POST', '/clients', undefined, {
      raw: '{"client_name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'invalid_body',
      details: { body: expect.stringContaining('not valid JSON') },
    });
    expect(await clientCount()).toBe(before);
  });

  it('answers a body over 64 KiB 413, whether announced or streamed', async () => {
    const big = JSON.stringify({ client_name: 'x'.repeat(70_000) });
    const res = await f.api('POST', '/clients', undefined, {
      raw: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');

    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i += 1)
          controller.enqueue(new TextEncoder().encode(' '.repeat(10_000)));
        controller.close();
      },
    });
    const streamed = await fetch(`${f.server.issuer}/admin/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('answers a body that is not JSON 415', async () => {
    const form = await f.api('POST', '/clients', undefined, {
      raw: 'client_name=x&redirect_uris=https://rp.example/cb',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error).toBe('json_required');
    const latin1 = await f.api('POST', '/clients', undefined, {
      raw: '{"client_name":"x"}',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    });
    expect(latin1.status).toBe(415);
  });

  it('refuses __proto__ and constructor keys anywhere, and pollutes nothing', async () => {
    for (const raw of [
      '{"client_name":"x","redirect_uris":["https://rp.example/cb"],"__proto__":{"polluted":true}}',
      '{"claims":{"constructor":{"prototype":{"polluted":true}}}}',
    ]) {
      const res = await f.api('POST', '/clients', undefined, {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_body');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a JSON value that is not an object with the field rules, not a crash', async () => {
    for (const raw of ['[]', '"x"', '42', 'null']) {
      const res = await f.api('POST', '/clients', undefined, {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_client_metadata');
    }
  });
});

describe('errors and routes', () => {
  it('answers unknown paths 404 and wrong methods 405 with Allow, in JSON', async () => {
    const missing = await f.api('GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/json/);
    expect(missing.body).toMatchObject({ error: 'not_found', request_id: expect.any(String) });
    const wrong = await f.api('DELETE', '/clients');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('POST');
    expect(wrong.body.error).toBe('method_not_allowed');
  });

  it('answers every error with a request id matching X-Request-Id, and no stack', async () => {
    const res = await f.api('POST', '/clients', {
      client_name: 'x',
      redirect_uris: ['http://evil.example/cb'],
    });
    expect(res.status).toBe(400);
    expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('does not answer the admin API on the user-facing error pages (no HTML)', async () => {
    const res = await f.api('GET', '/clients/x', undefined, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe('the OpenAPI document', () => {
  it('is served without a token at /admin/v1/openapi.json as OpenAPI 3.1', async () => {
    const res = await f.api('GET', '/openapi.json', undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(res.body.servers).toEqual([{ url: `${f.server.issuer}/admin/v1` }]);
    expect(Object.keys(res.body.paths as object)).toContain('/clients/{id}');
  });

  it('has example bodies the live API accepts', async () => {
    const doc = (await f.api('GET', '/openapi.json', undefined, { token: null })).body as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { example: unknown }> } }>
      >;
    };
    const example = (path: string, method: string) =>
      Object.values(doc.paths[path]?.[method]?.requestBody?.content ?? {})[0]?.example;
    const client = await f.api('POST', '/clients', example('/clients', 'post'));
    expect(client.status).toBe(201);
    const id = String(client.body.client_id);
    expect((await f.api('PATCH', `/clients/${id}`, example('/clients/{id}', 'patch'))).status).toBe(
      200,
    );
    expect((await f.api('PUT', `/clients/${id}`, example('/clients/{id}', 'put'))).status).toBe(
      200,
    );
    const user = await f.api('POST', '/users', example('/users', 'post'));
    expect(user.status).toBe(201);
    expect(
      (await f.api('PATCH', `/users/${String(user.body.id)}`, example('/users/{id}', 'patch')))
        .status,
    ).toBe(200);
    expect(
      (
        await f.api(
          'POST',
          `/users/${String(user.body.id)}/password`,
          example('/users/{id}/password', 'post'),
        )
      ).status,
    ).toBe(200);
    expect(
      (await f.api('POST', '/initial-access-tokens', example('/initial-access-tokens', 'post')))
        .status,
    ).toBe(201);
  });
});
