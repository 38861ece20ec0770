import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  ClientSecretDecryptionError,
  createClientSecretCipher,
} from '../../src/clients/client-secret-cipher.ts';
import { resolveClientSecretKeys } from '../../src/clients/client-secret-keys.ts';
import {
  encryptedClientStore,
  reencryptClientSecrets,
} from '../../src/clients/encrypted-client-store.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';

const key = () => randomBytes(32).toString('base64');

describe('client secret cipher (AES-256-GCM)', () => {
  it('round-trips a secret, with a fresh IV each time and the key id in the stored form', () => {
    const cipher = createClientSecretCipher([key()]);
    const a = cipher.encrypt('s3cret', 'client-1');
    const b = cipher.encrypt('s3cret', 'client-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(a.startsWith(`enc:v1:${cipher.currentKeyId}:`)).toBe(true);
    expect(cipher.decrypt(a, 'client-1')).toBe('s3cret');
    expect(cipher.decrypt(b, 'client-1')).toBe('s3cret');
  });

  it('decrypts with any listed key and encrypts with the first (key rotation)', () => {
    const oldKey = key();
    const newKey = key();
    const before = createClientSecretCipher([oldKey]);
    const stored = before.encrypt('s3cret', 'c');
    const after = createClientSecretCipher([newKey, oldKey]);
    expect(after.decrypt(stored, 'c')).toBe('s3cret');
    expect(after.keyIdOf(after.encrypt('x', 'c'))).toBe(after.currentKeyId);
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
  });

  it('refuses a value whose key is no longer configured, naming the key id', () => {
    const stored = createClientSecretCipher([key()]).encrypt('s3cret', 'c');
    const other = createClientSecretCipher([key()]);
    expect(() => other.decrypt(stored, 'c')).toThrow(ClientSecretDecryptionError);
    expect(() => other.decrypt(stored, 'c')).toThrow(/not among secrets.clientSecretKeys/);
  });

  it('binds a ciphertext to its client: copied onto another client it does not decrypt', () => {
    const cipher = createClientSecretCipher([key()]);
    const stored = cipher.encrypt('s3cret', 'client-a');
    expect(() => cipher.decrypt(stored, 'client-b')).toThrow(/authentication failed/);
  });

  it('detects tampering with the ciphertext', () => {
    const cipher = createClientSecretCipher([key()]);
    const stored = cipher.encrypt('s3cret', 'c');
    const last = stored.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${stored.slice(0, -2)}${last}${stored.at(-1) ?? ''}`;
    expect(() => cipher.decrypt(tampered, 'c')).toThrow(ClientSecretDecryptionError);
  });

  it('passes a secret stored before encryption through as it is', () => {
    const cipher = createClientSecretCipher([key()]);
    expect(cipher.decrypt('legacy-plain-secret', 'c')).toBe('legacy-plain-secret');
    expect(cipher.keyIdOf('legacy-plain-secret')).toBeUndefined();
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createClientSecretCipher([])).toThrow();
    expect(() => createClientSecretCipher([randomBytes(16).toString('base64')])).toThrow();
  });
});

describe('encrypted client store', () => {
  it('stores only ciphertext while callers read and list plaintext', async () => {
    const raw = createMemoryStore();
    const cipher = createClientSecretCipher([key()]);
    const store = encryptedClientStore(raw.oidc, cipher);
    await store.upsert('Client', 'c1', {
      client_id: 'c1',
      client_secret: 'plain-secret',
      client_name: 'App',
    });

    const stored = await raw.oidc.find('Client', 'c1');
    expect(String(stored?.client_secret)).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain('plain-secret');
    expect((await store.find('Client', 'c1'))?.client_secret).toBe('plain-secret');
    const listed = await store.list('Client', { limit: 10 });
    expect(listed.items[0]?.payload.client_secret).toBe('plain-secret');
  });

  it('leaves public clients and other models untouched', async () => {
    const raw = createMemoryStore();
    const store = encryptedClientStore(raw.oidc, createClientSecretCipher([key()]));
    await store.upsert('Client', 'pub', { client_id: 'pub', token_endpoint_auth_method: 'none' });
    await store.upsert(
      'AccessToken',
      'at',
      { jti: 'at', client_secret: 'not-a-client' },
      Date.now() + 60_000,
    );
    expect(await raw.oidc.find('Client', 'pub')).toEqual({
      client_id: 'pub',
      token_endpoint_auth_method: 'none',
    });
    expect((await raw.oidc.find('AccessToken', 'at'))?.client_secret).toBe('not-a-client');
  });

  it('re-encrypts old-key and plaintext secrets with the newest key, after which the old key can go', async () => {
    const raw = createMemoryStore();
    const oldKey = key();
    const newKey = key();
    await encryptedClientStore(raw.oidc, createClientSecretCipher([oldKey])).upsert('Client', 'a', {
      client_id: 'a',
      client_secret: 'secret-a',
    });
    await raw.oidc.upsert('Client', 'b', { client_id: 'b', client_secret: 'secret-b' }); // stored in clear
    await raw.oidc.upsert('Client', 'p', { client_id: 'p' });

    const rotated = createClientSecretCipher([newKey, oldKey]);
    expect(await reencryptClientSecrets(raw.oidc, rotated)).toEqual({ clients: 2, reencrypted: 2 });
    expect(await reencryptClientSecrets(raw.oidc, rotated)).toEqual({ clients: 2, reencrypted: 0 });

    const newOnly = encryptedClientStore(raw.oidc, createClientSecretCipher([newKey]));
    expect((await newOnly.find('Client', 'a'))?.client_secret).toBe('secret-a');
    expect((await newOnly.find('Client', 'b'))?.client_secret).toBe('secret-b');
  });
});

describe('client secret keys', () => {
  it('are required in production', async () => {
    const loaded = loadConfig({
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      COOKIE_KEYS: 'k'.repeat(40),
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    await expect(
      resolveClientSecretKeys(loaded.config, createMemoryStore().settings),
    ).rejects.toThrow(/CLIENT_SECRET_KEYS is required/);
  });

  it('come from CLIENT_SECRET_KEYS when set, and are generated once and kept otherwise', async () => {
    const given = key();
    const configured = loadConfig({ NODE_ENV: 'test', CLIENT_SECRET_KEYS: given });
    if (!configured.ok) throw new Error(configured.errors.join('\n'));
    const settings = createMemoryStore().settings;
    expect(await resolveClientSecretKeys(configured.config, settings)).toEqual([given]);

    const generated = loadConfig({ NODE_ENV: 'test' });
    if (!generated.ok) throw new Error(generated.errors.join('\n'));
    const first = await resolveClientSecretKeys(generated.config, settings);
    expect(first).toHaveLength(1);
    expect(Buffer.from(first[0] ?? '', 'base64')).toHaveLength(32);
    expect(await resolveClientSecretKeys(generated.config, settings)).toEqual(first);
  });

  it('refuses a configured key that is not 32 bytes of base64, without echoing it', () => {
    const loaded = loadConfig({ NODE_ENV: 'test', CLIENT_SECRET_KEYS: 'too-short-secret-value' });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(loaded.errors.join('\n')).toMatch(/CLIENT_SECRET_KEYS/);
      expect(loaded.errors.join('\n')).not.toContain('too-short-secret-value');
    }
  });
});
