import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ProviderHolder } from '../../src/oidc/provider-holder.ts';
import { buildAppDeps } from '../helpers/app-deps.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

/** A probe as the kubelet sends it: to the pod's address, with that address as the Host. */
function probe(path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Kubernetes probes', () => {
  it('answers /healthz and /readyz to a probe addressed by pod IP, which the host check would refuse', async () => {
    expect((await probe('/.well-known/openid-configuration', '10.1.2.3:3000')).status).toBe(421);
    expect(await probe('/healthz', '10.1.2.3:3000')).toEqual({
      status: 200,
      body: '{"status":"ok"}',
    });
    const ready = await probe('/readyz', '10.1.2.3:3000');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ok', checks: { store: 'ok', keys: 'ok' } });
  });

  it('turns /readyz unready when no signing keys are loaded, and stays live', async () => {
    const loaded = loadConfig({ NODE_ENV: 'test' });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    // A holder that has not built a provider yet: its `current` throws, as the real one does.
    const noKeys: ProviderHolder = {
      get current(): never {
        throw new Error('provider not built');
      },
    };
    const { deps, services } = await buildAppDeps(loaded.config, {
      providers: noKeys,
      store: { ping: async () => undefined },
    });
    const app = createApp(deps);
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(listener.address() as { port: number }).port}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        checks: { store: 'ok', keys: 'failing' },
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
      await services.close();
    }
  });

  it('turns /readyz unready once the store is closed (as during shutdown)', async () => {
    const closing = await startTestServer();
    try {
      await closing.services.store.close();
      const ready = await fetch(`${closing.issuer}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        checks: { store: 'failing', keys: 'ok' },
      });
    } finally {
      await closing.stop({ graceMs: 100 });
    }
  });
});
