import { describe, expect, it } from '@jest/globals';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createJwtAccessTokenVerifier } from '../../src/oidc/jwt-access-token-verifier.ts';
import type { PublicJwks } from '../../src/oidc/signing-keys.ts';

const issuer = 'https://id.example.com';

async function signer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks: PublicJwks = Object.freeze({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }],
  });
  const sign = (
    claims: Record<string, unknown> = {},
    typ = 'at+jwt',
    exp = Math.floor(Date.now() / 1000) + 300,
  ) =>
    new SignJWT({
      sub: 'user',
      client_id: 'app',
      aud: 'https://api.example.com',
      jti: 'j1',
      iss: issuer,
      iat: Math.floor(Date.now() / 1000),
      exp,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', typ, kid: 'k1' })
      .sign(privateKey);
  return { jwks, sign };
}

describe('verifying our own JWT access tokens', () => {
  it('accepts an at+jwt from our issuer, signed by a key of the current set', async () => {
    const { jwks, sign } = await signer();
    const verify = createJwtAccessTokenVerifier({ keys: () => jwks, algorithms: ['ES256'] });
    expect(await verify(await sign(), issuer)).toMatchObject({ sub: 'user', client_id: 'app' });
  });

  it('refuses an ID token (typ JWT), another issuer, a missing client_id and an unknown key', async () => {
    const { jwks, sign } = await signer();
    const other = await signer();
    const verify = createJwtAccessTokenVerifier({ keys: () => jwks, algorithms: ['ES256'] });
    expect(await verify(await sign({}, 'JWT'), issuer)).toBeUndefined();
    expect(await verify(await sign({ iss: 'https://evil.example.com' }), issuer)).toBeUndefined();
    expect(await verify(await sign({ client_id: undefined }), issuer)).toBeUndefined();
    expect(await verify(await other.sign(), issuer)).toBeUndefined();
  });

  it('forgets what it verified once the key set changes (a key removed no longer vouches for its tokens)', async () => {
    const { jwks, sign } = await signer();
    let keys: PublicJwks = jwks;
    const verify = createJwtAccessTokenVerifier({ keys: () => keys, algorithms: ['ES256'] });
    const token = await sign();
    expect(await verify(token, issuer)).toBeDefined();
    keys = Object.freeze({ keys: [] });
    expect(await verify(token, issuer)).toBeUndefined();
  });

  it('stops answering for a remembered token once it expires', async () => {
    const { jwks, sign } = await signer();
    let clock = Date.now();
    const verify = createJwtAccessTokenVerifier({
      keys: () => jwks,
      algorithms: ['ES256'],
      now: () => clock,
    });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign({}, 'at+jwt', exp);
    expect(await verify(token, issuer)).toBeDefined();
    clock = exp * 1000 + 1;
    expect(await verify(token, issuer)).toBeUndefined();
  });

  it('answers a remembered token only for the issuer it was verified for', async () => {
    const { jwks, sign } = await signer();
    const verify = createJwtAccessTokenVerifier({ keys: () => jwks, algorithms: ['ES256'] });
    const token = await sign();
    expect(await verify(token, issuer)).toBeDefined();
    expect(await verify(token, 'https://other.example.com')).toBeUndefined();
  });
});
