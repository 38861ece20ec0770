import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createClientSecretCipher } from '../../src/clients/client-secret-cipher.ts';
import { encryptedKeyStore, sealSigningKeys } from '../../src/oidc/encrypted-key-store.ts';
import { generateSigningKey } from '../../src/oidc/signing-keys.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';

const aesKey = () => randomBytes(32).toString('base64');

describe('signing keys encrypted at rest (issue 12, item 11)', () => {
  it('stores only public members and a ciphertext, and lists the private key as it was added', async () => {
    const raw = createMemoryStore();
    const keys = encryptedKeyStore(raw.keys, createClientSecretCipher([aesKey()]));
    const record = generateSigningKey('RS256', Date.now());
    await keys.add(record);

    const [stored] = await raw.keys.list();
    expect(Object.keys(stored?.privateJwk ?? {}).sort()).toEqual([
      'alg',
      'e',
      'kid',
      'kty',
      'n',
      'sealed',
      'use',
    ]);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      expect(JSON.stringify(stored)).not.toContain(String(record.privateJwk[member]));
    }
    expect(await keys.list()).toEqual([record]);
  });

  it('reads keys stored in clear before, and seals them under the newest key (also after a key rotation)', async () => {
    const raw = createMemoryStore();
    const legacy = generateSigningKey('ES256', Date.now());
    await raw.keys.add(legacy);
    const oldKey = aesKey();
    const before = createClientSecretCipher([oldKey]);
    expect(await encryptedKeyStore(raw.keys, before).list()).toEqual([legacy]);

    expect(await sealSigningKeys(raw.keys, before)).toBe(1);
    expect(await sealSigningKeys(raw.keys, before)).toBe(0);
    expect(JSON.stringify(await raw.keys.list())).not.toContain(String(legacy.privateJwk.d));

    const rotated = createClientSecretCipher([aesKey(), oldKey]);
    expect(await sealSigningKeys(raw.keys, rotated)).toBe(1);
    const [stored] = await raw.keys.list();
    expect(rotated.keyIdOf(String(stored?.privateJwk.sealed))).toBe(rotated.currentKeyId);
    expect(await encryptedKeyStore(raw.keys, rotated).list()).toEqual([legacy]);
  });

  it('refuses a ciphertext moved onto another kid, and names a missing key', async () => {
    const raw = createMemoryStore();
    const cipher = createClientSecretCipher([aesKey()]);
    const keys = encryptedKeyStore(raw.keys, cipher);
    const a = generateSigningKey('ES256', Date.now());
    const b = generateSigningKey('ES256', Date.now());
    await keys.add(a);
    await keys.add(b);
    const [storedA] = (await raw.keys.list()).filter((k) => k.kid === a.kid);
    await raw.keys.replacePrivateJwk(b.kid, { ...storedA?.privateJwk });
    await expect(keys.list()).rejects.toThrow(`signing key ${b.kid} cannot be decrypted`);

    await raw.keys.remove(b.kid);
    await expect(
      encryptedKeyStore(raw.keys, createClientSecretCipher([aesKey()])).list(),
    ).rejects.toThrow(/not among secrets.clientSecretKeys/);
  });
});
