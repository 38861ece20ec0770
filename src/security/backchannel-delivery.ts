/** `security.backchannelLogout` in the configuration. */
export interface BackchannelDeliveryPolicy {
  /** Deliveries tried per logout token, the first included. */
  attempts: number;
  /** Wait before the first retry; doubles for each further one. */
  retryDelayMs: number;
  /**
   * Deliver to clients on private, loopback and link-local addresses. oidc-provider refuses
   * those for every outgoing request (SSRF protection); relying parties on an internal network
   * need this. Only logout deliveries are affected, never JWKS or other fetches.
   */
  allowPrivateNetworks: boolean;
}

export interface DeliveryOutcome {
  /** `aud` and `sub` of the logout token (read from our own token, never verified here). */
  clientId: string | undefined;
  subject: string | undefined;
  attempt: number;
  delivered: boolean;
  /** No further attempt follows. */
  final: boolean;
  status?: number | undefined;
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// What the provider gives each attempt (lib/helpers/fetch_request.js); ours get their own.
const ATTEMPT_TIMEOUT_MS = 2500;

function logoutTokenOf(init: RequestInit | undefined): string | undefined {
  if (init?.method !== 'POST' || !(init.body instanceof URLSearchParams)) return undefined;
  return init.body.get('logout_token') ?? undefined;
}

function claimsOf(token: string): { clientId: string | undefined; subject: string | undefined } {
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { aud?: unknown; sub?: unknown };
    const aud = Array.isArray(claims.aud) ? (claims.aud[0] as unknown) : claims.aud;
    return {
      clientId: typeof aud === 'string' ? aud : undefined,
      subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    };
  } catch {
    return { clientId: undefined, subject: undefined };
  }
}

/** OIDC Back-Channel Logout §2.8: 200 (or 204) means delivered; 400 is the RP's final refusal. */
const delivered = (status: number) => status === 200 || status === 204;
const worthRetrying = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * oidc-provider's `fetch` (the one hook for its outgoing requests), retrying back-channel
 * logout deliveries. The library makes a single attempt with a 2.5 s timeout and reports its
 * outcome (`backchannel.success` / `backchannel.error`); a relying party that is restarting
 * would miss the logout and keep the user signed in (OIDC Back-Channel Logout §2.8 leaves
 * retries to the OP). That first attempt is answered to the library unchanged, so the logout
 * page never waits for retries; a failed one is retried in the background, `attempts - 1` more
 * times with doubling delays, on network errors, timeouts, 408, 429 and 5xx — a 4xx is the
 * client's final answer. Retries live in this process only: a restart drops pending ones.
 * Every other outgoing request passes through untouched.
 */
export function createOutgoingFetch(deps: {
  policy: BackchannelDeliveryPolicy;
  report?: (outcome: DeliveryOutcome) => void;
  fetch?: Fetch;
}): Fetch {
  const { policy } = deps;
  const base: Fetch = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));

  return async function fetchWithLogoutRetries(input, init) {
    const token = logoutTokenOf(init);
    if (token === undefined || init === undefined) return base(input, init);
    const claims = claimsOf(token);
    const options: RequestInit & { dispatcher?: unknown } = { ...init };
    if (policy.allowPrivateNetworks) delete options.dispatcher;

    const attempt = (n: number) =>
      base(input, { ...options, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) }).then(
        (response) => {
          const ok = delivered(response.status);
          const final = ok || !worthRetrying(response.status) || n >= policy.attempts;
          deps.report?.({ ...claims, attempt: n, delivered: ok, final, status: response.status });
          // The library reads the first answer; retries' bodies are ours to discard.
          if (n > 1) void response.body?.cancel().catch(() => undefined);
          return { response, retry: !final };
        },
        (err: unknown) => {
          const final = n >= policy.attempts;
          deps.report?.({ ...claims, attempt: n, delivered: false, final });
          return { error: err, retry: !final };
        },
      );

    const retryLater = (n: number) => {
      const timer = setTimeout(
        () => {
          void attempt(n).then((result) => {
            if (result.retry) retryLater(n + 1);
          });
        },
        policy.retryDelayMs * 2 ** (n - 2),
      );
      timer.unref();
    };

    const first = await attempt(1);
    if (first.retry) retryLater(2);
    if ('response' in first) return first.response;
    throw first.error;
  };
}
