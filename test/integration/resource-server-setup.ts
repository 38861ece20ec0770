/**
 * Test setup for APIs (resource servers): registering them through the service the CLI and admin
 * API use, getting tokens for them the way real clients do (openid-client, with `resource`), and
 * running the example API (examples/resource-server) against a test server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import {
  createResourceServerApp,
  discover,
} from '../../examples/resource-server/src/create-app.ts';
import {
  createResourceServerService,
  resourceServerLimits,
  type ResourceServerService,
  type ResourceServerView,
} from '../../src/resources/resource-server-service.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { completeSignIn, startAuthorization } from '../helpers/sign-in.ts';
import { unique, type TestServer } from '../helpers/test-server.ts';

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface RegisteredApi {
  api: ResourceServerView;
  identifier: string;
  /** The client the API introspects as (resource_server: true, linked to the API). */
  introspector: Credentials;
  introspectorRp: oidc.Configuration;
}

/**
 * The API service over the server's store, as a separate instance (like the CLI in another
 * process): its changes reach the server only through the store's version tag.
 */
export function apiService(server: TestServer): ResourceServerService {
  return createResourceServerService({
    store: server.services.store.resourceServers,
    clients: server.services.store.oidc,
    limits: resourceServerLimits(server.config),
  });
}

export async function resourceServerClient(
  server: TestServer,
): Promise<Credentials & { rp: oidc.Configuration }> {
  const client = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
  return { ...client, rp: await server.rp(client.clientId, client.clientSecret) };
}

export async function registerApi(
  server: TestServer,
  options: { format?: 'jwt' | 'opaque'; scopes?: string[]; ttl?: number; alg?: string } = {},
): Promise<RegisteredApi> {
  const introspector = await resourceServerClient(server);
  const identifier = `https://${unique('api')}.example.com/v1`;
  const api = await apiService(server).create({
    identifier,
    name: 'Orders API',
    scopes: (options.scopes ?? ['orders:read', 'orders:write']).map((name) => ({
      name,
      description: `may ${name}`,
    })),
    ...(options.format ? { token_format: options.format } : {}),
    ...(options.ttl ? { access_token_ttl: options.ttl } : {}),
    ...(options.alg ? { signing_alg: options.alg } : {}),
    introspection_client_ids: [introspector.clientId],
  });
  return { api, identifier, introspector, introspectorRp: introspector.rp };
}

/** A machine client granted `scopes` of the API for the client_credentials grant. */
export async function machineClient(server: TestServer, api: RegisteredApi, scopes: string[]) {
  const client = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  });
  await apiService(server).grantClientCredentials(api.api.id, client.clientId, scopes);
  return { ...client, rp: await server.rp(client.clientId, client.clientSecret) };
}

/**
 * A user signs in to a new client asking for the API's scopes (RFC 8707 `resource` at the
 * authorization endpoint), and the client redeems the code for the API's token (`resource` at
 * the token endpoint, §2.2). Returns the tokens and what a test needs to go on.
 */
export async function signInForApi(
  server: TestServer,
  api: RegisteredApi,
  scope = 'openid offline_access orders:read',
) {
  const user = await server.createUser();
  const client = await server.createClient();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, rp, client.redirectUri, {
    scope,
    resource: api.identifier,
  });
  const callback = await completeSignIn(browser, auth, user, client.redirectUri);
  const tokens = await oidc.authorizationCodeGrant(
    rp,
    new URL(callback),
    { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce },
    { resource: api.identifier },
  );
  return { user, client, rp, browser, tokens };
}

/** Calls the introspection endpoint with HTTP Basic; returns status, headers and body. */
export async function introspect(
  server: TestServer,
  caller: Credentials | undefined,
  body: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(caller
        ? {
            authorization: `Basic ${Buffer.from(`${encodeURIComponent(caller.clientId)}:${encodeURIComponent(caller.clientSecret)}`).toString('base64')}`,
          }
        : {}),
      ...headers,
    },
    body: new URLSearchParams(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A JWT-secured answer (RFC 9701) is not JSON.
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

export interface ExampleApi {
  url: string;
  stop(): Promise<void>;
}

/** Runs the example API (examples/resource-server) for `api` on a free loopback port. */
export async function startExampleApi(
  server: TestServer,
  api: Pick<RegisteredApi, 'identifier' | 'introspector'>,
  options: { cacheSeconds?: number; requiredScope?: string; requiredRole?: string } = {},
): Promise<ExampleApi> {
  const metadata = await discover(server.issuer);
  // Listen first: the API's public URL (which DPoP proofs name in `htu`) needs the port.
  const httpServer = createServer();
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const app = createResourceServerApp(
    {
      issuer: server.issuer,
      identifier: api.identifier,
      introspectionClientId: api.introspector.clientId,
      introspectionClientSecret: api.introspector.clientSecret,
      introspectionCacheSeconds: options.cacheSeconds ?? 0,
      introspectionCacheSize: 1000,
      requiredScope: options.requiredScope ?? 'orders:read',
      requiredRole: options.requiredRole,
      publicUrl: url,
      host: '127.0.0.1',
      port: 0,
    },
    metadata,
  );
  httpServer.on('request', app.callback());
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

/** GET on the example API with a token as `Bearer`. */
export async function callApi(url: string, token: string | undefined, scheme = 'Bearer') {
  const res = await fetch(
    url,
    token === undefined ? {} : { headers: { authorization: `${scheme} ${token}` } },
  );
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}
