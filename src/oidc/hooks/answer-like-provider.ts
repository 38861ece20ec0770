import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { StoreUnavailableError } from '../../storage/ports.ts';
import { TemporarilyUnavailableError } from '../temporarily-unavailable-error.ts';

interface ExposedError {
  expose?: unknown;
  statusCode?: unknown;
  message: string;
  error_description?: unknown;
}

/** RFC 7235 §3.1 / RFC 6749 §5.2: a 401 names the scheme the client should use. */
export function basicChallenge(
  ctx: Context,
  issuer: string,
  fields: Record<string, string | undefined> = {},
): void {
  const params = Object.entries({ realm: issuer, ...fields })
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(', ');
  ctx.append('WWW-Authenticate', `Basic ${params}`);
}

/**
 * An error answered the way the provider answers its own (lib/shared/error_handler.js,
 * lib/helpers/err_out.js): exposed OAuth errors as `{error, error_description}` with their status
 * and the route's `<event>` event; anything else as a 500 `server_error` with the `server_error`
 * event. A store outage is the provider's 503 `temporarily_unavailable`. The one helper for hooks
 * that finish a provider answer (src/oidc/hooks/), so no hook repeats the engine's output.
 */
export function answerLikeProvider(
  ctx: Context,
  provider: Provider,
  thrown: unknown,
  event: string,
): void {
  const err = (
    thrown instanceof StoreUnavailableError && !(thrown instanceof TemporarilyUnavailableError)
      ? new TemporarilyUnavailableError(thrown)
      : thrown
  ) as ExposedError;
  ctx.set('Cache-Control', 'no-store');
  if (err.expose === true) {
    ctx.status = typeof err.statusCode === 'number' ? err.statusCode : 400;
    const description =
      typeof err.error_description === 'string' ? err.error_description : undefined;
    ctx.body = {
      error: err.message,
      ...(description === undefined ? {} : { error_description: description }),
    };
    if (ctx.status === 401 && ctx.get('authorization'))
      basicChallenge(ctx, provider.issuer, { error: err.message, error_description: description });
    provider.emit(event, ctx, thrown);
  } else {
    ctx.status = 500;
    ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
    provider.emit('server_error', ctx, thrown);
  }
}
