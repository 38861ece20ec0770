/**
 * oidc-provider model storage on MongoDB: one collection per model, documents
 * `{ _id, payload, expiresAt, grantId?, uid?, userCode?, accountId?, clientId?, consumed? }`.
 */
import type { Collection, Db, Filter } from 'mongodb';
import type {
  ListOptions,
  ListPage,
  OidcModelName,
  OidcModelStore,
  OidcPayload,
} from '../ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { payloadStringField as stringField } from '../payload-string-field.ts';
import {
  CONSUME_MARKERS_COLLECTION,
  OIDC_COLLECTIONS,
  oidcCollectionName,
} from './collection-names.ts';
import { fromMongoSafe, toMongoSafe } from './mongo-safe-value.ts';
import type { OidcDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

export interface MongoOidcStore extends OidcModelStore {
  /** Deletes expired entries of every model; returns how many. */
  sweepExpired(): Promise<number>;
}

/** Upsert attempts when a unique uid/userCode is held by another id (see `upsert`). */
const UPSERT_ATTEMPTS = 3;

const PAYLOAD_ONLY = { projection: { _id: 0, payload: 1 } } as const;

function toDocument(
  payload: OidcPayload,
  expiresAt: number | undefined,
  now: number,
): Omit<OidcDocument, '_id'> {
  const doc: Omit<OidcDocument, '_id'> = {
    payload: toMongoSafe(payload) as Record<string, unknown>,
    expiresAt: expiresAt === undefined ? null : new Date(expiresAt),
  };
  // Lookup fields are set only when present: the sparse unique indexes skip absent fields but
  // would index (and collide on) nulls.
  const grantId = stringField(payload, 'grantId');
  const uid = stringField(payload, 'uid');
  const userCode = stringField(payload, 'userCode');
  const accountId = stringField(payload, 'accountId');
  const clientId = stringField(payload, 'clientId');
  if (grantId !== undefined) doc.grantId = grantId;
  if (uid !== undefined) doc.uid = uid;
  if (userCode !== undefined) doc.userCode = userCode;
  if (accountId !== undefined) doc.accountId = accountId;
  if (clientId !== undefined) doc.clientId = clientId;
  // An entry saved already consumed (oidc-provider re-saves consumed codes) stays consumed.
  const consumed = payload['consumed'];
  if (consumed !== undefined && consumed !== null) {
    doc.consumed = typeof consumed === 'number' ? new Date(consumed * 1000) : new Date(now);
  }
  return doc;
}

function toPayload(doc: Pick<OidcDocument, 'payload'>): OidcPayload {
  return fromMongoSafe(doc.payload) as OidcPayload;
}

/** An insert-once record that `id` of a model was consumed (see detect-atomic-updates.ts). */
interface ConsumeMarker {
  _id: string;
  /** The entry's own expiry, so markers are swept along with what they mark. */
  expiresAt: Date | null;
}

export interface MongoOidcStoreOptions {
  now: () => number;
  /** False where a conditional update is not atomic (FerretDB 1.x): `consume` then claims an
   *  insert-once marker, which a unique `_id` makes atomic everywhere. */
  atomicUpdates: boolean;
}

export function createMongoOidcStore(
  db: Db,
  { now, atomicUpdates }: MongoOidcStoreOptions,
): MongoOidcStore {
  const markers = db.collection<ConsumeMarker>(CONSUME_MARKERS_COLLECTION);
  const collections = new Map<OidcModelName, Collection<OidcDocument>>();
  const collection = (model: OidcModelName): Collection<OidcDocument> => {
    let found = collections.get(model);
    if (found === undefined) {
      found = db.collection<OidcDocument>(oidcCollectionName(model));
      collections.set(model, found);
    }
    return found;
  };

  // Every read also checks expiry: TTL monitors run about once a minute (and FerretDB has none),
  // so expired documents linger. Expiry is exclusive: expiresAt == now has expired.
  const live = (): Filter<OidcDocument> => ({
    $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date(now()) } }],
  });

  /**
   * Deletes a model's entries matching `owner`, expired leftovers included, and counts the live
   * ones only: for every reader the expired ones were gone already (and a TTL monitor may have
   * removed them by now, so counting them would make the answer depend on its timing).
   */
  const revokeOwned = async (
    model: OidcModelName,
    owner: Filter<OidcDocument>,
  ): Promise<number> => {
    const { deletedCount } = await collection(model).deleteMany({ ...owner, ...live() });
    await collection(model).deleteMany({ ...owner, expiresAt: { $lte: new Date(now()) } });
    return deletedCount;
  };

  const findOneLive = async (
    model: OidcModelName,
    filter: Filter<OidcDocument>,
  ): Promise<OidcPayload | undefined> => {
    const doc = await collection(model).findOne({ ...filter, ...live() }, PAYLOAD_ONLY);
    return doc === null ? undefined : toPayload(doc);
  };

  return {
    upsert: (model, id, payload, expiresAt) =>
      guard('upsert', async () => {
        const doc = toDocument(payload, expiresAt, now());
        const holders: Filter<OidcDocument>[] = [];
        if (doc.uid !== undefined) holders.push({ uid: doc.uid });
        if (doc.userCode !== undefined) holders.push({ userCode: doc.userCode });
        for (let attempt = 1; ; attempt += 1) {
          try {
            await collection(model).replaceOne({ _id: id }, doc, { upsert: true });
            return;
          } catch (error) {
            if (!isDuplicateKeyError(error) || attempt >= UPSERT_ATTEMPTS) throw error;
            // Another id holds this uid or userCode (a stale session re-saved under concurrent
            // logins, the old adapter's E11000): the newer entry wins, so remove the stale holder
            // and retry. Without holders the clash was two concurrent upserts of one new id,
            // which a retry resolves as an update.
            if (holders.length > 0) {
              await collection(model).deleteMany({ _id: { $ne: id }, $or: holders });
            }
          }
        }
      }),

    insertIfAbsent: (model, id, payload, expiresAt) =>
      guard('insertIfAbsent', async () => {
        // The unique `_id` makes the insert the one atomic step, on MongoDB and FerretDB alike.
        const doc = { _id: id, ...toDocument(payload, expiresAt, now()) };
        for (let attempt = 1; attempt <= 2; attempt += 1) {
          try {
            await collection(model).insertOne(doc);
            return true;
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
          }
          // The id is held. Live: not ours. Expired (TTL monitors lag, FerretDB has none):
          // remove it and try once more, so a later insert of the id is not refused forever.
          // (On FerretDB this delete is not atomic with its filter: two callers racing over one
          // *expired* id can both win. Replay ids expire only after the engine refuses the proof
          // or assertion as too old anyway.)
          const { deletedCount } = await collection(model).deleteOne({
            _id: id,
            expiresAt: { $lte: new Date(now()) },
          });
          if (deletedCount === 0) return false;
        }
        return false;
      }),

    find: (model, id) => guard('find', () => findOneLive(model, { _id: id })),

    findByUid: (model, uid) => guard('findByUid', () => findOneLive(model, { uid })),

    findByUserCode: (model, userCode) =>
      guard('findByUserCode', () => findOneLive(model, { userCode })),

    consume: (model, id) =>
      guard('consume', async () => {
        const at = now();
        const markConsumed = {
          $set: { consumed: new Date(at), 'payload.consumed': Math.floor(at / 1000) },
        };
        if (atomicUpdates) {
          // One conditional update (RFC 6749 §4.1.2: a code is used at most once): of concurrent
          // callers only the one whose update matched an unconsumed, unexpired entry modifies it.
          const result = await collection(model).updateOne(
            { _id: id, consumed: null, ...live() },
            markConsumed,
          );
          return result.modifiedCount === 1;
        }
        // Non-atomic updates: check, then let the unique `_id` of a marker pick the one winner.
        const entry = await collection(model).findOne(
          { _id: id, consumed: null, ...live() },
          { projection: { _id: 0, expiresAt: 1 } },
        );
        if (entry === null) return false;
        try {
          await markers.insertOne({
            _id: `${oidcCollectionName(model)}:${id}`,
            expiresAt: entry.expiresAt,
          });
        } catch (error) {
          if (isDuplicateKeyError(error)) return false;
          throw error;
        }
        const result = await collection(model).updateOne({ _id: id }, markConsumed);
        // Zero when the entry was destroyed since the check: then nothing was consumed.
        return result.matchedCount === 1;
      }),

    destroy: (model, id) =>
      guard('destroy', async () => {
        await collection(model).deleteOne({ _id: id });
      }),

    revokeByGrantId: (model, grantId) =>
      guard('revokeByGrantId', async () => {
        await collection(model).deleteMany({ grantId });
      }),

    findByAccountId: (model, accountId, limit) =>
      guard('findByAccountId', async () => {
        // `$eq`: a value that is not a string can only ever match literally, never as an operator.
        const docs = await collection(model)
          .find({ accountId: { $eq: accountId }, ...live() }, { projection: { payload: 1 } })
          // Oldest `iat` first (absent first, as NULLs in SQL), then id: the same on every backend.
          .sort({ 'payload.iat': 1, _id: 1 })
          .limit(limit)
          .toArray();
        return docs.map((doc) => ({ id: doc._id, payload: toPayload(doc) }));
      }),

    revokeByAccountId: (model, accountId) =>
      guard('revokeByAccountId', () => revokeOwned(model, { accountId: { $eq: accountId } })),

    revokeByClientId: (model, clientId) =>
      guard('revokeByClientId', () => revokeOwned(model, { clientId: { $eq: clientId } })),

    list: (model, options: ListOptions) =>
      guard('list', async (): Promise<ListPage<{ id: string; payload: OidcPayload }>> => {
        const after = decodeCursor(options.cursor);
        const filter: Filter<OidcDocument> =
          after === undefined ? live() : { _id: { $gt: after }, ...live() };
        // One extra document tells whether another page follows, so the last page is never empty.
        const docs = await collection(model)
          .find(filter, { projection: { payload: 1 } })
          .sort({ _id: 1 })
          .limit(options.limit + 1)
          .toArray();
        const page = docs.slice(0, options.limit);
        const last = page.at(-1);
        return {
          items: page.map((doc) => ({ id: doc._id, payload: toPayload(doc) })),
          nextCursor:
            docs.length > options.limit && last !== undefined ? encodeCursor(last._id) : undefined,
        };
      }),

    sweepExpired: () =>
      guard('sweepExpired', async () => {
        const cutoff = new Date(now());
        let removed = 0;
        for (const { model } of OIDC_COLLECTIONS) {
          const result = await collection(model).deleteMany({ expiresAt: { $lte: cutoff } });
          removed += result.deletedCount;
        }
        // Bookkeeping, not entries: removed but not counted.
        await markers.deleteMany({ expiresAt: { $lte: cutoff } });
        return removed;
      }),
  };
}
