/**
 * What a team would run instead of Portcullis: a plain `oidc-provider` with its built-in
 * in-memory adapter, configured like Portcullis (the same clients, APIs, features, token
 * lifetimes, signing algorithms and key sizes, PKCE for every client, development interactions
 * off), plus the smallest login and consent pages that check passwords with the same argon2id
 * parameters. It deliberately imports nothing from src/, so Portcullis's code cannot leak into
 * the stock side's CPU or memory.
 *
 * Started by server-process.ts in a process of its own, so its CPU and memory are measured apart.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { BenchApi, ServerReady, ServerSpec } from './bench-fixtures.ts';
import { serveParent } from './server-channel.ts';

// The parameters of src/accounts/password-hasher.ts (argon2id, OWASP minimum: m=19 MiB, t=2, p=1).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// OIDC Core §5.4, as Portcullis configures it.
const CLAIMS = {
  openid: ['sub'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};
const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone'];

interface Account {
  id: string;
  username: string;
  email: string;
  passwordHash: string;
}

/** One key per algorithm, the kinds and sizes Portcullis generates (src/oidc/signing-keys.ts). */
function signingKeys(algorithms: readonly string[]): Record<string, unknown>[] {
  return algorithms.map((alg) => {
    const { privateKey } =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
      kid: randomUUID(),
      alg,
      use: 'sig',
    };
  });
}

/** The API as oidc-provider's `ResourceServer`: every scope it defines may be granted. */
function resourceServer(api: BenchApi) {
  return {
    scope: api.scopes.join(' '),
    audience: api.identifier,
    accessTokenFormat: api.tokenFormat,
    ...(api.accessTokenTtlSeconds === undefined
      ? {}
      : { accessTokenTTL: api.accessTokenTtlSeconds }),
    ...(api.tokenFormat === 'jwt' ? { jwt: { sign: { alg: api.signingAlg } } } : {}),
  };
}

function configuration(spec: ServerSpec, accountsById: Map<string, Account>): Configuration {
  const { fixtures, ttl, algorithms } = spec;
  const [defaultAlg = 'ES256'] = algorithms;
  const apis = new Map(Object.values(fixtures.apis).map((api) => [api.identifier, api]));
  return {
    clients: [fixtures.web, fixtures.service, fixtures.api].map(
      (c) => c.metadata,
    ) as unknown as Configuration['clients'],
    jwks: { keys: signingKeys(algorithms) } as Configuration['jwks'],
    async findAccount(_ctx, sub) {
      const account = accountsById.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        claims: () => ({
          sub: account.id,
          name: account.username,
          email: account.email,
          email_verified: true,
        }),
      };
    },
    claims: CLAIMS,
    scopes: SCOPES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    clientDefaults: {
      scope: SCOPES.join(' '),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: spec.idTokenSigningAlg,
      introspection_signed_response_alg: defaultAlg,
    } as Configuration['clientDefaults'],
    enabledJWA: {
      idTokenSigningAlgValues: algorithms,
      userinfoSigningAlgValues: algorithms,
      introspectionSigningAlgValues: algorithms,
      authorizationSigningAlgValues: algorithms,
    } as Configuration['enabledJWA'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      registration: { enabled: true, initialAccessToken: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      jwtIntrospection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(_ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) {
          return oneOf?.length === 1 ? oneOf[0] : oneOf;
        },
        async useGrantedResource() {
          return false;
        },
        async getResourceServerInfo(_ctx: KoaContextWithOIDC, indicator: string) {
          const api = apis.get(indicator);
          if (!api)
            throw new errors.InvalidTarget('the resource indicator is not a registered API');
          return resourceServer(api);
        },
      } as NonNullable<Configuration['features']>['resourceIndicators'],
      dPoP: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      ClientCredentials: (_ctx, token) =>
        token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
      IdToken: ttl.idToken,
      Interaction: ttl.interaction,
      Session: ttl.session,
      Grant: ttl.grant,
      RefreshToken(_ctx, token) {
        const now = Math.floor(Date.now() / 1000);
        const issuedAt = typeof token.iiat === 'number' ? token.iiat : now;
        return Math.max(1, ttl.refreshToken - (now - issuedAt));
      },
    },
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, form: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${form}</body></html>`,
  );
}

async function readForm(req: IncomingMessage, limit = 16_384): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

let server: Server | undefined;

async function start(spec: ServerSpec): Promise<ServerReady> {
  const accountsById = new Map<string, Account>();
  const accountsByName = new Map<string, Account>();
  for (const user of spec.fixtures.users) {
    const account = {
      id: randomUUID(),
      username: user.username,
      email: user.email,
      passwordHash: await hash(user.password, ARGON2),
    };
    accountsById.set(account.id, account);
    accountsByName.set(account.username, account);
  }
  const provider = new Provider(spec.issuer, configuration(spec, accountsById));
  const callback = provider.callback();

  /** The minimal login and consent pages (oidc-provider's interaction API, as its examples use it). */
  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return page(res, 400, 'Wrong interaction', '');
    const base = `/interaction/${escapeHtml(uid)}`;
    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login') {
        return page(
          res,
          200,
          'Sign in',
          `<form method="post" action="${base}/login"><input name="username" autocomplete="username"><input name="password" type="password"><button>Sign in</button></form>`,
        );
      }
      return page(
        res,
        200,
        'Allow access?',
        `<form method="post" action="${base}/consent"><button name="decision" value="approve">Allow</button></form>`,
      );
    }
    if (req.method === 'POST' && action === 'login' && details.prompt.name === 'login') {
      const form = await readForm(req);
      const account = accountsByName.get(form.get('username') ?? '');
      const ok =
        account !== undefined && (await verify(account.passwordHash, form.get('password') ?? ''));
      if (!account || !ok) return page(res, 401, 'Sign in', '<p>Wrong username or password.</p>');
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.id } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (req.method === 'POST' && action === 'consent' && details.prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      if (!accountId) return page(res, 400, 'No session', '');
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      if (!grant) return page(res, 400, 'No grant', '');
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    page(res, 400, 'Unexpected request', '');
  }

  server = createServer((req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|consent))?$/.exec(
      (req.url ?? '').split('?')[0] ?? '',
    );
    if (!match?.[1]) {
      void callback(req, res);
      return;
    }
    interaction(req, res, match[1], match[2]).catch((err: unknown) => {
      if (!res.headersSent)
        page(res, (err as { name?: string }).name === 'SessionNotFound' ? 400 : 500, 'Error', '');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server?.once('error', reject);
    server?.listen(spec.port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${spec.port}`, unsupported: {} };
}

serveParent({
  start,
  async stop() {
    const s = server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  },
});
