import { createAdminServices, type AdminServices } from '../../src/admin/admin-services.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Shared set-up of the admin API suites: a real server, an admin client bootstrapped the way the
 * CLI does it (`client add --grant-type client_credentials --scope admin`, through the same
 * admin services), and an access token obtained for it at the token endpoint.
 */

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export interface AdminFixture {
  server: TestServer;
  services: AdminServices;
  adminClient: { clientId: string; clientSecret: string };
  token: string;
  /** Calls /admin/v1<path> with the admin token (or `options.token`; `null` for none). */
  api(
    method: string,
    path: string,
    body?: unknown,
    options?: { token?: string | null; headers?: Record<string, string>; raw?: string | Buffer },
  ): Promise<ApiAnswer>;
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A raw token request (client_secret_basic), so refusals can be inspected. */
export async function tokenRequest(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  body: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(client.clientId, client.clientSecret),
    },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function adminToken(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  scope = 'admin',
): Promise<string> {
  const res = await tokenRequest(issuer, client, { grant_type: 'client_credentials', scope });
  if (res.status !== 200 || typeof res.body.access_token !== 'string') {
    throw new Error(`client_credentials answered ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.access_token;
}

export async function startAdminServer(env: Record<string, string> = {}): Promise<AdminFixture> {
  const server = await startTestServer(env);
  const services = createAdminServices({
    config: server.config,
    store: server.services.store,
    accounts: server.services.accounts,
    provider: () => server.providers.current,
    reencryptClientSecrets: server.services.reencryptClientSecrets,
  });
  const created = await services.clients.create(
    { client_name: 'ops', grant_types: ['client_credentials'], scope: 'admin' },
    { actor: 'cli' },
  );
  const adminClient = { clientId: created.client_id, clientSecret: created.client_secret ?? '' };
  const token = await adminToken(server.issuer, adminClient);

  return {
    server,
    services,
    adminClient,
    token,
    async api(method, path, body, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const bearer = options.token === undefined ? token : options.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      let payload: string | Buffer | undefined = options.raw;
      if (payload === undefined && body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${server.issuer}/admin/v1${path}`, {
        method,
        headers,
        body: payload,
      });
      const text = await res.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = {};
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
  };
}
