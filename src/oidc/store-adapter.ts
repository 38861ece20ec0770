import { errors, Provider } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import {
  GRANTABLE_MODELS,
  OIDC_MODELS,
  type OidcModelName,
  type OidcModelStore,
} from '../storage/ports.ts';
import { bearerEntries } from './bearer-entries.ts';
import { refuseIfLogoutNotQueued } from './logout-not-queued.ts';
import { replayDetectionAdapter } from './replay-detection-adapter.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';

const CONSUMED_MESSAGES: Partial<Record<OidcModelName, string>> = {
  AuthorizationCode: 'authorization code already consumed',
  RefreshToken: 'refresh token already used',
  DeviceCode: 'device code already consumed',
};

function isModel(name: string): name is OidcModelName {
  return (OIDC_MODELS as readonly string[]).includes(name);
}

/**
 * oidc-provider's `Adapter` over our storage port, one instance per model.
 *
 * oidc-provider redeems a code or refresh token as find → check `consumed` → consume, so two
 * concurrent redemptions can both pass the check. Our `consume` is atomic and tells who won;
 * the loser is treated exactly like a replay: its request fails with `invalid_grant` and the
 * whole grant is revoked (RFC 9700 §4.14.2, RFC 6749 §4.1.2: a code used twice revokes the tokens
 * issued from it).
 *
 * Entries whose id is a bearer credential (tokens, codes, sessions...) are stored under a hash of
 * the id, without the id in the payload (src/oidc/bearer-entries.ts): a database dump yields no
 * usable token. oidc-provider sees the ids and payloads it wrote.
 *
 * When the store is unreachable every method fails with `TemporarilyUnavailableError`, which the
 * provider answers 503 `temporarily_unavailable`. Nothing is swallowed: a token is only sent
 * after the provider's `upsert` of it (and earlier of its grant) resolved, so no token goes out
 * whose grant was not persisted.
 */
export function createStoreAdapterFactory(store: OidcModelStore, now: () => number = Date.now) {
  const entries = bearerEntries(store);
  async function revokeGrant(grantId: string): Promise<void> {
    await Promise.all([
      ...[...GRANTABLE_MODELS].map((model) => store.revokeByGrantId(model, grantId)),
      store.destroy('Grant', grantId),
    ]);
  }

  return function adapterFor(name: string): Adapter {
    if (!isModel(name)) throw new Error(`oidc-provider asked for an unknown model: ${name}`);
    // Replay detection needs an atomic find-or-insert (issue 12 item 7): replay-detection-adapter.ts.
    if (name === 'ReplayDetection') return replayDetectionAdapter(store, now);
    const model = name;
    return {
      upsert: (id: string, payload: AdapterPayload, expiresIn?: number) =>
        answerOutageAsOAuth(async () => {
          const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : undefined;
          await entries.upsert(model, id, payload as Record<string, unknown>, expiresAt);
        }),
      find: (id: string) =>
        answerOutageAsOAuth(
          async () => (await entries.find(model, id)) as AdapterPayload | undefined,
        ),
      findByUid: (uid: string) =>
        answerOutageAsOAuth(
          async () => (await store.findByUid(model, uid)) as AdapterPayload | undefined,
        ),
      findByUserCode: (userCode: string) =>
        answerOutageAsOAuth(
          async () => (await store.findByUserCode(model, userCode)) as AdapterPayload | undefined,
        ),
      consume: (id: string) =>
        answerOutageAsOAuth(async () => {
          if (await entries.consume(model, id)) return;
          const entry = await entries.find(model, id);
          if (typeof entry?.grantId === 'string') await revokeGrant(entry.grantId);
          throw new errors.InvalidGrant(CONSUMED_MESSAGES[model] ?? 'grant already consumed');
        }),
      destroy: (id: string) =>
        answerOutageAsOAuth(async () => {
          // A session whose logout token did not reach the outbox is kept (logout-not-queued.ts).
          if (model === 'Session') refuseIfLogoutNotQueued(Provider.ctx);
          await entries.destroy(model, id);
        }),
      revokeByGrantId: (grantId: string) =>
        answerOutageAsOAuth(() => store.revokeByGrantId(model, grantId)),
    };
  };
}
