import { StoreUnavailableError } from '../storage/ports.ts';

const DESCRIPTION = 'the service is temporarily unavailable, try again shortly';

/**
 * A store outage as oidc-provider must answer it: 503 with the OAuth error
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1; §5.2 shape `{error, error_description}`) instead
 * of the library's generic 500 `server_error`.
 *
 * Why not oidc-provider's own `errors.TemporarilyUnavailable`: the same error reaches two
 * handlers. Thrown from the adapter while the provider runs an endpoint, the provider's handlers
 * answer it; thrown while our login and consent pages call the provider (`interactionDetails`,
 * `interactionResult`), our error handler answers it, and that one maps only
 * `StoreUnavailableError` to 503 (anything else 5xx becomes a 500). So this is a
 * `StoreUnavailableError` that also carries the fields oidc-provider 9 reads from an error
 * (checked in lib/shared/error_handler.js, lib/shared/authorization_error_handler.js and
 * lib/helpers/err_out.js): `expose` decides whether `message` becomes the `error` code and
 * `error_description` is sent, or the answer is replaced by `server_error`; `statusCode` is the
 * status; `allow_redirect` lets /auth send the error back to the client's redirect_uri.
 */
export class TemporarilyUnavailableError extends StoreUnavailableError {
  readonly error = 'temporarily_unavailable';
  readonly error_description = DESCRIPTION;
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = true;
  readonly allow_redirect = true;

  constructor(cause: StoreUnavailableError) {
    // err_out.js answers `error: err.message` for exposed errors: the message is the OAuth code.
    super('temporarily_unavailable', { cause });
    this.name = 'TemporarilyUnavailableError';
  }
}

/** Runs `fn`; a store outage it throws becomes a `TemporarilyUnavailableError`, anything else passes. */
export async function answerOutageAsOAuth<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError && !(err instanceof TemporarilyUnavailableError)) {
      throw new TemporarilyUnavailableError(err);
    }
    throw err;
  }
}
