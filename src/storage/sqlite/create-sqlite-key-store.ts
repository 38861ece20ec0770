import type { DatabaseSync } from 'node:sqlite';
import { StoreConflictError } from '../ports.ts';
import type { KeyStore, SigningKeyRecord } from '../ports.ts';
import { guarded } from './map-sqlite-error.ts';

function toRecord(row: Record<string, unknown>): SigningKeyRecord {
  return {
    kid: row.kid as string,
    alg: row.alg as string,
    privateJwk: JSON.parse(row.private_jwk as string) as Record<string, unknown>,
    createdAt: row.created_at as number,
    activatesAt: row.activates_at as number,
    retiredAt: (row.retired_at as number | null) ?? undefined,
    expiresAt: (row.expires_at as number | null) ?? undefined,
  };
}

/** Signing keys in the `signing_keys` table. */
export function createSqliteKeyStore(db: DatabaseSync): KeyStore {
  const list = db.prepare(
    `SELECT kid, alg, private_jwk, created_at, activates_at, retired_at, expires_at
     FROM signing_keys ORDER BY created_at, kid`,
  );
  // DO NOTHING + a change count reports a taken kid without parsing a constraint error.
  const add = db.prepare(
    `INSERT INTO signing_keys (kid, alg, private_jwk, created_at, activates_at, retired_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING`,
  );
  const update = db.prepare('UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE kid = ?');
  const replaceJwk = db.prepare('UPDATE signing_keys SET private_jwk = ? WHERE kid = ?');
  const remove = db.prepare('DELETE FROM signing_keys WHERE kid = ?');

  return {
    async list() {
      return guarded(() => list.all()).map(toRecord);
    },

    async add(record) {
      const result = guarded(() =>
        add.run(
          record.kid,
          record.alg,
          JSON.stringify(record.privateJwk),
          record.createdAt,
          record.activatesAt,
          record.retiredAt ?? null,
          record.expiresAt ?? null,
        ),
      );
      if (Number(result.changes) === 0) throw new StoreConflictError('kid');
    },

    async update(kid, patch) {
      const result = guarded(() =>
        update.run(patch.retiredAt ?? null, patch.expiresAt ?? null, kid),
      );
      return Number(result.changes) === 1;
    },

    async replacePrivateJwk(kid, privateJwk) {
      const result = guarded(() => replaceJwk.run(JSON.stringify(privateJwk), kid));
      return Number(result.changes) === 1;
    },

    async remove(kid) {
      guarded(() => remove.run(kid));
    },
  };
}
