import type { Config } from '../config/schema.ts';
import {
  createResourceServerService,
  resourceServerLimits,
  type ResourceServerView,
} from '../resources/resource-server-service.ts';
import type { OidcModelStore, ResourceServerStore } from '../storage/ports.ts';
import type { Actor, AuditLog } from './audit-log.ts';

/**
 * APIs (resource servers, RFC 8707) for the admin API and the CLI alike: the resource-server
 * service's rules, and one audit entry per change (`admin.api.created|updated|deleted`), so the
 * trail is the same whichever is used (issue 17).
 */
export function createApiAdminService(deps: {
  config: Pick<Config, 'keys' | 'ttl'>;
  store: ResourceServerStore;
  clients: Pick<OidcModelStore, 'find'>;
  audit: Pick<AuditLog, 'record'>;
  now: () => number;
  onChange?: () => void;
  /** Whether a role exists (issue 16): `role_scopes` may name only existing roles. */
  roleExists?: (name: string) => Promise<boolean>;
}) {
  const service = createResourceServerService({
    store: deps.store,
    clients: deps.clients,
    limits: resourceServerLimits(deps.config),
    now: deps.now,
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
    ...(deps.roleExists ? { roleExists: deps.roleExists } : {}),
  });
  return {
    get: service.get,
    list: service.list,
    async create(input: unknown, who: Actor): Promise<ResourceServerView> {
      const api = await service.create(input);
      await deps.audit.record(who, {
        type: 'admin.api.created',
        details: {
          id: api.id,
          identifier: api.identifier.slice(0, 200),
          token_format: api.token_format,
        },
      });
      return api;
    },
    async update(idOrIdentifier: string, patch: unknown, who: Actor): Promise<ResourceServerView> {
      const change = await service.update(idOrIdentifier, patch);
      if (change.changed.length > 0) {
        await deps.audit.record(who, {
          type: 'admin.api.updated',
          details: { id: change.api.id, changed: change.changed.join(' ') },
        });
      }
      return change.api;
    },
    async remove(idOrIdentifier: string, who: Actor): Promise<ResourceServerView> {
      const api = await service.get(idOrIdentifier);
      await service.remove(api.id);
      await deps.audit.record(who, {
        type: 'admin.api.deleted',
        details: { id: api.id, identifier: api.identifier.slice(0, 200) },
      });
      return api;
    },
  };
}

export type ApiAdminService = ReturnType<typeof createApiAdminService>;
