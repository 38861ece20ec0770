/**
 * Real dependencies for `createApp` built in-process (test/integration tests that compose the
 * app themselves): the services `npm start` opens, on the store the configuration names (the
 * memory store in `test` mode), with the same security, admin and API pieces as src/server.ts.
 * Only what a test says differently (`overrides`) differs.
 */
import type { AppDeps } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { describeResourceFrom } from '../../src/interactions/describe-resource.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildIntrospectionCache } from '../../src/oidc/build-introspection-cache.ts';
import { openServices, type Services } from '../../src/open-services.ts';
import { createApiProtection } from '../../src/resources/create-api-protection.ts';
import { createSecurity } from '../../src/security/create-security.ts';
import { ASSETS_DIR, pageRenderer } from '../../src/server.ts';
import { startTracing } from '../../src/tracing/start-tracing.ts';

export async function buildAppDeps(
  config: Config,
  overrides: Partial<AppDeps> & Pick<AppDeps, 'providers'>,
): Promise<{ deps: AppDeps; services: Services }> {
  const log = createLogger({ level: 'silent' });
  const services = await openServices(config, log);
  const { store, accounts, events, cookieKeys } = services;
  const apis = createApiProtection({ config, store, cookieKeys });
  const deps: AppDeps = {
    config,
    log,
    store,
    accounts,
    render: pageRenderer(config),
    cookieKeys,
    assetsDir: ASSETS_DIR,
    metrics: undefined,
    collectMetrics: undefined,
    tracing: await startTracing({
      otlpEndpoint: undefined,
      serviceName: config.tracing.serviceName,
      log,
    }),
    admin: { store, accounts },
    security: createSecurity({
      config,
      store,
      accounts,
      events,
      requestContext: services.requestContext,
    }),
    describeResource: describeResourceFrom(apis.directory),
    introspectionCache: buildIntrospectionCache({
      config,
      invalidation: services.invalidation,
      metrics: undefined,
    }),
    cacheTier: undefined,
    ...overrides,
  };
  return { deps, services };
}
