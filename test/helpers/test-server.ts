import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'portcullis-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestServer extends RunningServer {
  issuer: string;
  config: Config;
  /** Creates a user with a random password; returns both. */
  createUser(overrides?: {
    username?: string;
    email?: string;
    name?: string;
  }): Promise<{ id: string; username: string; password: string; email: string }>;
  /** Stores a client directly (test setup); returns its id and secret. */
  createClient(
    metadata?: Record<string, unknown>,
  ): Promise<{ clientId: string; clientSecret: string; redirectUri: string }>;
  /** An openid-client Configuration for a client, the way a relying party discovers us. */
  rp(clientId: string, clientSecret?: string): Promise<oidc.Configuration>;
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Starts a real server on a free loopback port, as `npm start` would, with test settings. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const issuer = env.ISSUER ?? `http://127.0.0.1:${port}`;
  const result = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (!result.ok) throw new Error(`test config invalid: ${result.errors.join('; ')}`);
  const { config } = result;
  const running = await startServer(config, createLogger({ level: config.log.level }));
  const { store, accounts } = running.services;

  return {
    ...running,
    issuer,
    config,
    async createUser(overrides = {}) {
      const username = overrides.username ?? unique('user');
      const email = overrides.email ?? `${username}@example.com`;
      const password = `pw-${randomBytes(12).toString('base64url')}`;
      const account = await accounts.create({
        username,
        email,
        emailVerified: true,
        password,
        claims: { name: overrides.name ?? 'Test User' },
      });
      return { id: account.id, username, password, email };
    },
    async createClient(metadata = {}) {
      const clientId = unique('client');
      const clientSecret = randomBytes(32).toString('base64url');
      const redirectUri = 'https://rp.example/callback';
      await store.oidc.upsert('Client', clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: 'Test App',
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: ['https://rp.example/signed-out'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        ...metadata,
      });
      return { clientId, clientSecret, redirectUri };
    },
    async rp(clientId, clientSecret) {
      return oidc.discovery(
        new URL(issuer),
        clientId,
        undefined,
        clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(clientSecret),
        { execute: [oidc.allowInsecureRequests] },
      );
    },
  };
}
