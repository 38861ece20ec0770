import { describe, expect, it } from '@jest/globals';
import {
  createOutgoingFetch,
  type DeliveryOutcome,
} from '../../src/security/backchannel-delivery.ts';

/** A logout token as oidc-provider sends it (only its payload is read, for the events). */
const token = [
  'e30',
  Buffer.from(JSON.stringify({ aud: 'app-1', sub: 'user-1' })).toString('base64url'),
  'sig',
].join('.');
/** The library's SSRF-guarding undici dispatcher, as far as the wrapper is concerned: opaque. */
const GUARD = { guard: 'ssrf' } as unknown as RequestInit['dispatcher'];
const logoutInit = (): RequestInit => ({
  method: 'POST',
  body: new URLSearchParams({ logout_token: token }),
  dispatcher: GUARD,
});

/** The transport under the wrapper: answers the planned statuses and records what it was given. */
function transport(statuses: (number | Error)[]) {
  const calls: RequestInit[] = [];
  const fetch = async (_input: string | URL | Request, init?: RequestInit) => {
    calls.push(init ?? {});
    const next = statuses.length > 1 ? statuses.shift() : statuses[0];
    if (next instanceof Error) throw next;
    return new Response(null, { status: next ?? 200 });
  };
  return { calls, fetch };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('back-channel logout delivery (OIDC Back-Channel Logout §2.8)', () => {
  it('answers the first attempt to the library and retries failures in the background with doubling delays', async () => {
    const { calls, fetch } = transport([503, new Error('ECONNRESET'), 200]);
    const outcomes: DeliveryOutcome[] = [];
    const deliver = createOutgoingFetch({
      policy: { attempts: 5, retryDelayMs: 20, allowPrivateNetworks: false },
      fetch,
      report: (o) => outcomes.push(o),
    });
    const first = await deliver('https://rp.example/bc', logoutInit());
    expect(first.status).toBe(503);
    await sleep(150);
    expect(calls).toHaveLength(3);
    expect(outcomes.map((o) => [o.attempt, o.delivered, o.final])).toEqual([
      [1, false, false],
      [2, false, false],
      [3, true, true],
    ]);
    expect(outcomes[0]).toMatchObject({ clientId: 'app-1', subject: 'user-1', status: 503 });
  });

  it('stops after the configured attempts and never retries a 4xx', async () => {
    const down = transport([500]);
    const deliverDown = createOutgoingFetch({
      policy: { attempts: 3, retryDelayMs: 10, allowPrivateNetworks: false },
      fetch: down.fetch,
    });
    await deliverDown('https://rp.example/bc', logoutInit());
    const refusing = transport([400]);
    const deliverRefusing = createOutgoingFetch({
      policy: { attempts: 3, retryDelayMs: 10, allowPrivateNetworks: false },
      fetch: refusing.fetch,
    });
    await deliverRefusing('https://rp.example/bc', logoutInit());
    await sleep(120);
    expect(down.calls).toHaveLength(3);
    expect(refusing.calls).toHaveLength(1);
  });

  it("keeps the library's SSRF-guarding dispatcher unless private networks are allowed, and only for logout tokens", async () => {
    const guarded = transport([200]);
    await createOutgoingFetch({
      policy: { attempts: 1, retryDelayMs: 10, allowPrivateNetworks: false },
      fetch: guarded.fetch,
    })('https://rp.example/bc', logoutInit());
    expect(guarded.calls[0]?.dispatcher).toBe(GUARD);

    const open = transport([200]);
    const deliver = createOutgoingFetch({
      policy: { attempts: 1, retryDelayMs: 10, allowPrivateNetworks: true },
      fetch: open.fetch,
    });
    await deliver('http://10.0.0.5/bc', logoutInit());
    expect(open.calls[0]).not.toHaveProperty('dispatcher');
    // Other outgoing requests (JWKS, sector identifiers) keep the guard whatever the setting.
    await deliver('https://rp.example/jwks', { method: 'GET', dispatcher: GUARD });
    expect(open.calls[1]?.dispatcher).toBe(GUARD);
  });
});
