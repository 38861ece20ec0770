/** Webhook endpoints on MongoDB: one document per endpoint, `_id` = id. */
import type { Db } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import type { WebhookEndpointRecord, WebhookEndpointStore } from '../outbox-ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

export const WEBHOOK_ENDPOINTS_COLLECTION = 'webhook_endpoints';

interface WebhookEndpointDocument {
  _id: string;
  url: string;
  events: string[];
  secret: string;
  description: string;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

function toRecord(doc: WebhookEndpointDocument): WebhookEndpointRecord {
  return {
    id: doc._id,
    url: doc.url,
    events: [...doc.events],
    secret: doc.secret,
    description: doc.description,
    disabled: doc.disabled,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function createMongoWebhookEndpointStore(db: Db): WebhookEndpointStore {
  const endpoints = db.collection<WebhookEndpointDocument>(WEBHOOK_ENDPOINTS_COLLECTION);
  return {
    create: (record) =>
      guard('webhookEndpoints.create', async () => {
        try {
          await endpoints.insertOne({
            _id: record.id,
            url: record.url,
            events: [...record.events],
            secret: record.secret,
            description: record.description,
            disabled: record.disabled,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt,
          });
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('id');
          throw error;
        }
      }),

    findById: (id) =>
      guard('webhookEndpoints.findById', async () => {
        const doc = await endpoints.findOne({ _id: id });
        return doc === null ? undefined : toRecord(doc);
      }),

    update: (id, patch, updatedAt) =>
      guard('webhookEndpoints.update', async () => {
        const set: Partial<WebhookEndpointDocument> = { updatedAt };
        if (patch.url !== undefined) set.url = patch.url;
        if (patch.events !== undefined) set.events = [...patch.events];
        if (patch.secret !== undefined) set.secret = patch.secret;
        if (patch.description !== undefined) set.description = patch.description;
        if (patch.disabled !== undefined) set.disabled = patch.disabled;
        const result = await endpoints.updateOne({ _id: id }, { $set: set });
        if (result.matchedCount === 0) return undefined;
        const doc = await endpoints.findOne({ _id: id });
        return doc === null ? undefined : toRecord(doc);
      }),

    remove: (id) =>
      guard('webhookEndpoints.remove', async () => {
        const result = await endpoints.deleteOne({ _id: id });
        return result.deletedCount === 1;
      }),

    list: (options) =>
      guard('webhookEndpoints.list', async () => {
        const after = decodeCursor(options.cursor);
        const docs = await endpoints
          .find(after === undefined ? {} : { _id: { $gt: after } })
          .sort({ _id: 1 })
          .limit(options.limit + 1)
          .toArray();
        const items = docs.slice(0, options.limit).map(toRecord);
        const last = items.at(-1);
        return {
          items,
          nextCursor:
            docs.length > options.limit && last !== undefined ? encodeCursor(last.id) : undefined,
        };
      }),
  };
}
