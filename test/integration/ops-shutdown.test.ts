import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { loadConfig } from '../../src/config/load-config.ts';
import { createStore } from '../../src/storage/create-store.ts';
import { freePort, tempDir, unique } from '../helpers/test-server.ts';
import { spawnServer, waitFor, type Spawned } from '../helpers/spawn-server.ts';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

const data = tempDir('portcullis-shutdown-');
let port: number;
let client: { id: string; secret: string };
let server: Spawned;

beforeAll(async () => {
  port = await freePort();
  const env = { NODE_ENV: 'test', STORE: 'sqlite', DATA_DIR: data.path };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  // A client for the token request, written to the same SQLite file the server will open.
  const store = await createStore(loaded.config);
  client = { id: unique('service'), secret: randomBytes(32).toString('base64url') };
  await store.oidc.upsert('Client', client.id, {
    client_id: client.id,
    client_secret: client.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  await store.close();

  server = spawnServer({
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
    SHUTDOWN_GRACE_SECONDS: '10',
  });
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200,
    'the server to listen',
  );
});
afterAll(() => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  data.remove();
});

describe('graceful shutdown of the real process', () => {
  it('on SIGTERM refuses new connections, finishes the in-flight token request with 200 and exits 0', async () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: '' }).toString();
    const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64');
    // A token request whose body arrives slowly: the server has begun answering it (headers
    // read, middleware running, body awaited) when SIGTERM arrives.
    const inFlight = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/token',
      agent: false,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        authorization: `Basic ${basic}`,
      },
    });
    const answer = new Promise<{ status: number; json: Record<string, unknown> }>(
      (resolve, reject) => {
        inFlight.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(text) as Record<string, unknown>,
            }),
          );
        });
        inFlight.on('error', reject);
      },
    );
    inFlight.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 300));

    server.child.kill('SIGTERM');
    await waitFor(
      () => server.lines.some((l) => l.includes('"event":"server.stopping"')),
      'the server to start stopping',
      5_000,
    );
    await waitFor(() => refused(port), 'new connections to be refused', 5_000);
    expect(server.child.exitCode).toBeNull(); // still draining the request

    inFlight.end(body.slice(10));
    const { status, json } = await answer;
    expect(status).toBe(200);
    expect(json).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });

    const { code, signal } = await server.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(server.lines.some((l) => l.includes('"event":"server.stopped"'))).toBe(true);
    expect(await refused(port)).toBe(true);
  });
});
