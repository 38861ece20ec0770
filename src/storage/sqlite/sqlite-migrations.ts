import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './in-transaction.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The schema, as an ordered list of migrations. Never edit a shipped migration: append one.
 * Each pending migration runs once, in the same immediate transaction as its `schema_version`
 * row, so two processes opening one file together cannot both apply it.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'oidc entries, accounts, signing keys, settings',
    sql: `
      CREATE TABLE IF NOT EXISTS oidc_entries (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        grant_id TEXT,
        uid TEXT,
        user_code TEXT,
        expires_at INTEGER,
        consumed INTEGER,
        PRIMARY KEY (model, id)
      );
      CREATE INDEX IF NOT EXISTS oidc_entries_grant ON oidc_entries (model, grant_id);
      CREATE UNIQUE INDEX IF NOT EXISTS oidc_entries_uid ON oidc_entries (model, uid);
      CREATE UNIQUE INDEX IF NOT EXISTS oidc_entries_user_code ON oidc_entries (model, user_code);
      CREATE INDEX IF NOT EXISTS oidc_entries_expires_at ON oidc_entries (expires_at);

      CREATE TABLE IF NOT EXISTS accounts (
        id TEXT PRIMARY KEY NOT NULL,
        username TEXT NOT NULL,
        username_normalized TEXT NOT NULL UNIQUE,
        email TEXT,
        email_normalized TEXT UNIQUE,
        email_verified INTEGER NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL,
        claims TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE IF NOT EXISTS signing_keys (
        kid TEXT PRIMARY KEY NOT NULL,
        alg TEXT NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        activates_at INTEGER NOT NULL,
        retired_at INTEGER,
        expires_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS signing_keys_created ON signing_keys (created_at, kid);

      CREATE TABLE IF NOT EXISTS settings (
        name TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'oidc entry owners (account_id, client_id), counters, security events',
    // ADD COLUMN has no IF NOT EXISTS; it needs none: a migration runs once, in the transaction
    // that records it. Existing entries get their owners from the payload, so revoking by account
    // or client also reaches entries written before this migration. Only string values are
    // copied, as upsert does (payload-string-field.ts).
    sql: `
      ALTER TABLE oidc_entries ADD COLUMN account_id TEXT;
      ALTER TABLE oidc_entries ADD COLUMN client_id TEXT;
      UPDATE oidc_entries SET
        account_id = CASE WHEN json_type(payload, '$.accountId') = 'text'
          THEN json_extract(payload, '$.accountId') END,
        client_id = CASE WHEN json_type(payload, '$.clientId') = 'text'
          THEN json_extract(payload, '$.clientId') END
      WHERE json_type(payload, '$.accountId') = 'text' OR json_type(payload, '$.clientId') = 'text';
      CREATE INDEX IF NOT EXISTS oidc_entries_account ON oidc_entries (model, account_id);
      CREATE INDEX IF NOT EXISTS oidc_entries_client ON oidc_entries (model, client_id);

      CREATE TABLE IF NOT EXISTS counters (
        key TEXT PRIMARY KEY NOT NULL,
        count INTEGER NOT NULL,
        reset_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS counters_reset_at ON counters (reset_at);

      CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY NOT NULL,
        time INTEGER NOT NULL,
        type TEXT NOT NULL,
        subject TEXT,
        client_id TEXT,
        actor TEXT,
        ip TEXT,
        user_agent TEXT,
        request_id TEXT,
        details TEXT
      );
      -- Every listing is newest first by (time, id): each index ends with both, so a filtered
      -- page is one index range walked backwards, and retention pruning is a range delete.
      CREATE INDEX IF NOT EXISTS events_time ON events (time, id);
      CREATE INDEX IF NOT EXISTS events_type ON events (type, time, id);
      CREATE INDEX IF NOT EXISTS events_subject ON events (subject, time, id);
      CREATE INDEX IF NOT EXISTS events_client ON events (client_id, time, id);
    `,
  },
  {
    version: 3,
    description: 'resource servers (APIs) and their change tag',
    // `scopes`, `introspection_client_ids` and `client_credentials_grants` are JSON arrays,
    // always read and written whole.
    // The one-row version table is rewritten in the transaction of every change, so a reader
    // that finds the tag unchanged knows its copy of every record is current.
    sql: `
      CREATE TABLE IF NOT EXISTS resource_servers (
        id TEXT PRIMARY KEY NOT NULL,
        identifier TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        token_format TEXT NOT NULL,
        access_token_ttl INTEGER,
        signing_alg TEXT NOT NULL,
        introspection_client_ids TEXT NOT NULL,
        client_credentials_grants TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS resource_servers_version (
        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        version TEXT NOT NULL
      );
      INSERT OR IGNORE INTO resource_servers_version (id, version) VALUES (1, lower(hex(randomblob(16))));
    `,
  },
  {
    version: 4,
    description: 'partial indexes on the optional oidc_entries columns',
    // Most entries (client-credentials and access tokens, interactions) have no uid, user code,
    // account or grant: partial indexes skip them, so the hot token write maintains fewer index
    // entries. Lookups still use them: SQLite knows `x = ?` implies `x IS NOT NULL`.
    sql: `
      DROP INDEX IF EXISTS oidc_entries_grant;
      DROP INDEX IF EXISTS oidc_entries_uid;
      DROP INDEX IF EXISTS oidc_entries_user_code;
      DROP INDEX IF EXISTS oidc_entries_account;
      DROP INDEX IF EXISTS oidc_entries_client;
      CREATE INDEX oidc_entries_grant ON oidc_entries (model, grant_id) WHERE grant_id IS NOT NULL;
      CREATE UNIQUE INDEX oidc_entries_uid ON oidc_entries (model, uid) WHERE uid IS NOT NULL;
      CREATE UNIQUE INDEX oidc_entries_user_code ON oidc_entries (model, user_code) WHERE user_code IS NOT NULL;
      CREATE INDEX oidc_entries_account ON oidc_entries (model, account_id) WHERE account_id IS NOT NULL;
      CREATE INDEX oidc_entries_client ON oidc_entries (model, client_id) WHERE client_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    description:
      'roles, groups, memberships, role assignments, account attributes; API role scopes',
    // Memberships and assignments are one row per pair (access-control-port.ts): adding one is
    // one INSERT OR IGNORE, removing one a DELETE. `role_scopes` is a JSON array like the API's
    // other lists; existing APIs get none (every user may get every scope, as before).
    sql: `
      CREATE TABLE IF NOT EXISTS rbac_roles (
        name TEXT PRIMARY KEY NOT NULL,
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS rbac_groups (
        name TEXT PRIMARY KEY NOT NULL,
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS rbac_group_members (
        group_name TEXT NOT NULL,
        member_kind TEXT NOT NULL,
        member_id TEXT NOT NULL,
        PRIMARY KEY (group_name, member_kind, member_id)
      );
      CREATE INDEX IF NOT EXISTS rbac_group_members_member ON rbac_group_members (member_kind, member_id);
      CREATE TABLE IF NOT EXISTS rbac_role_assignments (
        role TEXT NOT NULL,
        holder_kind TEXT NOT NULL,
        holder_id TEXT NOT NULL,
        PRIMARY KEY (role, holder_kind, holder_id)
      );
      CREATE INDEX IF NOT EXISTS rbac_role_assignments_holder ON rbac_role_assignments (holder_kind, holder_id);
      CREATE TABLE IF NOT EXISTS rbac_attributes (
        name TEXT PRIMARY KEY NOT NULL,
        type TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS rbac_account_attributes (
        account_id TEXT PRIMARY KEY NOT NULL,
        attributes TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      ALTER TABLE resource_servers ADD COLUMN role_scopes TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 6,
    description: 'the cache invalidation feed',
    // Appended on revocations and client changes, polled by every process sharing the file, and
    // pruned after a minute (src/cache/invalidation-feed.ts): small, read by time.
    sql: `
      CREATE TABLE IF NOT EXISTS cache_invalidations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        keys TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS cache_invalidations_time ON cache_invalidations (time);
    `,
  },
  {
    version: 7,
    description: 'second factors: TOTP, used TOTP steps, recovery codes, passkeys (issue 14)',
    sql: `
      CREATE TABLE mfa_totp (
        account_id TEXT PRIMARY KEY NOT NULL,
        sealed_secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        confirmed_at INTEGER,
        last_used_at INTEGER
      );
      CREATE TABLE mfa_totp_steps (
        account_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        PRIMARY KEY (account_id, step)
      );
      CREATE TABLE mfa_recovery_codes (
        account_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, hash)
      );
      CREATE TABLE mfa_passkeys (
        id TEXT PRIMARY KEY NOT NULL,
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        public_key TEXT NOT NULL,
        counter INTEGER NOT NULL,
        transports TEXT NOT NULL,
        attachment TEXT,
        device_type TEXT NOT NULL,
        backed_up INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
      );
      CREATE INDEX mfa_passkeys_account ON mfa_passkeys (account_id, created_at, id);
    `,
  },
  {
    version: 8,
    description: 'account lifecycle: one-time links (hashed), session activity, known devices',
    sql: `
      CREATE TABLE IF NOT EXISTS account_tokens (
        hash TEXT PRIMARY KEY NOT NULL,
        purpose TEXT NOT NULL,
        account_id TEXT NOT NULL,
        email TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS account_tokens_account ON account_tokens (account_id, purpose);
      CREATE INDEX IF NOT EXISTS account_tokens_expires_at ON account_tokens (expires_at);

      CREATE TABLE IF NOT EXISTS session_activity (
        session_uid TEXT PRIMARY KEY NOT NULL,
        account_id TEXT NOT NULL,
        user_agent TEXT,
        ip TEXT,
        signed_in_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS session_activity_account ON session_activity (account_id, last_used_at);
      CREATE INDEX IF NOT EXISTS session_activity_expires_at ON session_activity (expires_at);

      CREATE TABLE IF NOT EXISTS account_devices (
        account_id TEXT NOT NULL,
        device_hash TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, device_hash)
      );
    `,
  },
  {
    version: 9,
    description: 'outbox of outbound deliveries, webhook endpoints',
    // `available_at` is when a pending delivery is next due; a claim moves it to the end of the
    // lease, so "due" and "not held" are one indexed range (state, available_at).
    sql: `
      CREATE TABLE IF NOT EXISTS outbox (
        id TEXT PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        body TEXT NOT NULL,
        content_type TEXT NOT NULL,
        target TEXT NOT NULL,
        topic TEXT NOT NULL,
        state TEXT NOT NULL,
        available_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        lease_id TEXT,
        last_error TEXT,
        last_status INTEGER,
        last_attempt_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, available_at, id);

      CREATE TABLE IF NOT EXISTS webhook_endpoints (
        id TEXT PRIMARY KEY NOT NULL,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        description TEXT NOT NULL,
        disabled INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
];

/** Applies the migrations `db` has not seen yet; returns the versions it applied. */
export function migrate(
  db: DatabaseSync,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  return inTransaction(db, () => {
    // Read inside the write transaction: another process may have migrated since we looked.
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get();
    const current = typeof row?.version === 'number' ? row.version : 0;
    const record = db.prepare(
      'INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)',
    );
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.description, now());
      applied.push(migration.version);
    }
    return applied;
  });
}
