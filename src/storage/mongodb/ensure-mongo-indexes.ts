/**
 * Creates every index the MongoDB backend's lookups need. Idempotent: run at every start and by
 * `portcullis db migrate` in deploy pipelines; existing identical indexes are left alone.
 */
import type { Db, Document } from 'mongodb';
import { GRANTABLE_MODELS } from '../ports.ts';
import {
  ACCOUNT_DEVICES_COLLECTION,
  ACCOUNT_TOKEN_USES_COLLECTION,
  ACCOUNT_TOKENS_COLLECTION,
  ACCOUNTS_COLLECTION,
  SESSION_ACTIVITY_COLLECTION,
  CONSUME_MARKERS_COLLECTION,
  COUNTER_SLOTS_COLLECTION,
  COUNTERS_COLLECTION,
  EVENTS_COLLECTION,
  INVALIDATIONS_COLLECTION,
  OIDC_COLLECTIONS,
  RBAC_GROUP_MEMBERS_COLLECTION,
  RBAC_ROLE_ASSIGNMENTS_COLLECTION,
  RESOURCE_SERVERS_COLLECTION,
  SIGNING_KEYS_COLLECTION,
} from './collection-names.ts';
import { CREDENTIAL_INDEXES } from './create-mongo-credential-store.ts';
import { isNotImplementedError } from './mongo-errors.ts';
import type { MongoStoreLog } from './mongo-store-options.ts';

export interface EnsureIndexesResult {
  /** False when the server refused TTL indexes: expired entries must then be swept. */
  ttlIndexes: boolean;
  /** How many indexes this run created (0 when all existed). */
  created: number;
}

interface IndexSpec {
  key: Record<string, 1>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
}

// Unique lookups use *sparse* indexes rather than partial ones: FerretDB 1.24 answers
// `partialFilterExpression` with NotImplemented, and for one field a sparse index is equivalent
// as long as documents omit the field (never store `null`), which the backend guarantees.
const UID_INDEX: IndexSpec = { key: { uid: 1 }, name: 'uid_unique', unique: true, sparse: true };
const USER_CODE_INDEX: IndexSpec = {
  key: { userCode: 1 },
  name: 'userCode_unique',
  unique: true,
  sparse: true,
};
const GRANT_ID_INDEX: IndexSpec = { key: { grantId: 1 }, name: 'grantId' };
// Owners, for revoking a user's or a client's entries. On every model, since the port lets any be
// asked; sparse, because most models' documents have no owner field and need no index entry.
const ACCOUNT_ID_INDEX: IndexSpec = { key: { accountId: 1 }, name: 'accountId', sparse: true };
const CLIENT_ID_INDEX: IndexSpec = { key: { clientId: 1 }, name: 'clientId', sparse: true };
// expireAfterSeconds 0: a document expires at the instant in `expiresAt` (documents with
// `expiresAt: null` are never removed). MongoDB's TTL monitor runs about once a minute, which is
// why every read also filters on `expiresAt`.
const TTL_INDEX: IndexSpec = {
  key: { expiresAt: 1 },
  name: 'expiresAt_ttl',
  expireAfterSeconds: 0,
};
// Without TTL support, a plain index keeps the periodic sweep's range delete cheap.
const SWEEP_INDEX: IndexSpec = { key: { expiresAt: 1 }, name: 'expiresAt_sweep' };

const ACCOUNT_INDEXES: readonly IndexSpec[] = [
  { key: { usernameNormalized: 1 }, name: 'usernameNormalized_unique', unique: true },
  { key: { emailNormalized: 1 }, name: 'emailNormalized_unique', unique: true, sparse: true },
  // Multikey unique index over [usernameNormalized, emailNormalized]: on MongoDB it rejects,
  // atomically, a username equal to another account's email and vice versa (the login form
  // accepts either). FerretDB 1.24 indexes the array as one value, so there only the
  // backend's check before insert guards that case (see create-mongo-account-store.ts).
  { key: { logins: 1 }, name: 'logins_unique', unique: true },
];

// RFC 8707 identifiers are unique: one API per `resource` URI (also the listing order).
const RESOURCE_SERVER_INDEXES: readonly IndexSpec[] = [
  { key: { identifier: 1 }, name: 'identifier_unique', unique: true },
];

const SIGNING_KEY_INDEXES: readonly IndexSpec[] = [
  { key: { createdAt: 1, _id: 1 }, name: 'createdAt_kid' },
];

// A key's newest window and its highest slot are the first entry walking this index backwards.
const COUNTER_SLOT_INDEXES: readonly IndexSpec[] = [
  { key: { key: 1, expiresAt: 1, n: 1 }, name: 'key_window_n' },
];

// Listings are newest first by (time, _id), optionally narrowed by one equality filter: each index
// ends with both keys, and MongoDB walks an ascending index backwards for a descending sort.
const EVENT_INDEXES: readonly IndexSpec[] = [
  { key: { time: 1, _id: 1 }, name: 'time_id' },
  { key: { type: 1, time: 1, _id: 1 }, name: 'type_time_id' },
  { key: { subject: 1, time: 1, _id: 1 }, name: 'subject_time_id' },
  { key: { clientId: 1, time: 1, _id: 1 }, name: 'clientId_time_id' },
];

