import type { Provider } from 'oidc-provider';
import { authorizationPostRedirect } from './authorization-post-redirect.ts';
import { offlineAccessConsent } from './offline-access-consent.ts';

/**
 * Code that acts on the provider's endpoints, registered with `provider.use()` (the engine's
 * documented extension point). These run before the engine routes the request, so they match
 * its configured path. Order is execution order; each row says why it is there.
 */
export function registerProviderHooks(provider: Provider, routes: { authorization: string }): void {
  const hooks = [
    // OIDC Core §3.1.2.1: POST to the authorization endpoint, as a GET on which Lax cookies travel.
    authorizationPostRedirect({ path: routes.authorization }),
    // OIDC Core §11: offline_access after the user approved it on our consent page.
    offlineAccessConsent({ path: routes.authorization }),
  ];
  for (const hook of hooks) provider.use(hook);
}
