import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load-config.ts';
import { configSchema } from '../../src/config/schema.ts';
import { ENV_BINDINGS } from '../../src/config/env-map.ts';

const KEY = 'k'.repeat(40);

describe('loadConfig', () => {
  it('starts from config/default.json with the documented defaults', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.server.port).toBe(3000);
    expect(result.config.server.issuer).toBe('http://localhost:3000');
    expect(result.config.store.backend).toBe('sqlite');
    expect(result.config.store.dataDir).toBe('./data');
    expect(result.config.env).toBe('development');
  });

  it('derives the issuer from PORT and lets ISSUER override it, without a trailing slash', () => {
    const a = loadConfig({ PORT: '4000' });
    const b = loadConfig({ PORT: '4000', ISSUER: 'https://id.example.com/' });
    expect(a.ok && a.config.server.issuer).toBe('http://localhost:4000');
    expect(b.ok && b.config.server.issuer).toBe('https://id.example.com');
  });

  it('converts typed environment variables (integers, booleans, lists)', () => {
    const result = loadConfig({
      TRUST_PROXY: 'true',
      ALLOWED_HOSTS: 'a.example, b.example:8443',
      ACCESS_TOKEN_TTL: '120',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.server.trustProxy).toBe(true);
    expect(result.config.server.allowedHosts).toEqual(['a.example', 'b.example:8443']);
    expect(result.config.ttl.accessToken).toBe(120);
  });

  it('lists every bad key at once, named by its environment variable', () => {
    const result = loadConfig({
      PORT: 'abc',
      STORE: 'mongo',
      TRUST_PROXY: 'maybe',
      AUTHORIZATION_CODE_TTL: '3600',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT \(server\.port\): expected number, got "abc"/),
        expect.stringMatching(/^STORE \(store\.backend\): expected one of/),
        expect.stringMatching(/^TRUST_PROXY \(server\.trustProxy\): expected boolean/),
        expect.stringMatching(/^AUTHORIZATION_CODE_TTL/),
      ]),
    );
    expect(result.errors).toHaveLength(4);
  });

  it('refuses to start in production without cookie keys or with an http issuer', () => {
    const missing = loadConfig({ NODE_ENV: 'production', ISSUER: 'https://id.example.com' });
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.errors.join('\n')).toMatch(
        /COOKIE_KEYS \(secrets\.cookieKeys\): required in production/,
      );
    const http = loadConfig({
      NODE_ENV: 'production',
      ISSUER: 'http://id.example.com',
      COOKIE_KEYS: KEY,
    });
    expect(http.ok).toBe(false);
    if (!http.ok)
      expect(http.errors.join('\n')).toMatch(
        /ISSUER \(server\.issuer\): must be https in production/,
      );
    const noIssuer = loadConfig({ NODE_ENV: 'production', COOKIE_KEYS: KEY });
    expect(noIssuer.ok).toBe(false);
    if (!noIssuer.ok)
      expect(noIssuer.errors.join('\n')).toMatch(
        /ISSUER \(server\.issuer\): required in production/,
      );
    const good = loadConfig({
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      COOKIE_KEYS: KEY,
    });
    expect(good.ok).toBe(true);
  });

  it('trusts forwarded headers from loopback only by default, not from every private network', () => {
    const result = loadConfig({ TRUST_PROXY: 'true' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.server.trustedProxies).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('refuses to start in production with TRUST_PROXY=true and no explicit TRUSTED_PROXIES, one line for the key', () => {
    const production = {
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      COOKIE_KEYS: KEY,
    };
    const implicit = loadConfig({ ...production, TRUST_PROXY: 'true' });
    expect(implicit.ok).toBe(false);
    if (!implicit.ok) {
      expect(implicit.errors).toEqual([
        expect.stringMatching(
          /^TRUSTED_PROXIES \(server\.trustedProxies\): required in production with TRUST_PROXY=true/,
        ),
      ]);
    }
    const explicit = loadConfig({
      ...production,
      TRUST_PROXY: 'true',
      TRUSTED_PROXIES: '10.1.0.0/16',
    });
    expect(explicit.ok && explicit.config.server.trustedProxies).toEqual(['10.1.0.0/16']);
    // Without TRUST_PROXY the list is never read, so production does not need it.
    expect(loadConfig(production).ok).toBe(true);
    // Outside production the loopback default stands.
    expect(loadConfig({ TRUST_PROXY: 'true' }).ok).toBe(true);
  });

  it('takes TRUSTED_PROXIES from config/production.json as explicit too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-config-'));
    writeFileSync(join(dir, 'default.json'), readFileSync('config/default.json', 'utf8'));
    writeFileSync(
      join(dir, 'production.json'),
      JSON.stringify({ server: { trustProxy: true, trustedProxies: ['10.2.0.0/16'] } }),
    );
    const result = loadConfig(
      { NODE_ENV: 'production', ISSUER: 'https://id.example.com', COOKIE_KEYS: KEY },
      dir,
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.server.trustedProxies).toEqual(['10.2.0.0/16']);
  });

  it('reports the missing TRUSTED_PROXIES together with other problems', () => {
    const result = loadConfig({ NODE_ENV: 'production', TRUST_PROXY: 'true', PORT: 'abc' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^PORT /),
          expect.stringMatching(/^TRUSTED_PROXIES /),
        ]),
      );
  });

  it('never echoes a cookie key in an error', () => {
    const result = loadConfig({ COOKIE_KEYS: 'short-secret-value' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).not.toContain('short-secret-value');
  });

  it('reports cross-field problems together with type errors elsewhere', () => {
    const result = loadConfig({ NODE_ENV: 'production', PORT: 'abc' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT /),
        expect.stringMatching(/^COOKIE_KEYS .*required in production/),
        expect.stringMatching(/^ISSUER .*required in production/),
      ]),
    );
  });

  it('requires MONGODB_URI for the mongodb store', () => {
    const result = loadConfig({ STORE: 'mongodb' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        expect.stringMatching(/^MONGODB_URI .*required when store.backend is mongodb/),
      ]);
  });

  it('refuses unknown keys in configuration files and reports malformed JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-config-'));
    const defaults = JSON.parse(readDefault()) as { server: Record<string, unknown> };
    defaults.server.prot = 1;
    writeFileSync(join(dir, 'default.json'), JSON.stringify(defaults));
    writeFileSync(join(dir, 'development.json'), '{ not json');
    const result = loadConfig({}, dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/development\.json: not valid JSON/);
    expect(result.errors.join('\n')).toMatch(/server: unknown key\(s\) "prot"/);
  });

  it('freezes the configuration', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error('invalid');
    expect(Object.isFrozen(result.config)).toBe(true);
    expect(Object.isFrozen(result.config.server)).toBe(true);
    expect(Object.isFrozen(result.config.keys.algorithms)).toBe(true);
  });
});

describe('the configuration contract', () => {
  it('describes every key and binds every environment variable to a real key', () => {
    const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchema;
    const undocumented: string[] = [];
    const leaves: string[] = [];
    walk(schema, [], (path, node) => {
      if (!node.description) undocumented.push(path.join('.'));
      if (node.type !== 'object') leaves.push(path.join('.'));
    });
    expect(undocumented).toEqual([]);
    for (const binding of ENV_BINDINGS) expect(leaves).toContain(binding.path.join('.'));
  });
});

interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
}

function walk(
  node: JsonSchema,
  path: string[],
  visit: (path: string[], node: JsonSchema) => void,
): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    visit([...path, key], child);
    walk(child, [...path, key], visit);
  }
}

function readDefault(): string {
  return readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8');
}
