import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Router } from '@koa/router';
import type { JWKS } from 'oidc-provider';
import { createAdminRouter } from '../../src/admin/admin-router.ts';
import { createAdminServices } from '../../src/admin/admin-services.ts';
import { ADMIN_ROUTES, errorCodesOf } from '../../src/admin/admin-routes.ts';
import { adminErrorCodes, buildOpenApiDocument } from '../../src/admin/openapi-document.ts';
import { ERROR_CODES } from '../../src/errors/error-codes.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createProvider } from '../../src/oidc/create-provider.ts';
import { createFindAccount } from '../../src/oidc/find-account.ts';
import { toProviderJwks } from '../../src/oidc/signing-keys.ts';
import { openServices, type Services } from '../../src/open-services.ts';

// The router and the OpenAPI document are both built from one route table (admin-routes.ts);
// this test keeps them in step: every route of the admin router is in the document with its
// method and operationId, nothing else is, every example body passes its schema, and every
// error code the table lists is in the catalogue with the status the document gives it.

let services: Services;
let router: Router;

beforeAll(async () => {
  const loaded = loadConfig({ NODE_ENV: 'test', STORE: 'memory' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  services = await openServices(loaded.config, createLogger({ level: 'silent' }));
  const provider = createProvider({
    config: services.config,
    log: services.log,
    oidcStore: services.store.oidc,
    findAccount: createFindAccount(services.accounts),
    jwks: toProviderJwks(await services.store.keys.list(), Date.now()) as JWKS,
    cookieKeys: services.cookieKeys,
    pages: { async logoutSource() {}, async postLogoutSuccessSource() {}, async renderError() {} },
  });
  router = createAdminRouter(
    createAdminServices({
      config: services.config,
      store: services.store,
      accounts: services.accounts,
      provider: () => provider,
    }),
  );
});

afterAll(async () => {
  await services.close();
});

interface Operation {
  operationId: string;
  responses: Record<
    string,
    { content?: { 'application/json': { schema: { allOf?: { properties?: unknown }[] } } } }
  >;
}
type Paths = Record<string, Record<string, Operation>>;
const doc = buildOpenApiDocument({
  serverUrl: 'https://id.example.com/admin/v1',
  version: '1.0.0',
}) as { openapi: string; paths: Paths };

/** `/clients/:id` (koa-router) as `/clients/{id}` (OpenAPI). */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

function routes(): { method: string; path: string; name: string | undefined }[] {
  return router.stack.flatMap((layer) =>
    layer.methods
      .filter((m) => m !== 'HEAD')
      .map((method) => ({
        method: method.toLowerCase(),
        path: openApiPath(String(layer.path)),
        name: layer.name,
      })),
  );
}

describe('the admin OpenAPI document', () => {
  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('describes every route of the router with its method and operationId', () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(15);
    for (const route of all) {
      expect({ route, operation: doc.paths[route.path]?.[route.method]?.operationId }).toEqual({
        route,
        operation: route.name,
      });
    }
  });

  it('describes no route the router does not have', () => {
    const served = new Set(routes().map((r) => `${r.method} ${r.path}`));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) expect(served).toContain(`${method} ${path}`);
    }
  });

  it('serves each OpenAPI path template at its concrete paths, {id} read from the path', () => {
    for (const route of ADMIN_ROUTES) {
      const concrete = route.path.replace('{id}', 'c0ffee-1');
      const matched = router.match(concrete, route.method.toUpperCase()).pathAndMethod;
      expect({ concrete, names: matched.map((layer) => layer.name) }).toEqual({
        concrete,
        names: [route.operationId],
      });
      const layer = matched[0];
      const captures = layer?.captures(concrete) ?? [];
      expect(layer?.params(concrete, captures)).toEqual(
        route.path.includes('{id}') ? { id: 'c0ffee-1' } : {},
      );
    }
  });

  it('has one route per operationId and per method and path', () => {
    expect(new Set(ADMIN_ROUTES.map((r) => r.operationId)).size).toBe(ADMIN_ROUTES.length);
    expect(new Set(ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(
      ADMIN_ROUTES.length,
    );
  });

  it('lists only error codes of the catalogue, each under its catalogue status', () => {
    for (const route of ADMIN_ROUTES) {
      const operation = doc.paths[route.path]?.[route.method];
      for (const code of errorCodesOf(route)) {
        expect({ route: route.operationId, code, known: Object.hasOwn(ERROR_CODES, code) }).toEqual(
          { route: route.operationId, code, known: true },
        );
        const status = String(ERROR_CODES[code].status);
        const codes = operation?.responses[status]?.content?.['application/json'].schema.allOf?.[1]
          ?.properties as { error?: { enum?: string[] } } | undefined;
        expect({ route: route.operationId, status, codes: codes?.error?.enum }).toEqual({
          route: route.operationId,
          status,
          codes: expect.arrayContaining([code]),
        });
      }
    }
    for (const code of adminErrorCodes()) expect(Object.keys(ERROR_CODES)).toContain(code);
  });

  it('documents no error status an operation has no code for', () => {
    for (const route of ADMIN_ROUTES) {
      const statuses = new Set(errorCodesOf(route).map((c) => String(ERROR_CODES[c].status)));
      const documented = Object.keys(doc.paths[route.path]?.[route.method]?.responses ?? {});
      const errors = documented.filter((s) => Number(s) >= 400);
      expect({ route: route.operationId, errors }).toEqual({
        route: route.operationId,
        errors: [...statuses].sort(),
      });
    }
  });

  it.each(ADMIN_ROUTES.filter((op) => op.request).map((op) => [op.operationId, op] as const))(
    'has an example body for %s that passes its schema',
    (_id, op) => {
      const result = op.request?.schema.safeParse(op.request.example);
      expect(result?.error?.issues).toBeUndefined();
      expect(result?.success).toBe(true);
    },
  );

  it('generates response schemas of closed shapes (additionalProperties: false)', () => {
    const schemas = (
      buildOpenApiDocument({ serverUrl: 'x', version: '1' }) as {
        components: { schemas: Record<string, { additionalProperties?: unknown }> };
      }
    ).components.schemas;
    for (const name of [
      'Client',
      'CreatedClient',
      'ClientPage',
      'User',
      'UserPage',
      'InitialAccessToken',
      'CreatedInitialAccessToken',
      'InitialAccessTokenPage',
      'AuditEvent',
      'AuditEventPage',
      'Error',
    ]) {
      expect({ name, additionalProperties: schemas[name]?.additionalProperties }).toEqual({
        name,
        additionalProperties: false,
      });
    }
  });

  it('generates request schemas that refuse unknown fields (additionalProperties: false)', () => {
    const schemas = (
      buildOpenApiDocument({ serverUrl: 'x', version: '1' }) as {
        components: { schemas: Record<string, { additionalProperties?: unknown }> };
      }
    ).components.schemas;
    for (const name of [
      'ClientInput',
      'ClientPatch',
      'UserCreate',
      'UserUpdate',
      'PasswordReset',
      'InitialAccessTokenCreate',
    ]) {
      expect({ name, additionalProperties: schemas[name]?.additionalProperties }).toEqual({
        name,
        additionalProperties: false,
      });
    }
  });
});
