/**
 * docs/rbac.md's worked example, run as documented: the commands between its
 * `worked-example:start` and `:end` markers are read from the page and run with the CLI (on the
 * server's sqlite store), then alice signs in through the real pages with openid-client and the
 * example API (examples/resource-server, REQUIRED_ROLE=orders-reader) answers as the page says.
 * A change to the page's commands is a change to what this test runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { runCliInProcess } from '../helpers/run-cli-in-process.ts';
import { completeSignIn, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import { startExampleApi, type ExampleApi } from './resource-server-setup.ts';

const dataDir = tempDir('portcullis-rbac-example-');
const PASSWORD = 'correct horse battery staple orders';
let server: TestServer;
const vars = new Map<string, string>();

// `user add` reads the password from the first line of standard input.
const cli = (argv: string[]) =>
  runCliInProcess(
    argv,
    { STORE: 'sqlite', DATA_DIR: dataDir.path, NODE_ENV: 'test' },
    `${PASSWORD}\n`,
  );

/** Shell words of one command line: double quotes group, `$NAME` expands from `vars`. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|(\S+)/g)) {
    const word = match[1] ?? match[2] ?? '';
    out.push(word.replace(/\$([A-Z_]+)/g, (_all, name: string) => vars.get(name) ?? `$${name}`));
  }
  return out;
}

/** The documented commands, in order: continuation lines joined, comments kept apart. */
function documentedSteps(): { command?: string[]; sets?: string[] }[] {
  const page = readFileSync(new URL('../../docs/rbac.md', import.meta.url), 'utf8');
  const block =
    /<!-- worked-example:start -->\s*```sh\n([\s\S]*?)```\s*<!-- worked-example:end -->/.exec(
      page,
    )?.[1];
  if (!block) throw new Error('docs/rbac.md has no worked-example block');
  const steps: { command?: string[]; sets?: string[] }[] = [];
  for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
    const trimmed = line.trim();
    const sets = /^#\s*→\s*(.+)$/.exec(trimmed)?.[1];
    if (sets) steps.push({ sets: sets.split(',').map((s) => s.trim()) });
    else if (trimmed.startsWith('portcullis ')) {
      // A trailing comment is not part of the command.
      steps.push({ command: words(trimmed.replace(/\s+#.*$/, '')).slice(1) });
    }
  }
  return steps;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

let exampleApi: ExampleApi | undefined;
const identifier = 'https://api.example.com/orders';
const redirectUri = 'https://orders.example.com/callback';

/** A user signs in to the documented app through the pages; the app redeems for the API. */
async function signIn(username: string, scope: string) {
  const rp = await server.rp(vars.get('APP_CLIENT_ID') ?? '', vars.get('APP_CLIENT_SECRET'));
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, rp, redirectUri, { scope, resource: identifier });
  const user = { username, password: PASSWORD };
  const afterLogin = await browser.submit(auth.page, '/login', user);
  const consent = await browser.follow(afterLogin, redirectUri);
  const callback = await completeSignIn(browser, { ...auth, page: consent }, user, redirectUri);
  const tokens = await oidc.authorizationCodeGrant(
    rp,
    new URL(callback),
    { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce },
    { resource: identifier },
  );
  return { consent: consent.text, tokens, rp };
}

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
});
afterAll(async () => {
  await exampleApi?.stop();
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

describe('docs/rbac.md worked example', () => {
  it('runs as documented: role and scope in the API token, checked by the example API', async () => {
    let lastJson: Record<string, unknown> = {};
    const steps = documentedSteps();
    expect(steps.filter((s) => s.command).length).toBeGreaterThanOrEqual(8);
    for (const step of steps) {
      if (step.sets) {
        // `→ X_CLIENT_ID, X_CLIENT_SECRET`: from the JSON the command before printed.
        for (const name of step.sets) {
          const field = name.endsWith('_SECRET') ? 'client_secret' : 'client_id';
          vars.set(name, String(lastJson[field]));
        }
        continue;
      }
      const argv = (step.command ?? []).map((w) =>
        w.replace(/\$([A-Z_]+)/g, (_all, n: string) => vars.get(n) ?? ''),
      );
      const run = await cli(argv);
      expect({ argv, code: run.code, stderr: run.stderr }).toEqual({
        argv,
        code: 0,
        stderr: expect.any(String),
      });
      if (argv.includes('--json')) lastJson = JSON.parse(run.stdout) as Record<string, unknown>;
    }

    // 4. The example API, requiring the role.
    exampleApi = await startExampleApi(
      server,
      {
        identifier,
        introspector: {
          clientId: vars.get('API_CLIENT_ID') ?? '',
          clientSecret: vars.get('API_CLIENT_SECRET') ?? '',
        },
      },
      { requiredRole: 'orders-reader' },
    );

    // 5. Alice signs in to the app asking for both permissions.
    const { consent, tokens, rp } = await signIn(
      'alice',
      'openid offline_access roles orders:read orders:write',
    );
    expect(consent).toContain('Your roles (what you are allowed to do)');
    expect(consent).toContain('Read your orders');
    expect(consent).not.toContain('Place orders');
    expect(claimsOf(tokens.access_token)).toMatchObject({
      aud: identifier,
      scope: 'orders:read',
      roles: ['orders-reader'],
    });

    // 6. The API reads with the role and scope, refuses to place an order.
    const bearer = { authorization: `Bearer ${tokens.access_token}` };
    const read = await fetch(`${exampleApi.url}/orders/local`, { headers: bearer });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { roles: unknown }).roles).toEqual(['orders-reader']);
    expect((await fetch(`${exampleApi.url}/orders`, { headers: bearer })).status).toBe(200);
    const write = await fetch(`${exampleApi.url}/orders/local`, {
      method: 'POST',
      headers: bearer,
    });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');

    // 7. Out of the group: the next token has neither the role nor the scope.
    expect((await cli(['group', 'update', 'support', '--remove-user', 'alice'])).code).toBe(0);
    const next = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', {
      resource: identifier,
    });
    expect(claimsOf(next.access_token).roles).toBeUndefined();
    const refused = await fetch(`${exampleApi.url}/orders/local`, {
      headers: { authorization: `Bearer ${next.access_token}` },
    });
    expect(refused.status).toBe(403);
  });

  it('the example API refuses a token with the scope but without the required role', async () => {
    expect((await cli(['user', 'add', 'bob'])).code).toBe(0);
    expect((await cli(['user', 'roles', 'bob', '--add', 'orders-writer'])).code).toBe(0);
    const { tokens } = await signIn('bob', 'openid roles orders:read');
    expect(claimsOf(tokens.access_token)).toMatchObject({
      scope: 'orders:read',
      roles: ['orders-writer'],
    });
    const res = await fetch(`${exampleApi?.url ?? ''}/orders/local`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('needs the role orders-reader');
  });
});
