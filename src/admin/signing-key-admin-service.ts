import { keyState, type KeyState } from '../cli/key-state.ts';
import type { Config } from '../config/schema.ts';
import {
  pruneExpiredKeys,
  rotateSigningKeys,
  type SigningAlgorithm,
} from '../oidc/signing-keys.ts';
import type { KeyStore } from '../storage/ports.ts';
import type { Actor, AuditLog } from './audit-log.ts';

export interface SigningKeyView {
  kid: string;
  alg: string;
  state: KeyState;
  created_at: string;
  activates_at: string;
  retires_at: string | null;
  expires_at: string | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Signing keys for the admin API, the CLI and the console: their state (never a private key),
 * a zero-downtime rotation and the pruning of expired keys (src/oidc/signing-keys.ts), each
 * change audited (`admin.keys.rotated`, `admin.keys.pruned`).
 */
export function createSigningKeyAdminService(deps: {
  config: Pick<Config, 'keys' | 'ttl'>;
  keys: KeyStore;
  audit: Pick<AuditLog, 'record'>;
  now: () => number;
}) {
  return {
    async list(): Promise<SigningKeyView[]> {
      const now = deps.now();
      return (await deps.keys.list()).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        state: keyState(k, now),
        created_at: new Date(k.createdAt).toISOString(),
        activates_at: new Date(k.activatesAt).toISOString(),
        retires_at: iso(k.retiredAt),
        expires_at: iso(k.expiresAt),
      }));
    },

    async rotate(who: Actor) {
      const { config } = deps;
      // A retired key stays published as long as anything it signed may still be verified:
      // ID tokens and (JWT) access tokens. Refresh tokens are opaque, never signed.
      const maxTokenLifetimeSeconds = Math.max(
        config.ttl.idToken,
        config.ttl.accessToken,
        config.ttl.clientCredentials,
      );
      const result = await rotateSigningKeys(
        deps.keys,
        {
          algorithms: config.keys.algorithms as SigningAlgorithm[],
          publishLeadSeconds: config.keys.publishLeadSeconds,
          maxTokenLifetimeSeconds,
        },
        deps.now(),
      );
      await deps.audit.record(who, {
        type: 'admin.keys.rotated',
        details: {
          added: result.added.map((k) => k.kid).join(' '),
          retired: result.retired.map((k) => k.kid).join(' '),
        },
      });
      return {
        added: result.added.map((k) => ({
          kid: k.kid,
          alg: k.alg,
          activates_at: new Date(k.activatesAt).toISOString(),
        })),
        retired: result.retired.map((k) => ({
          kid: k.kid,
          alg: k.alg,
          retires_at: new Date(k.retiredAt).toISOString(),
          expires_at: new Date(k.expiresAt).toISOString(),
        })),
        reload_interval_seconds: config.keys.reloadIntervalSeconds,
      };
    },

    async prune(who: Actor): Promise<{ removed: string[] }> {
      const removed = await pruneExpiredKeys(deps.keys, deps.now());
      if (removed.length > 0) {
        await deps.audit.record(who, {
          type: 'admin.keys.pruned',
          details: { removed: removed.join(' ') },
        });
      }
      return { removed };
    },
  };
}

export type SigningKeyAdminService = ReturnType<typeof createSigningKeyAdminService>;
