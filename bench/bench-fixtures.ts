import { randomBytes } from 'node:crypto';

/**
 * What both servers are given, so they compare like for like: the same clients (ids, secrets,
 * metadata), the same APIs (resource servers), the same users and passwords, the same token
 * lifetimes and signing algorithms. Generated fresh for every benchmark run.
 */

export interface BenchClient {
  clientId: string;
  clientSecret: string;
  /** oidc-provider client metadata (snake_case), secret included. */
  metadata: Record<string, unknown>;
  /** Metadata only Portcullis knows (its custom `resource_server` flag). */
  portcullisMetadata: Record<string, unknown>;
}

/** An API (RFC 8707 resource server). */
export interface BenchApi {
  identifier: string;
  name: string;
  tokenFormat: 'opaque' | 'jwt';
  signingAlg: string;
  scopes: string[];
  /** Seconds; the same on both sides (Portcullis's default for JWT APIs is 300). */
  accessTokenTtlSeconds: number | undefined;
  /** Clients that may introspect its tokens (Portcullis only: stock lets any confidential client). */
  introspectionClientIds: string[];
  /** Clients an admin let get its tokens with client credentials, for all its scopes (Portcullis only). */
  clientCredentialsClientIds: string[];
}

export interface BenchUser {
  username: string;
  password: string;
  email: string;
}

export interface BenchFixtures {
  /** Signs users in (authorization code + PKCE) and refreshes (rotation). */
  web: BenchClient;
  /** A service getting tokens with client credentials. */
  service: BenchClient;
  /** An API introspecting the tokens it is handed. */
  api: BenchClient;
  apis: { opaque: BenchApi; es256: BenchApi; rs256: BenchApi };
  users: BenchUser[];
  redirectUri: string;
  /** What the sign-in scenario asks for: `offline_access` so the refresh scenario has tokens. */
  scope: string;
}

/** Token lifetimes (seconds) as Portcullis's configuration names them (`ttl.*`). */
export interface BenchTtl {
  accessToken: number;
  authorizationCode: number;
  idToken: number;
  refreshToken: number;
  clientCredentials: number;
  session: number;
  grant: number;
  interaction: number;
}

/** What a server process is started with (sent over IPC, so plain JSON). */
export interface ServerSpec {
  port: number;
  issuer: string;
  fixtures: BenchFixtures;
  ttl: BenchTtl;
  /** Signing algorithms with a key each; the first signs introspection responses. */
  algorithms: string[];
  /** What signs ID tokens (Portcullis's `oidc.idTokenSigningAlg`, RS256 by default). */
  idTokenSigningAlg: string;
  /** Portcullis only. */
  store?: {
    backend: 'sqlite' | 'memory' | 'mongodb';
    dataDir?: string;
    mongoUri?: string;
    mongoDb?: string;
  };
  logLevel?: string;
}

/** What a server process answers once it listens. */
export interface ServerReady {
  url: string;
  /** Which scenarios it cannot serve, with the reason (e.g. no resource-server registry). */
  unsupported: Record<string, string>;
  /** Portcullis: the lifetimes its configuration resolved, checked against the stock's. */
  ttl?: BenchTtl;
  algorithms?: string[];
}

const REDIRECT_URI = 'https://rp.bench.example/callback';

function secret(): string {
  return randomBytes(32).toString('base64url');
}

function serviceClient(
  clientId: string,
  portcullisMetadata: Record<string, unknown> = {},
): BenchClient {
  const clientSecret = secret();
  return {
    clientId,
    clientSecret,
    metadata: {
      client_id: clientId,
      client_secret: clientSecret,
      client_name: clientId,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    portcullisMetadata,
  };
}

export function createFixtures(userCount: number): BenchFixtures {
  const webSecret = secret();
  const web: BenchClient = {
    clientId: 'bench-web',
    clientSecret: webSecret,
    metadata: {
      client_id: 'bench-web',
      client_secret: webSecret,
      client_name: 'Bench Web App',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    portcullisMetadata: {},
  };
  const service = serviceClient('bench-service');
  const api = serviceClient('bench-api', { resource_server: true });
  const apiBase = {
    scopes: ['bench:read'],
    introspectionClientIds: [api.clientId],
    clientCredentialsClientIds: [service.clientId],
  };
  return {
    web,
    service,
    api,
    apis: {
      opaque: {
        ...apiBase,
        identifier: 'https://api.bench.example/opaque',
        name: 'Bench opaque API',
        tokenFormat: 'opaque',
        signingAlg: 'ES256',
        accessTokenTtlSeconds: undefined,
      },
      es256: {
        ...apiBase,
        identifier: 'https://api.bench.example/es256',
        name: 'Bench ES256 API',
        tokenFormat: 'jwt',
        signingAlg: 'ES256',
        accessTokenTtlSeconds: 300,
      },
      rs256: {
        ...apiBase,
        identifier: 'https://api.bench.example/rs256',
        name: 'Bench RS256 API',
        tokenFormat: 'jwt',
        signingAlg: 'RS256',
        accessTokenTtlSeconds: 300,
      },
    },
    users: Array.from({ length: userCount }, (_, i) => ({
      username: `bench-user-${i}`,
      password: `pw-${secret()}`,
      email: `bench-user-${i}@bench.example`,
    })),
    redirectUri: REDIRECT_URI,
    scope: 'openid profile email offline_access',
  };
}

/** `Authorization: Basic` for a client (RFC 6749 §2.3.1: form-urlencoded, then base64). */
export function basicAuth(client: Pick<BenchClient, 'clientId' | 'clientSecret'>): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64')}`;
}