// Memberships and assignments are found by their member or holder (`groupsOf`, `rolesOf`) and by
// their group or role (`listMembers`, removals); `_id` already leads with the latter.
const RBAC_MEMBER_INDEXES: readonly IndexSpec[] = [
  { key: { group: 1 }, name: 'group' },
  { key: { kind: 1, member: 1 }, name: 'kind_member' },
];
const RBAC_ASSIGNMENT_INDEXES: readonly IndexSpec[] = [
  { key: { role: 1 }, name: 'role' },
  { key: { kind: 1, holder: 1 }, name: 'kind_holder' },
];

/**
 * Creates one index. One per command on purpose: FerretDB 1.24.2 panics (and drops the
 * connection) on a `createIndexes` listing several indexes that all exist already.
 * Returns how many indexes the server created (0 or 1).
 */
async function createIndex(db: Db, collection: string, spec: IndexSpec): Promise<number> {
  const reply: Document = await db.command({ createIndexes: collection, indexes: [spec] });
  const before = reply['numIndexesBefore'];
  const after = reply['numIndexesAfter'];
  return typeof before === 'number' && typeof after === 'number' ? Math.max(0, after - before) : 0;
}

export async function ensureMongoIndexes(db: Db, log: MongoStoreLog): Promise<EnsureIndexesResult> {
  let created = 0;
  const ensure = async (collection: string, spec: IndexSpec): Promise<void> => {
    const count = await createIndex(db, collection, spec);
    if (count > 0) log('mongodb: created index', { collection, index: spec.name });
    created += count;
  };

  let ttlIndexes = true;
  const ensureExpiry = async (collection: string): Promise<void> => {
    if (ttlIndexes) {
      try {
        await ensure(collection, TTL_INDEX);
      } catch (error) {
        if (!isNotImplementedError(error)) throw error;
        // Once refused, the server refuses for every collection: decide once, log once.
        ttlIndexes = false;
        log(
          'mongodb: this server does not support TTL indexes (NotImplemented); expired entries ' +
            'will be removed by a periodic sweep instead',
        );
      }
    }
    if (!ttlIndexes) await ensure(collection, SWEEP_INDEX);
  };

  for (const { model, name } of OIDC_COLLECTIONS) {
    await ensureExpiry(name);
    await ensure(name, UID_INDEX);
    await ensure(name, USER_CODE_INDEX);
    if (GRANTABLE_MODELS.has(model)) await ensure(name, GRANT_ID_INDEX);
    await ensure(name, ACCOUNT_ID_INDEX);
    await ensure(name, CLIENT_ID_INDEX);
  }
  await ensureExpiry(CONSUME_MARKERS_COLLECTION);
  for (const spec of ACCOUNT_INDEXES) await ensure(ACCOUNTS_COLLECTION, spec);
  for (const spec of SIGNING_KEY_INDEXES) await ensure(SIGNING_KEYS_COLLECTION, spec);
  // Both counter collections, whichever this server uses: a database may move between servers.
  await ensureExpiry(COUNTERS_COLLECTION);
  await ensureExpiry(COUNTER_SLOTS_COLLECTION);
  for (const spec of COUNTER_SLOT_INDEXES) await ensure(COUNTER_SLOTS_COLLECTION, spec);
  for (const spec of EVENT_INDEXES) await ensure(EVENTS_COLLECTION, spec);
  for (const spec of RESOURCE_SERVER_INDEXES) await ensure(RESOURCE_SERVERS_COLLECTION, spec);
  await ensure(INVALIDATIONS_COLLECTION, { key: { time: 1, _id: 1 }, name: 'time_id' });
  for (const spec of RBAC_MEMBER_INDEXES) await ensure(RBAC_GROUP_MEMBERS_COLLECTION, spec);
  for (const spec of RBAC_ASSIGNMENT_INDEXES) await ensure(RBAC_ROLE_ASSIGNMENTS_COLLECTION, spec);
  for (const { collection, spec } of CREDENTIAL_INDEXES) await ensure(collection, spec);
  // Account lifecycle (issue 15): links and session records expire; each is listed by account.
  await ensureExpiry(ACCOUNT_TOKENS_COLLECTION);
  await ensureExpiry(ACCOUNT_TOKEN_USES_COLLECTION);
  await ensure(ACCOUNT_TOKENS_COLLECTION, { key: { accountId: 1 }, name: 'accountId' });
  await ensureExpiry(SESSION_ACTIVITY_COLLECTION);
  await ensure(SESSION_ACTIVITY_COLLECTION, { key: { accountId: 1 }, name: 'accountId' });
  await ensure(ACCOUNT_DEVICES_COLLECTION, { key: { accountId: 1 }, name: 'accountId' });

  log('mongodb: indexes ensured', { created, ttlIndexes });
  return { ttlIndexes, created };
}
