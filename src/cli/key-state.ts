import { isPublished, isSigning } from '../oidc/signing-keys.ts';
import type { SigningKeyRecord } from '../storage/ports.ts';

/**
 * Where a key is in its life (see src/oidc/signing-keys.ts): `pending` is published but does not
 * sign yet, `active` signs, `retired` no longer signs but stays published so tokens it signed
 * still verify, `expired` has left the JWKS and may be pruned.
 */
export type KeyState = 'pending' | 'active' | 'retired' | 'expired';

export function keyState(key: SigningKeyRecord, now: number): KeyState {
  if (!isPublished(key, now)) return 'expired';
  if (isSigning(key, now)) return 'active';
  return key.activatesAt > now ? 'pending' : 'retired';
}
