import { Agent } from 'node:http';
import type { AutocannonClient, AutocannonRequest } from 'autocannon';
import type { ScenarioName } from './bench-options.ts';
import {
  basicAuth,
  type BenchApi,
  type BenchClient,
  type BenchFixtures,
} from './bench-fixtures.ts';
import { mapLimited, runHttpLoad, runSignInLoad, type LoadResult } from './load-runners.ts';
import { httpRequest, signIn, type TokenSet } from './virtual-user.ts';

/**
 * The scenarios. Each prepares what one run needs *before* the clock starts (token pools, fresh
 * refresh tokens), checks with one probe request that the server answers what the scenario
 * claims to measure (an opaque token, an ES256 JWT, an active introspection), and then loads it
 * for a given time. Both servers get exactly the same requests.
 */

export interface ScenarioTarget {
  /** The issuer URL (also where requests go). */
  url: string;
  fixtures: BenchFixtures;
}

export interface ScenarioOptions {
  connections: number;
  signinConcurrency: number;
}

/** One run, prepared: `run` applies the load for `seconds` and is called once. */
export type PreparedRun = (seconds: number) => Promise<LoadResult>;

export interface Scenario {
  name: ScenarioName;
  /** What one unit of the rate is. */
  unit: string;
  description: string;
  prepare(target: ScenarioTarget, options: ScenarioOptions): Promise<PreparedRun>;
}

/** A refusal to run: the server cannot do what the scenario measures (shown as n/a). */
export class ScenarioUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioUnavailable';
  }
}

const FORM = 'application/x-www-form-urlencoded';
/** Opaque tokens introspected per run, round robin (no single hot row in any store). */
const INTROSPECTION_POOL = 256;

function tokenHeaders(client: BenchClient): Record<string, string> {
  return { 'content-type': FORM, authorization: basicAuth(client), accept: 'application/json' };
}

async function post(
  url: string,
  path: string,
  client: BenchClient,
  body: Record<string, string>,
  agent: Agent,
) {
  return httpRequest(agent, new URL(path, url), {
    method: 'POST',
    headers: tokenHeaders(client),
    body: new URLSearchParams(body).toString(),
  });
}

