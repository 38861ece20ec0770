/**
 * Protocol correctness with a second client library, in another language (issue 12, items 1–5):
 * a relying party written with Python's authlib + requests (test/rp/python/rp_flow.py), used with
 * authlib's defaults, signs a user in through our login and consent pages, validates the ID token,
 * refreshes, gets client-credentials tokens and probes error answers. openid-client, which the
 * server was written against, forgives what other clients do not; this suite is the other client.
 *
 * The Python program only reports what it saw (one JSON object); every assertion is here.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensurePythonRp, PYTHON_RP_DIR } from '../helpers/python-rp.ts';
import { freePort, startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import { machineClient, registerApi, type RegisteredApi } from './resource-server-setup.ts';

const run = promisify(execFile);

/** What rp_flow.py reports of one HTTP answer. */
interface Answer {
  status: number;
  content_type: string;
  www_authenticate: string | null;
  json: Record<string, unknown> | null;
  text: string;
}

interface Failure {
  exception: string;
  message: string;
  error?: string;
  description?: string;
  response?: Answer;
}

interface SignInStep {
  error?: Failure;
  login_page?: boolean;
  consent_page?: boolean;
  token_keys?: string[];
  scope?: string;
  id_token_header?: { alg?: string; kid?: string } | null;
  userinfo_from_id_token?: Record<string, unknown>;
  id_token_error?: Failure;
  userinfo_endpoint?: Record<string, unknown>;
  userinfo_endpoint_error?: Failure;
  refreshed_keys?: string[];
  refresh_error?: Failure;
}

interface Observations {
  discovery: { issuer: string; id_token_signing_alg_values_supported: string[] };
  sign_in: SignInStep;
  offline_access: SignInStep;
  client_credentials_no_resource: {
    token?: Record<string, unknown>;
    error?: Failure;
    response: Answer | null;
  };
  revoke_jwt: {
    error?: Failure;
    jwt?: boolean;
    active_before?: unknown;
    revocation?: Answer;
    active_after?: unknown;
  };
  probes: Record<string, Answer & { error?: Failure }>;
}

/** The installs are done once per machine (ensurePythonRp); the flow itself takes seconds. */
const SETUP_TIMEOUT_MS = 300_000;
const RP_TIMEOUT_MS = 90_000;

let server: TestServer;
let data: ReturnType<typeof tempDir>;
let api: RegisteredApi;
let user: { id: string; username: string; password: string; email: string };
let clientId: string;
let seen: Observations;

beforeAll(async () => {
  // No venv (no package index, no python3): every test below fails with this one line.
  const python = await ensurePythonRp();

  data = tempDir();
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: data.path });
  user = await server.createUser({ name: 'Ada Lovelace' });
  // A local redirect URI that nothing serves: the scripted browser stops at the redirect to it.
  const redirectUri = `http://127.0.0.1:${await freePort()}/auth/callback`;
  const client = await server.createClient({ redirect_uris: [redirectUri] });
  const offlineClient = await server.createClient({ redirect_uris: [redirectUri] });
  clientId = client.clientId;
  api = await registerApi(server, { format: 'jwt', scopes: ['orders:read'] });
  const machine = await machineClient(server, api, ['orders:read']);

  const config = {
    issuer: server.issuer,
    redirect_uri: redirectUri,
    username: user.username,
    password: user.password,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    offline_client_id: offlineClient.clientId,
    offline_client_secret: offlineClient.clientSecret,
    machine_client_id: machine.clientId,
    machine_client_secret: machine.clientSecret,
    api: api.identifier,
    introspector_id: api.introspector.clientId,
    introspector_secret: api.introspector.clientSecret,
  };
  const { stdout } = await run(
    python,
    [join(PYTHON_RP_DIR, 'rp_flow.py'), JSON.stringify(config)],
    {
      timeout: RP_TIMEOUT_MS,
      // authlib refuses http:// endpoints unless told this is a test; the issuer is loopback http.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AUTHLIB_INSECURE_TRANSPORT: '1',
        NO_PROXY: '*',
      },
    },
  );
  seen = JSON.parse(stdout) as Observations;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  data?.remove();
});

/** A JSON error answer (RFC 6749 §5.2): the status, application/json and the error code. */
function expectJsonError(answer: Answer | undefined, status: number, error: string): void {
  expect(answer).toMatchObject({
    status,
    content_type: expect.stringMatching(/^application\/json\b/),
    json: { error },
  });
}

describe('the authlib relying party signs a user in', () => {
  it('goes through the login and consent pages and redeems the code (PKCE S256, state checked by authlib)', () => {
    expect(seen.sign_in.error).toBeUndefined();
    expect(seen.sign_in).toMatchObject({ login_page: true, consent_page: true });
    expect(seen.sign_in.token_keys).toEqual(
      expect.arrayContaining(['access_token', 'id_token', 'token_type']),
    );
  });

  it('reads the user from the userinfo endpoint', () => {
    expect(seen.sign_in.userinfo_endpoint_error).toBeUndefined();
    expect(seen.sign_in.userinfo_endpoint).toMatchObject({
      sub: user.id,
      email: user.email,
      name: 'Ada Lovelace',
    });
  });
});

