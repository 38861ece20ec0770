import { applySSRFProtection } from 'oidc-provider/lib/helpers/fetch_request.js';

export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** A POST's answer, read no further than its status. */
export interface DeliveryResponse {
  status: number;
}

export type DeliveryHttp = (request: DeliveryRequest) => Promise<DeliveryResponse>;

interface DispatcherLike {
  on(event: 'connect', listener: (...args: never[]) => void): unknown;
}

/**
 * The dispatcher oidc-provider uses for its own outgoing requests: one that destroys every
 * connection to a special-use address (private, loopback, link-local, …) as soon as it is
 * connected, so a name that resolves (or re-resolves) to such an address is refused too. Built the
 * way the engine builds it (lib/helpers/fetch_request.js): an Agent of the undici inside Node,
 * found through its global dispatcher, protected by the engine's own `applySSRFProtection` — the
 * same rules for webhooks as for back-channel logout, not a copy of them.
 */
function ssrfProtectedDispatcher(): DispatcherLike | undefined {
  // Touching Response makes Node load its fetch implementation, which sets the global dispatcher.
  void Response;
  const globals = globalThis as unknown as Record<
    symbol,
    { constructor: new () => DispatcherLike } | undefined
  >;
  const Agent = (
    globals[Symbol.for('undici.globalDispatcher.2')] ??
    globals[Symbol.for('undici.globalDispatcher.1')]
  )?.constructor;
  return Agent === undefined ? undefined : applySSRFProtection(new Agent());
}

/**
 * POSTs outbox deliveries. Redirects are not followed (a 3xx is an answer, as oidc-provider
 * treats it for logout tokens: `redirect: 'manual'`), the body of the answer is never read, and
 * each attempt has `timeoutMs`. Unless `allowPrivateNetworks`, special-use addresses are refused
 * (see above); if the protection cannot be built, no delivery is made at all rather than one
 * without it.
 */
export function createDeliveryHttp(options: {
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}): DeliveryHttp {
  const base = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let dispatcher: DispatcherLike | undefined;
  return async function postDelivery(request) {
    const init: Omit<RequestInit, 'dispatcher'> & { dispatcher?: unknown } = {
      method: 'POST',
      redirect: 'manual',
      headers: { ...request.headers, 'user-agent': 'Portcullis' },
      body: request.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    };
    if (!options.allowPrivateNetworks) {
      dispatcher ??= ssrfProtectedDispatcher();
      if (dispatcher === undefined) throw new Error('SSRF protection unavailable; not delivering');
      init.dispatcher = dispatcher;
    }
    const response = await base(request.url, init as RequestInit);
    // The answer's body is not ours to read; release the connection.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  };
}
