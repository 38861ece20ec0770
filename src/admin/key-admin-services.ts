import type { Config } from '../config/schema.ts';
import {
  isPublished,
  isSigning,
  pruneExpiredKeys,
  rotateSigningKeys,
  type SigningAlgorithm,
} from '../oidc/signing-keys.ts';
import type { KeyStore, SigningKeyRecord } from '../storage/ports.ts';
import type { Actor, AuditLog } from './audit-log.ts';

/**
 * Signing keys through the admin API (issue 16: `admin:keys` authority): the listing (never a
 * private key) and the two operations of `portcullis keys rotate|prune`, audited. Running servers
 * pick up new keys within `keys.reloadIntervalSeconds`, as after the CLI's rotation.
 */

function state(key: SigningKeyRecord, now: number) {
  if (!isPublished(key, now)) return 'expired' as const;
  if (isSigning(key, now)) return 'active' as const;
  return key.activatesAt > now ? ('pending' as const) : ('retired' as const);
}

export function createKeyAdminServices(deps: {
  config: Pick<Config, 'keys' | 'ttl'>;
  keys: KeyStore;
  audit: Pick<AuditLog, 'record'>;
  now: () => number;
}) {
  return {
    async list() {
      const now = deps.now();
      return (await deps.keys.list()).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        state: state(k, now),
        created_at: k.createdAt,
        activates_at: k.activatesAt,
        retired_at: k.retiredAt ?? null,
        expires_at: k.expiresAt ?? null,
      }));
    },
    async rotate(who: Actor) {
      const { config } = deps;
      // As `keys rotate`: a retired key stays published while anything it signed may be valid.
      const result = await rotateSigningKeys(
        deps.keys,
        {
          algorithms: config.keys.algorithms as SigningAlgorithm[],
          publishLeadSeconds: config.keys.publishLeadSeconds,
          maxTokenLifetimeSeconds: Math.max(
            config.ttl.idToken,
            config.ttl.accessToken,
            config.ttl.clientCredentials,
          ),
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
        added: result.added.map((k) => ({ kid: k.kid, alg: k.alg, activates_at: k.activatesAt })),
        retired: result.retired.map((k) => ({
          kid: k.kid,
          alg: k.alg,
          retired_at: k.retiredAt,
          expires_at: k.expiresAt,
        })),
      };
    },
    async prune(who: Actor) {
      const removed = await pruneExpiredKeys(deps.keys, deps.now());
      await deps.audit.record(who, {
        type: 'admin.keys.pruned',
        details: { removed: removed.join(' ') },
      });
      return { removed };
    },
  };
}
