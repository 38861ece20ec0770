import Koa from 'koa';
import type { ResourceServerConfig } from './config.ts';
import { createDpopProofChecker } from './dpop-proof.ts';
import { createIntrospectionVerifier } from './introspection-verifier.ts';
import { createJwtVerifier } from './jwt-verifier.ts';
import { ACCESS_TOKEN_STATE, requireAccessToken } from './require-access-token.ts';
import type { VerifiedToken } from './verified-token.ts';

/** The endpoints of Portcullis this API uses, from its discovery document. */
export interface IssuerMetadata {
  issuer: string;
  introspection_endpoint: string;
  jwks_uri: string;
}

export async function discover(
  issuer: string,
  doFetch: typeof fetch = fetch,
): Promise<IssuerMetadata> {
  const response = await doFetch(
    new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`),
  );
  if (!response.ok) throw new Error(`discovery failed: ${response.status}`);
  const metadata = (await response.json()) as Partial<IssuerMetadata>;
  // OIDC Discovery §4.3: the document must name the issuer it was fetched for.
  if (metadata.issuer !== issuer) throw new Error('the discovery document names another issuer');
  if (
    typeof metadata.introspection_endpoint !== 'string' ||
    typeof metadata.jwks_uri !== 'string'
  ) {
    throw new Error('the issuer publishes no introspection endpoint or JWKS');
  }
  return metadata as IssuerMetadata;
}

/**
 * A small API with one resource, orders, protected both ways:
 * - `GET /orders`, `POST /orders`: the token is introspected at Portcullis (opaque or JWT; live
 *   status);
 * - `GET /orders/local`, `POST /orders/local`: the token must be a JWT and is verified locally
 *   against the JWKS.
 * Reading requires the read scope, placing an order the write scope (one scope per permission),
 * each with the configured role if any (docs/rbac.md); all honour DPoP-bound tokens.
 */
export function createResourceServerApp(
  config: ResourceServerConfig,
  metadata: IssuerMetadata,
  options: { fetch?: typeof fetch; now?: () => number } = {},
): Koa {
  const dpop = createDpopProofChecker({ now: options.now });
  const introspectionVerifier = createIntrospectionVerifier({
    introspectionEndpoint: metadata.introspection_endpoint,
    clientId: config.introspectionClientId,
    clientSecret: config.introspectionClientSecret,
    identifier: config.identifier,
    cacheSeconds: config.introspectionCacheSeconds,
    cacheSize: config.introspectionCacheSize,
    fetch: options.fetch,
    now: options.now,
  });
  const jwtVerifier = createJwtVerifier({
    issuer: metadata.issuer,
    identifier: config.identifier,
    jwksUri: metadata.jwks_uri,
  });
  // One check per permission (docs/rbac.md): reading needs the read scope, placing an order the
  // write scope; both need the configured role, if any.
  const guard = (verify: typeof jwtVerifier, scope: string) =>
    requireAccessToken({
      verify,
      scope,
      role: config.requiredRole,
      dpop,
      publicUrl: config.publicUrl,
    });
  const writeScope = config.writeScope ?? 'orders:write';
  const introspected = guard(introspectionVerifier, config.requiredScope);
  const local = guard(jwtVerifier, config.requiredScope);
  const introspectedWrite = guard(introspectionVerifier, writeScope);
  const localWrite = guard(jwtVerifier, writeScope);

  const orders = async (ctx: Koa.Context) => {
    const token = ctx.state[ACCESS_TOKEN_STATE] as VerifiedToken;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      orders: [{ id: 'order-1', item: 'portcullis', quantity: 1 }],
      subject: token.subject,
      client_id: token.clientId,
      roles: [...token.roles],
      verified_by: token.via,
    };
  };

  const placeOrder = async (ctx: Koa.Context) => {
    const token = ctx.state[ACCESS_TOKEN_STATE] as VerifiedToken;
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 201;
    ctx.body = {
      order: { id: 'order-2', item: 'portcullis', quantity: 1 },
      subject: token.subject,
    };
  };

  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/orders')
      return introspectedWrite(ctx, () => placeOrder(ctx));
    if (ctx.method === 'POST' && ctx.path === '/orders/local')
      return localWrite(ctx, () => placeOrder(ctx));
    if (ctx.method !== 'GET') return next();
    if (ctx.path === '/health') {
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/orders') return introspected(ctx, () => orders(ctx));
    if (ctx.path === '/orders/local') return local(ctx, () => orders(ctx));
    return next();
  });
  return app;
}
