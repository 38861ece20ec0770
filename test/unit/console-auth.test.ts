import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Koa from 'koa';
import {
  CONSOLE_CLIENT_ID,
  ConsoleSignInError,
  finishSignIn,
  startSignIn,
} from '../../src/console/console-auth.ts';

/**
 * The console's relying-party side (src/console/console-auth.ts) against an ID token it did not
 * expect: only a sign-in that used a second factor (`acr` mfa or phishing-resistant, docs/mfa.md)
 * opens the console, whatever the token endpoint answered. The token endpoint is a stand-in that
 * answers an ID token signed with a test key; everything else is the real code in a real Koa app.
 */

const ISSUER = 'https://op.example';
let server: Server;
let base: string;
let sign: (claims: Record<string, unknown>) => Promise<string>;
let jwk: Record<string, unknown>;
/** The ID token claims the stand-in token endpoint signs next (the test sets them). */
let next: Record<string, unknown> = {};

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
  sign = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setIssuer(ISSUER)
      .setAudience(CONSOLE_CLIENT_ID)
      .setSubject('admin-sub')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  const app = new Koa();
  app.keys = ['k'.repeat(40)];
  app.use(async (ctx) => {
    if (ctx.path === '/console/login') {
      ctx.body = startSignIn(ctx, { issuer: ISSUER, returnTo: '/console/keys' });
      return;
    }
    const nonce = ctx.query.nonce as string;
    try {
      const result = await finishSignIn(ctx, {
        issuer: ISSUER,
        verificationKeys: () => ({ keys: [jwk] }),
        fetch: async () =>
          Response.json({ id_token: await sign({ nonce, auth_time: 1, ...next }) }),
      });
      ctx.body = { ok: result.sub };
    } catch (err) {
      ctx.body = { refused: err instanceof ConsoleSignInError ? err.message : String(err) };
    }
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Starts a sign-in and comes back to the callback with a code, as the OP would send the browser. */
async function signInWith(claims: Record<string, unknown>): Promise<Record<string, string>> {
  next = claims;
  const start = await fetch(`${base}/console/login`);
  const authorize = new URL(await start.text());
  const cookies = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const callback = new URL(`${base}/console/callback`);
  callback.searchParams.set('code', 'a-code');
  callback.searchParams.set('state', authorize.searchParams.get('state') ?? '');
  // The stand-in signs the nonce it is given; the real OP echoes the request's.
  callback.searchParams.set('nonce', authorize.searchParams.get('nonce') ?? '');
  const res = await fetch(callback, { headers: { cookie: cookies } });
  return (await res.json()) as Record<string, string>;
}

describe('console sign-in', () => {
  it('accepts a sign-in with a second factor (acr mfa or phishing-resistant)', async () => {
    await expect(signInWith({ acr: 'urn:portcullis:acr:mfa' })).resolves.toEqual({
      ok: 'admin-sub',
    });
    await expect(signInWith({ acr: 'urn:portcullis:acr:phr' })).resolves.toEqual({
      ok: 'admin-sub',
    });
  });

  it('refuses a password-only sign-in, or one that says nothing of how it was made', async () => {
    for (const claims of [{ acr: 'urn:portcullis:acr:pwd' }, {}, { acr: 'mfa' }]) {
      await expect(signInWith(claims)).resolves.toEqual({
        refused: 'the sign-in did not use a second factor',
      });
    }
  });
});
