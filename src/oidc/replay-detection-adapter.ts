import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcModelStore } from '../storage/ports.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';

/**
 * How long a reservation holds before the provider's save replaces it with the real expiry
 * (the proof's or assertion's own). Only reached when that save never comes (the store failed
 * in between, and the request with it); longer than any acceptance window the provider uses
 * for DPoP proofs (5 minutes) and than usual client-assertion lifetimes.
 */
const RESERVATION_MS = 60 * 60 * 1000;

/**
 * The `ReplayDetection` model's adapter. oidc-provider's `ReplayDetection.unique()` (DPoP proofs,
 * client assertions, attestations) is `find`, then `save` if nothing was found — two steps, so
 * parallel uses of one DPoP proof all found nothing and all got tokens (2–8 of 10 on MongoDB;
 * issue 12 item 7; RFC 9449 §11.1, RFC 7523 §3 item 7). Here `find` *is* the reservation: an
 * atomic insert-if-absent, and it reports "not found" only to the one caller whose insert
 * made the entry; every other caller sees it found, i.e. a replay. The `save` that follows
 * replaces the reservation with the real expiry. Kept apart from the generic adapter so the
 * fix is local to this one model.
 */
export function replayDetectionAdapter(store: OidcModelStore, now: () => number): Adapter {
  const model = 'ReplayDetection';
  return {
    find: (id: string) =>
      answerOutageAsOAuth(async () => {
        const inserted = await store.insertIfAbsent(
          model,
          id,
          { jti: id, kind: model },
          now() + RESERVATION_MS,
        );
        return inserted ? undefined : ({ jti: id, kind: model } as AdapterPayload);
      }),
    upsert: (id: string, payload: AdapterPayload, expiresIn?: number) =>
      answerOutageAsOAuth(async () => {
        const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : undefined;
        await store.upsert(model, id, payload as Record<string, unknown>, expiresAt);
      }),
    // The provider never asks for these of this model; they answer like the generic adapter.
    findByUid: () => Promise.resolve(undefined),
    findByUserCode: () => Promise.resolve(undefined),
    consume: (id: string) => answerOutageAsOAuth(async () => void (await store.consume(model, id))),
    destroy: (id: string) => answerOutageAsOAuth(() => store.destroy(model, id)),
    revokeByGrantId: (grantId: string) =>
      answerOutageAsOAuth(() => store.revokeByGrantId(model, grantId)),
  };
}
