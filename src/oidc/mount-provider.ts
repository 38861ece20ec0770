import mount from 'koa-mount';
import type { Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import type { ProviderHolder } from './provider-holder.ts';

/**
 * Hands every request no host route answered to the current provider. The provider is a Koa app
 * mounted at `/` (so it shares our context and cookie keys); when a key rotation rebuilds it,
 * the next request goes to the new instance.
 */
export function mountProvider(holder: ProviderHolder): Middleware {
  const mounted = new WeakMap<Provider, Middleware>();
  return async function provider(ctx, next) {
    const current = holder.current;
    let middleware = mounted.get(current);
    if (!middleware) {
      middleware = mount(current as unknown as Middleware) as Middleware;
      mounted.set(current, middleware);
    }
    await middleware(ctx, next);
  };
}
