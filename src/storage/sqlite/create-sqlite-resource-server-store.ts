import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { StoreConflictError } from '../ports.ts';
import type {
  ListPage,
  ResourceServerRecord,
  ResourceServerRoleScopes,
  ResourceServerStore,
} from '../ports.ts';
import { applyResourceServerPatch } from '../apply-resource-server-patch.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { inTransaction } from './in-transaction.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = `id, identifier, name, scopes, token_format, access_token_ttl, signing_alg,
  introspection_client_ids, client_credentials_grants, created_at, updated_at, role_scopes`;

function toRecord(row: Record<string, unknown>): ResourceServerRecord {
  const record: ResourceServerRecord = {
    id: row.id as string,
    identifier: row.identifier as string,
    name: row.name as string,
    scopes: JSON.parse(row.scopes as string) as ResourceServerRecord['scopes'],
    tokenFormat: row.token_format as ResourceServerRecord['tokenFormat'],
    accessTokenTtlSeconds: (row.access_token_ttl as number | null) ?? undefined,
    signingAlg: row.signing_alg as string,
    introspectionClientIds: JSON.parse(row.introspection_client_ids as string) as string[],
    clientCredentialsGrants: JSON.parse(
      row.client_credentials_grants as string,
    ) as ResourceServerRecord['clientCredentialsGrants'],
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
  // None is stored as `[]` and read as absent, as on the other backends.
  const roleScopes = JSON.parse(row.role_scopes as string) as ResourceServerRoleScopes[];
  return roleScopes.length > 0 ? { ...record, roleScopes } : record;
}

/**
 * Resource servers in the `resource_servers` table. Every change rewrites the one row of
 * `resource_servers_version` in the same immediate transaction, so the tag and the records can
 * never disagree for a reader in any process.
 */
export function createSqliteResourceServerStore(db: DatabaseSync): ResourceServerStore {
  const insert = db.prepare(
    `INSERT INTO resource_servers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const replace = db.prepare(
    `UPDATE resource_servers SET name = ?, scopes = ?, token_format = ?, access_token_ttl = ?, signing_alg = ?,
     introspection_client_ids = ?, client_credentials_grants = ?, updated_at = ?, role_scopes = ? WHERE id = ?`,
  );
  const byId = db.prepare(`SELECT ${COLUMNS} FROM resource_servers WHERE id = ?`);
  const byIdentifier = db.prepare(`SELECT ${COLUMNS} FROM resource_servers WHERE identifier = ?`);
  const remove = db.prepare('DELETE FROM resource_servers WHERE id = ?');
  const firstPage = db.prepare(
    `SELECT ${COLUMNS} FROM resource_servers ORDER BY identifier LIMIT ?`,
  );
  const nextPage = db.prepare(
    `SELECT ${COLUMNS} FROM resource_servers WHERE identifier > ? ORDER BY identifier LIMIT ?`,
  );
  const readVersion = db.prepare('SELECT version FROM resource_servers_version WHERE id = 1');
  const writeVersion = db.prepare(
    'INSERT INTO resource_servers_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version',
  );
  const changed = (): void => {
    writeVersion.run(randomUUID());
  };

  return {
    async create(record) {
      guarded(() =>
        inTransaction(db, () => {
          if (byId.get(record.id) !== undefined) throw new StoreConflictError('id');
          if (byIdentifier.get(record.identifier) !== undefined)
            throw new StoreConflictError('identifier');
          insert.run(
            record.id,
            record.identifier,
            record.name,
            JSON.stringify(record.scopes),
            record.tokenFormat,
            record.accessTokenTtlSeconds ?? null,
            record.signingAlg,
            JSON.stringify(record.introspectionClientIds),
            JSON.stringify(record.clientCredentialsGrants),
            record.createdAt,
            record.updatedAt,
            JSON.stringify(record.roleScopes ?? []),
          );
          changed();
        }),
      );
    },

    async findById(id) {
      const row = guarded(() => byId.get(id));
      return row === undefined ? undefined : toRecord(row);
    },

    async findByIdentifier(identifier) {
      const row = guarded(() => byIdentifier.get(identifier));
      return row === undefined ? undefined : toRecord(row);
    },

    async update(id, patch, updatedAt) {
      return guarded(() =>
        inTransaction(db, () => {
          const row = byId.get(id);
          if (row === undefined) return undefined;
          const next = applyResourceServerPatch(toRecord(row), patch, updatedAt);
          replace.run(
            next.name,
            JSON.stringify(next.scopes),
            next.tokenFormat,
            next.accessTokenTtlSeconds ?? null,
            next.signingAlg,
            JSON.stringify(next.introspectionClientIds),
            JSON.stringify(next.clientCredentialsGrants),
            next.updatedAt,
            JSON.stringify(next.roleScopes ?? []),
            id,
          );
          changed();
          return next;
        }),
      );
    },

    async remove(id) {
      return guarded(() =>
        inTransaction(db, () => {
          const removed = remove.run(id).changes > 0;
          if (removed) changed();
          return removed;
        }),
      );
    },

    async list(options): Promise<ListPage<ResourceServerRecord>> {
      const after = decodeCursor(options.cursor);
      // One row more than asked tells whether another page exists without an extra query.
      const rows = guarded(() =>
        after === undefined
          ? firstPage.all(options.limit + 1)
          : nextPage.all(after, options.limit + 1),
      );
      const items = rows.slice(0, options.limit).map(toRecord);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > options.limit && last !== undefined
            ? encodeCursor(last.identifier)
            : undefined,
      };
    },

    async version() {
      const row = guarded(() => readVersion.get());
      // The migration writes the row; a missing one (never expected) still answers a stable tag.
      return typeof row?.version === 'string' ? row.version : 'none';
    },
  };
}
