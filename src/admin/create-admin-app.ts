import Koa from 'koa';
import type { Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import { ADMIN_SCOPE } from '../oidc/scopes.ts';
import { adminErrorHandler } from './admin-error-handler.ts';
import { createAdminRouter } from './admin-router.ts';
import type { AdminServices } from './admin-services.ts';
import { buildOpenApiDocument } from './openapi-document.ts';
import { readJsonBody } from './read-json-body.ts';
import { requireAdminToken, type RequestContextHolder } from './require-admin-token.ts';

/**
 * The admin API, a Koa app of its own (mounted at /admin/v1 by createApp): its own error
 * handling (JSON only), its own body parser and limit, and its own authentication, so nothing of
 * the user-facing pages (HTML errors, forms, CSRF, sessions) applies to it, and it to them.
 */

/** Bodies are small JSON documents; a JWK set is the largest thing an admin sends. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * 1024;
/** A user import file travels as one JSON body (POST /users/import): 32 MiB, ~100,000 users. */
export const IMPORT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

export interface AdminAppDeps {
  services: AdminServices;
  /** The provider of the moment (it is rebuilt when signing keys rotate). */
  provider: () => Provider;
  log: Logger;
  issuer: string;
  requestContext?: RequestContextHolder | undefined;
}

export function createAdminApp(deps: AdminAppDeps): Koa {
  const app = new Koa();
  const router = createAdminRouter(deps.services);
  const openApi = buildOpenApiDocument({
    serverUrl: `${deps.issuer.replace(/\/$/, '')}/admin/v1`,
    version: '1.0.0',
  });

  app.use(adminErrorHandler({ log: deps.log, realm: 'portcullis-admin', scope: ADMIN_SCOPE }));
  app.use(async function noStore(ctx, next) {
    // Answers carry client secrets and tokens: never cached (RFC 6749 §5.1 asks the same of tokens).
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    await next();
  });
  // The description of the API is public: it holds no data, and tools read it before they have a token.
  app.use(async function openApiDocument(ctx, next) {
    if (ctx.path === '/openapi.json' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.body = openApi;
      return;
    }
    await next();
  });
  app.use(requireAdminToken({ provider: deps.provider, requestContext: deps.requestContext }));
  app.use(
    readJsonBody({
      limitBytes: ADMIN_BODY_LIMIT_BYTES,
      largeBodies: { '/users/import': IMPORT_BODY_LIMIT_BYTES },
    }),
  );
  app.use(router.routes());
  // 405 with `Allow` for a known path and another method; the error handler writes the body.
  app.use(router.allowedMethods());
  // The end of the line: nothing outside this app answers under /admin/v1 (koa-mount would
  // otherwise hand an unmatched request on to the host's pages and the provider).
  app.use(async function endOfAdminApi() {});
  return app;
}
