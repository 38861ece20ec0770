/**
 * Resource servers on MongoDB: one document per API, `_id` = id, a unique index on
 * `identifier`, and the change tag in a document of its own.
 *
 * MongoDB has no transaction here (FerretDB 1.24 has none at all), so a change is two writes:
 * the record, then a fresh random tag. A reader that reads the tag between the two may load the
 * new record under the old tag; it then sees the tag change on its next read and loads again, so
 * it is never left with stale records. A random tag (not `$inc`, a read-modify-write on FerretDB
 * that concurrent writers can leave unchanged) changes on every write whatever the interleaving.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import type { ListPage, ResourceServerRecord, ResourceServerStore } from '../ports.ts';
import { applyResourceServerPatch } from '../apply-resource-server-patch.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import {
  RESOURCE_SERVERS_COLLECTION,
  RESOURCE_SERVERS_VERSION_COLLECTION,
} from './collection-names.ts';
import type { ResourceServerDocument, ResourceServerVersionDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

const VERSION_ID = 'version';

function toDocument(record: ResourceServerRecord): ResourceServerDocument {
  const doc: ResourceServerDocument = {
    _id: record.id,
    identifier: record.identifier,
    name: record.name,
    scopes: record.scopes.map((s) => ({ name: s.name, description: s.description })),
    tokenFormat: record.tokenFormat,
    signingAlg: record.signingAlg,
    introspectionClientIds: [...record.introspectionClientIds],
    clientCredentialsGrants: record.clientCredentialsGrants.map((g) => ({
      clientId: g.clientId,
      scopes: [...g.scopes],
    })),
    roleScopes: (record.roleScopes ?? []).map((r) => ({ role: r.role, scopes: [...r.scopes] })),
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  };
  if (record.accessTokenTtlSeconds !== undefined)
    doc.accessTokenTtlSeconds = record.accessTokenTtlSeconds;
  return doc;
}

function toRecord(doc: ResourceServerDocument): ResourceServerRecord {
  return {
    id: doc._id,
    identifier: doc.identifier,
    name: doc.name,
    scopes: doc.scopes.map((s) => ({ name: s.name, description: s.description })),
    tokenFormat: doc.tokenFormat,
    accessTokenTtlSeconds: doc.accessTokenTtlSeconds ?? undefined,
    signingAlg: doc.signingAlg,
    introspectionClientIds: [...doc.introspectionClientIds],
    clientCredentialsGrants: doc.clientCredentialsGrants.map((g) => ({
      clientId: g.clientId,
      scopes: [...g.scopes],
    })),
    ...(doc.roleScopes !== undefined && doc.roleScopes.length > 0
      ? { roleScopes: doc.roleScopes.map((r) => ({ role: r.role, scopes: [...r.scopes] })) }
      : {}),
    createdAt: doc.createdAt.getTime(),
    updatedAt: doc.updatedAt.getTime(),
  };
}

export function createMongoResourceServerStore(db: Db): ResourceServerStore {
  const apis = db.collection<ResourceServerDocument>(RESOURCE_SERVERS_COLLECTION);
  const versions = db.collection<ResourceServerVersionDocument>(
    RESOURCE_SERVERS_VERSION_COLLECTION,
  );

  const changed = async (): Promise<void> => {
    const filter = { _id: VERSION_ID };
    const update = { $set: { version: randomUUID() } };
    try {
      await versions.updateOne(filter, update, { upsert: true });
    } catch (error) {
      // Two first-ever changes may both try to insert the document; the loser updates it.
      if (!isDuplicateKeyError(error)) throw error;
      await versions.updateOne(filter, update);
    }
  };

  return {
    create: (record) =>
      guard('resourceServers.create', async () => {
        if ((await apis.countDocuments({ identifier: record.identifier }, { limit: 1 })) > 0) {
          throw new StoreConflictError('identifier');
        }
        try {
          await apis.insertOne(toDocument(record));
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // FerretDB's E11000 names no index: look again to name the field.
          const taken = await apis.countDocuments({ identifier: record.identifier }, { limit: 1 });
          throw new StoreConflictError(taken > 0 ? 'identifier' : 'id');
        }
        await changed();
      }),

    findById: (id) =>
      guard('resourceServers.findById', async () => {
        const doc = await apis.findOne({ _id: id });
        return doc === null ? undefined : toRecord(doc);
      }),

    findByIdentifier: (identifier) =>
      guard('resourceServers.findByIdentifier', async () => {
        const doc = await apis.findOne({ identifier });
        return doc === null ? undefined : toRecord(doc);
      }),

    update: (id, patch, updatedAt) =>
      guard('resourceServers.update', async () => {
        const doc = await apis.findOne({ _id: id });
        if (doc === null) return undefined;
        const next = applyResourceServerPatch(toRecord(doc), patch, updatedAt);
        // A whole-document replace: an optional field cleared by the patch disappears with it.
        const result = await apis.replaceOne({ _id: id }, toDocument(next));
        if (result.matchedCount === 0) return undefined;
        await changed();
        return next;
      }),

    remove: (id) =>
      guard('resourceServers.remove', async () => {
        const result = await apis.deleteOne({ _id: id });
        if (result.deletedCount === 0) return false;
        await changed();
        return true;
      }),

    list: (options) =>
      guard('resourceServers.list', async (): Promise<ListPage<ResourceServerRecord>> => {
        const after = decodeCursor(options.cursor);
        const filter = after === undefined ? {} : { identifier: { $gt: after } };
        // One document more than asked tells whether another page exists.
        const docs = await apis
          .find(filter)
          .sort({ identifier: 1 })
          .limit(options.limit + 1)
          .toArray();
        const items = docs.slice(0, options.limit).map(toRecord);
        const last = items.at(-1);
        return {
          items,
          nextCursor:
            docs.length > options.limit && last !== undefined
              ? encodeCursor(last.identifier)
              : undefined,
        };
      }),

    version: () =>
      guard('resourceServers.version', async () => {
        const doc = await versions.findOne({ _id: VERSION_ID });
        // No change yet on this database: a stable tag until the first one writes a random one.
        return doc?.version ?? 'none';
      }),
  };
}