describe('ID tokens (issue 12, items 2 and 3)', () => {
  // OIDC Registration §2: id_token_signed_response_alg "The default, if omitted, is RS256";
  // many client libraries accept nothing else unless configured.
  it('are RS256 for a client registered without id_token_signed_response_alg', () => {
    expect(seen.discovery.id_token_signing_alg_values_supported).toContain('RS256');
    expect(seen.sign_in.id_token_header?.alg).toBe('RS256');
  });

  it("pass authlib's default validation (JWKS and algorithms from discovery, CodeIDToken claims)", () => {
    expect(seen.sign_in.id_token_error).toBeUndefined();
    expect(seen.sign_in.userinfo_from_id_token).toMatchObject({
      iss: server.issuer,
      aud: clientId,
      sub: user.id,
    });
  });

  // authlib's documented client code reads the user from the ID token (token['userinfo']), not
  // from the userinfo endpoint: the claims of the requested scopes must be in it (OIDC Core §5.4).
  it('carry email and name when the scope asks for email and profile', () => {
    expect(seen.sign_in.userinfo_from_id_token).toMatchObject({
      email: user.email,
      email_verified: true,
      name: 'Ada Lovelace',
    });
  });
});

describe('offline_access without prompt=consent (issue 12, item 4)', () => {
  // OIDC Core §11 lets the provider decide whether to honour offline_access; the user was shown
  // the consent page and approved, which is the consent §11 asks for.
  it('gives a refresh token once the user approved on the consent page, and authlib refreshes with it', () => {
    expect(seen.offline_access.error).toBeUndefined();
    expect(seen.offline_access.consent_page).toBe(true);
    expect(seen.offline_access.token_keys).toContain('refresh_token');
    expect(seen.offline_access.refresh_error).toBeUndefined();
    expect(seen.offline_access.refreshed_keys).toEqual(
      expect.arrayContaining(['access_token', 'refresh_token']),
    );
  });
});

describe("client credentials for an API's scope without resource= (issue 12, item 5)", () => {
  // RFC 6749 §5.2 invalid_scope rather than a token without the scope that was asked for: the
  // API's scopes are granted only in tokens for the API (RFC 8707), so the answer names it.
  it("answers invalid_scope naming the API's identifier to send as resource", () => {
    const step = seen.client_credentials_no_resource;
    expect(step.token).toBeUndefined();
    expectJsonError(step.response ?? undefined, 400, 'invalid_scope');
    expect(step.error).toMatchObject({ exception: 'OAuthError', error: 'invalid_scope' });
    expect(step.error?.description).toContain(api.identifier);
  });
});

describe('JSON errors whatever Accept says (issue 12, item 1)', () => {
  // Every probe sends Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8, as browsers and
  // many Java HTTP clients do. A token-family endpoint has no HTML answer (RFC 6749 §5.2,
  // RFC 7009 §2.2.1, RFC 7662 §2.3, RFC 7591 §3.2.2).
  it.each([
    ['token_invalid_grant', 400, 'invalid_grant'],
    ['token_invalid_client', 401, 'invalid_client'],
    ['revocation_invalid_client', 401, 'invalid_client'],
    ['introspection_invalid_client', 401, 'invalid_client'],
    ['registration_bad_initial_access_token', 401, 'invalid_token'],
  ])('%s: %i application/json with error %s', (probe, status, error) => {
    expect(seen.probes[probe]?.error).toBeUndefined();
    expectJsonError(seen.probes[probe], status, error);
  });

  // RFC 6750 §3: the refusal is in WWW-Authenticate; a body, if any, is the JSON error.
  it('userinfo_bad_token: 401 with WWW-Authenticate Bearer error="invalid_token" and a JSON or empty body', () => {
    const probe = seen.probes.userinfo_bad_token;
    expect(probe?.status).toBe(401);
    expect(probe?.www_authenticate).toMatch(/^Bearer\b.*\berror="invalid_token"/);
    if (probe?.text !== '') {
      expect(probe?.content_type).toMatch(/^application\/json\b/);
      expect(probe?.json).toMatchObject({ error: 'invalid_token' });
    }
  });

  it('revokes a JWT access token (200) and introspection then answers inactive', () => {
    const step = seen.revoke_jwt;
    expect(step.error).toBeUndefined();
    expect(step).toMatchObject({ jwt: true, active_before: true });
    expect(step.revocation).toMatchObject({ status: 200, text: '' });
    expect(step.active_after).toBe(false);
  });
});