function jwtHeader(token: string): Record<string, unknown> | undefined {
  const [header, , , extra] = token.split('.');
  if (header === undefined || extra !== undefined || token.split('.').length !== 3)
    return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** One client-credentials request, checked to give the kind of token the scenario is about. */
async function probeClientCredentials(
  target: ScenarioTarget,
  body: Record<string, string>,
  expect: (token: string) => string | undefined,
) {
  const agent = new Agent({ keepAlive: false });
  const answer = await post(target.url, '/token', target.fixtures.service, body, agent);
  if (answer.status !== 200)
    throw new ScenarioUnavailable(
      `probe: token endpoint answered ${answer.status} ${answer.body.slice(0, 160)}`,
    );
  const token = (JSON.parse(answer.body) as { access_token?: string }).access_token ?? '';
  const problem = expect(token);
  if (problem) throw new ScenarioUnavailable(`probe: ${problem}`);
}

function clientCredentials(
  name: ScenarioName,
  api: (f: BenchFixtures) => BenchApi | undefined,
  description: string,
): Scenario {
  return {
    name,
    unit: 'tokens',
    description,
    async prepare(target, options) {
      const resource = api(target.fixtures);
      const body = {
        grant_type: 'client_credentials',
        ...(resource ? { resource: resource.identifier, scope: resource.scopes.join(' ') } : {}),
      };
      await probeClientCredentials(target, body, (token) => {
        const header = jwtHeader(token);
        if (!resource || resource.tokenFormat === 'opaque')
          return header ? 'expected an opaque access token, got a JWT' : undefined;
        if (header?.alg !== resource.signingAlg)
          return `expected a ${resource.signingAlg} JWT, got ${header ? String(header.alg) : 'an opaque token'}`;
        return header.typ === 'at+jwt'
          ? undefined
          : `expected typ at+jwt (RFC 9068), got ${String(header.typ)}`;
      });
      return (seconds) =>
        runHttpLoad(
          {
            url: target.url,
            connections: options.connections,
            method: 'POST',
            requests: [
              {
                path: '/token',
                headers: tokenHeaders(target.fixtures.service),
                body: new URLSearchParams(body).toString(),
              },
            ],
          },
          seconds,
        );
    },
  };
}

const introspect: Scenario = {
  name: 'introspect',
  unit: 'introspections',
  description:
    'an API (resource server) introspects valid opaque access tokens issued for it (RFC 7662)',
  async prepare(target, options) {
    const { fixtures } = target;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const tokens = await mapLimited(Array.from({ length: INTROSPECTION_POOL }), 16, async () => {
      const answer = await post(
        target.url,
        '/token',
        fixtures.service,
        {
          grant_type: 'client_credentials',
          resource: fixtures.apis.opaque.identifier,
          scope: fixtures.apis.opaque.scopes.join(' '),
        },
        agent,
      );
      if (answer.status !== 200)
        throw new ScenarioUnavailable(
          `minting tokens: token endpoint answered ${answer.status} ${answer.body.slice(0, 160)}`,
        );
      return (JSON.parse(answer.body) as { access_token: string }).access_token;
    });
    const probe = await post(
      target.url,
      '/token/introspection',
      fixtures.api,
      { token: tokens[0] ?? '' },
      agent,
    );
    agent.destroy();
    if (probe.status !== 200 || !probe.body.includes('"active":true')) {
      throw new ScenarioUnavailable(
        `probe: introspection answered ${probe.status} ${probe.body.slice(0, 160)}`,
      );
    }
    let next = 0;
    let inactive = 0;
    const request: AutocannonRequest = {
      method: 'POST',
      path: '/token/introspection',
      headers: tokenHeaders(fixtures.api),
      setupRequest(req) {
        req.body = `token=${tokens[next++ % tokens.length]}`;
        return req;
      },
      onResponse(status, body) {
        if (status >= 200 && status < 300 && !body.includes('"active":true')) inactive++;
      },
    };
    return (seconds) =>
      runHttpLoad(
        { url: target.url, connections: options.connections, requests: [request] },
        seconds,
        () => inactive,
      );
  },
};

/**
 * Refresh-token grant with rotation: every request needs the refresh token the previous answer
 * returned. Each connection starts from its own freshly signed-in refresh token and chains on
 * from each answer (so the load generator only parses one small JSON per request); a failed
 * link takes a spare token so one error does not stall the connection.
 */
const refresh: Scenario = {
  name: 'refresh',
  unit: 'refreshes',
  description:
    'refresh-token grant with rotation (RFC 9700 §4.14.2): each request presents the token the previous one returned',
  async prepare(target, options) {
    const { fixtures } = target;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const seedCount = options.connections + Math.ceil(options.connections / 4);
    const seeds = await mapLimited(
      Array.from({ length: seedCount }, (_, i) => i),
      8,
      async (i): Promise<string> => {
        const user = fixtures.users[i % fixtures.users.length];
        if (!user) throw new Error('no users');
        let tokens: TokenSet;
        try {
          tokens = await signIn(
            {
              issuer: target.url,
              agent,
              client: fixtures.web,
              redirectUri: fixtures.redirectUri,
              scope: fixtures.scope,
            },
            user,
          );
        } catch (err) {
          throw new ScenarioUnavailable(`signing in for refresh tokens: ${(err as Error).message}`);
        }
        if (!tokens.refresh_token)
          throw new ScenarioUnavailable('signing in gave no refresh token');
        return tokens.refresh_token;
      },
    );
    agent.destroy();
    let broken = 0;
    const bodyFor = (token: string) =>
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`;
    const setupClient = (client: AutocannonClient) => {
      let current = seeds.pop() ?? '';
      client.setRequests([
        {
          method: 'POST',
          path: '/token',
          headers: tokenHeaders(fixtures.web),
          body: bodyFor(current),
          onResponse(status, body) {
            const rotated =
              status === 200
                ? (JSON.parse(body) as { refresh_token?: string }).refresh_token
                : undefined;
            if (rotated) {
              current = rotated;
            } else {
              if (status === 200) broken++;
              current = seeds.pop() ?? current;
            }
            client.setBody(bodyFor(current));
          },
        },
      ]);
    };
    return (seconds) =>
      runHttpLoad(
        { url: target.url, connections: options.connections, setupClient },
        seconds,
        () => broken,
      );
  },
};

const signInScenario: Scenario = {
  name: 'signin',
  unit: 'sign-ins',
  description:
    'whole authorization-code flow with PKCE over HTTP: authorize, login form (argon2id), consent form, token',
  async prepare(target, options) {
    const { fixtures } = target;
    const base = {
      issuer: target.url,
      client: fixtures.web,
      redirectUri: fixtures.redirectUri,
      scope: fixtures.scope,
    };
    const [user] = fixtures.users;
    if (!user) throw new Error('no users');
    const agent = new Agent({ keepAlive: false });
    try {
      await signIn({ ...base, agent }, user);
    } catch (err) {
      throw new ScenarioUnavailable(`probe: ${(err as Error).message}`);
    }
    return (seconds) => runSignInLoad(base, fixtures.users, options.signinConcurrency, seconds);
  },
};

export const SCENARIO_LIST: readonly Scenario[] = [
  clientCredentials(
    'cc-opaque',
    () => undefined,
    'client-credentials grant, opaque access token (no resource indicator)',
  ),
  clientCredentials(
    'cc-jwt-es256',
    (f) => f.apis.es256,
    'client-credentials grant for an API with RFC 9068 JWT access tokens signed ES256',
  ),
  clientCredentials(
    'cc-jwt-rs256',
    (f) => f.apis.rs256,
    'client-credentials grant for an API with RFC 9068 JWT access tokens signed RS256',
  ),
  introspect,
  refresh,
  signInScenario,
];

export function scenarioNamed(name: ScenarioName): Scenario {
  const found = SCENARIO_LIST.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}
