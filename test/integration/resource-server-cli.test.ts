/**
 * `portcullis api …` against a real sqlite store, and a running server that follows the CLI's
 * changes at once (another process's writes, seen through the store's version tag).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import * as oidc from 'openid-client';
import { runCli } from '../../src/cli/run-cli.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import { introspect } from './resource-server-setup.ts';

const dataDir = tempDir('portcullis-api-cli-');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const stdin = new PassThrough();
  stdin.end('');
  const code = await runCli(argv, {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { STORE: 'sqlite', DATA_DIR: dataDir.path, NODE_ENV: 'test' },
    isTTY: false,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function json<T>(argv: string[]): Promise<T> {
  const run = await cli([...argv, '--json']);
  if (run.code !== 0)
    throw new Error(`portcullis ${argv.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface Client {
  client_id: string;
  client_secret: string;
}
interface Api {
  id: string;
  identifier: string;
  scopes: { name: string; description: string }[];
  token_format: string;
  access_token_ttl?: number;
  introspection_client_ids: string[];
  client_credentials_grants: { client_id: string; scopes: string[] }[];
}

describe('portcullis api', () => {
  it('registers an API, links its introspecting client and grants a worker, and the server follows', async () => {
    const apiClient = await json<Client>([
      'client',
      'add',
      '--name',
      'Orders API',
      '--grant-type',
      'client_credentials',
      '--resource-server',
    ]);
    const worker = await json<Client>([
      'client',
      'add',
      '--name',
      'worker',
      '--grant-type',
      'client_credentials',
    ]);
    const identifier = 'https://orders.example.com/api';
    const api = await json<Api>([
      'api',
      'add',
      '--identifier',
      identifier,
      '--name',
      'Orders',
      '--scope',
      'orders:read Read your orders',
      '--scope',
      'orders:write',
      '--introspection-client',
      apiClient.client_id,
      '--grant',
      `${worker.client_id} orders:read`,
    ]);
    expect(api).toMatchObject({
      identifier,
      token_format: 'jwt',
      scopes: [
        { name: 'orders:read', description: 'Read your orders' },
        { name: 'orders:write', description: '' },
      ],
      introspection_client_ids: [apiClient.client_id],
      client_credentials_grants: [{ client_id: worker.client_id, scopes: ['orders:read'] }],
    });

    // The running server, another process as far as the store is concerned, issues for it at once.
    const rp = await server.rp(worker.client_id, worker.client_secret);
    const tokens = await oidc.clientCredentialsGrant(rp, {
      resource: identifier,
      scope: 'orders:read orders:write',
    });
    expect(tokens.scope).toBe('orders:read');
    const caller = { clientId: apiClient.client_id, clientSecret: apiClient.client_secret };
    expect((await introspect(server, caller, { token: tokens.access_token })).body.active).toBe(
      true,
    );

    const shown = await cli(['api', 'show', identifier]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('orders:read  Read your orders');
    expect(shown.stdout).toContain('default (300 s)');
    expect((await cli(['api', 'list'])).stdout).toMatch(
      new RegExp(`${api.id}\\s+jwt\\s+2\\s+${identifier.replace(/[.]/g, '\\.')}`),
    );

    const updated = await json<Api>([
      'api',
      'update',
      api.id,
      '--ttl',
      '120',
      '--remove-scope',
      'orders:write',
      '--revoke-grant',
      worker.client_id,
      '--remove-introspection-client',
      apiClient.client_id,
    ]);
    expect(updated).toMatchObject({
      access_token_ttl: 120,
      scopes: [{ name: 'orders:read' }],
      client_credentials_grants: [],
      introspection_client_ids: [],
    });
    expect((await introspect(server, caller, { token: tokens.access_token })).body).toEqual({
      active: false,
    });
    await expect(oidc.clientCredentialsGrant(rp, { resource: identifier })).rejects.toMatchObject({
      error: 'invalid_target',
    });

    const audit = await cli(['audit', 'list']);
    expect(audit.stdout).toContain('admin.api.created');
    expect(audit.stdout).toContain('admin.api.updated');

    expect(await json<{ removed: boolean }>(['api', 'remove', identifier])).toMatchObject({
      removed: true,
    });
    expect((await cli(['api', 'show', identifier])).code).toBe(1);
  });

  it('reports bad input by field, and usage errors with exit code 2', async () => {
    const bad = await cli([
      'api',
      'add',
      '--identifier',
      'https://x.example.com/#frag',
      '--name',
      'X',
      '--scope',
      'openid',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('identifier');
    expect((await cli(['api', 'add', '--name', 'X'])).code).toBe(2);
    expect((await cli(['api', 'update', 'https://nowhere.example.com'])).code).toBe(2);
    expect((await cli(['api', 'update', 'x', '--ttl', '5', '--default-ttl'])).code).toBe(2);
    const help = await cli(['api', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: portcullis api <command>');
  });
});

describe('API scopes asked for the wrong way get an answer that says the right way (issue 12 item 5)', () => {
  it('client credentials without resource= answer invalid_scope naming the API and its identifier', async () => {
    const identifier = `https://scopes-${Date.now()}.example/api`;
    const worker = await json<Client>([
      'client',
      'add',
      '--name',
      'Worker',
      '--grant-type',
      'client_credentials',
    ]);
    await json([
      'api',
      'add',
      '--identifier',
      identifier,
      '--name',
      'Shipping',
      '--scope',
      'shipping:read',
      '--grant',
      `${worker.client_id} shipping:read`,
    ]);
    const rp = await server.rp(worker.client_id, worker.client_secret);

    const refused = await oidc
      .clientCredentialsGrant(rp, { scope: 'shipping:read' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(oidc.ResponseBodyError);
    const err = refused as oidc.ResponseBodyError;
    expect(err.status).toBe(400);
    expect(err.error).toBe('invalid_scope');
    expect(err.error_description).toContain(`resource=${identifier}`);
    expect(err.error_description).toContain('Shipping');

    const unknown = (await oidc
      .clientCredentialsGrant(rp, { scope: 'no-such:scope' })
      .catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(unknown.error).toBe('invalid_scope');

    // Asked the right way, the token carries the scope.
    const tokens = await oidc.clientCredentialsGrant(rp, {
      scope: 'shipping:read',
      resource: identifier,
    });
    expect(tokens.scope).toBe('shipping:read');
  });

  it('client add --scope with an API scope says which API defines it and how a client gets it', async () => {
    const identifier = `https://billing-${Date.now()}.example/api`;
    const api = await json<{ id: string }>([
      'api',
      'add',
      '--identifier',
      identifier,
      '--name',
      'Billing',
      '--scope',
      'billing:read',
    ]);
    const run = await cli([
      'client',
      'add',
      '--name',
      'App',
      '--redirect-uri',
      'https://app.example/cb',
      '--scope',
      'openid billing:read',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('Billing');
    expect(run.stderr).toContain(`resource=${identifier}`);
    expect(run.stderr).toContain(`portcullis api update ${api.id}`);
  });
});

describe('client show names the ID token algorithm in effect (issue 12 item 2)', () => {
  it('shows RS256 as the default and the algorithm a client chose', async () => {
    const plain = await json<Client>([
      'client',
      'add',
      '--name',
      'Plain',
      '--redirect-uri',
      'https://plain.example/cb',
    ]);
    const chosen = await json<Client>([
      'client',
      'add',
      '--name',
      'Chosen',
      '--redirect-uri',
      'https://chosen.example/cb',
      '--id-token-alg',
      'ES256',
    ]);
    expect((await cli(['client', 'show', plain.client_id])).stdout).toMatch(
      /id_token_signed_response_alg:\s+RS256 \(default\)/,
    );
    expect((await cli(['client', 'show', chosen.client_id])).stdout).toMatch(
      /id_token_signed_response_alg:\s+ES256\n/,
    );
    const refused = await cli([
      'client',
      'add',
      '--name',
      'Bad',
      '--redirect-uri',
      'https://bad.example/cb',
      '--id-token-alg',
      'HS256',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('id_token_signed_response_alg');
  });
});
