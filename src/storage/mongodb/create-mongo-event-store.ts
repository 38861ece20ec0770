/**
 * Security events on MongoDB: one document per event, `_id` = the event's id, listed newest first
 * by (time, _id).
 */
import type { Db, Filter } from 'mongodb';
import { decodeEventCursor, encodeEventCursor } from '../event-cursor.ts';
import { StoreConflictError } from '../ports.ts';
import type { EventFilter, EventStore, ListPage, SecurityEvent } from '../ports.ts';
import { EVENTS_COLLECTION } from './collection-names.ts';
import { fromMongoSafe, toMongoSafe } from './mongo-safe-value.ts';
import type { EventDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';
import {
  moveCarriedDeliveries,
  toOutboxDocument,
  type DeliveryCarrier,
} from './mongo-outbox-carriers.ts';

const OPTIONAL_FIELDS = ['subject', 'clientId', 'actor', 'ip', 'userAgent', 'requestId'] as const;

function toDocument(event: SecurityEvent): EventDocument {
  const doc: EventDocument = { _id: event.id, time: new Date(event.time), type: event.type };
  // Absent, never null, when the event has none: null would be a value equality could match.
  for (const field of OPTIONAL_FIELDS) {
    const value = event[field];
    if (value !== undefined) doc[field] = value;
  }
  // Detail names are the caller's: escaped like every key we do not control.
  if (event.details !== undefined) {
    doc.details = toMongoSafe(event.details) as Record<string, unknown>;
  }
  return doc;
}

function toEvent(doc: EventDocument): SecurityEvent {
  const event: SecurityEvent = { id: doc._id, time: doc.time.getTime(), type: doc.type };
  for (const field of OPTIONAL_FIELDS) {
    const value = doc[field];
    if (value !== undefined && value !== null) event[field] = value;
  }
  if (doc.details !== undefined && doc.details !== null) {
    event.details = fromMongoSafe(doc.details) as SecurityEvent['details'];
  }
  return event;
}

/** A regular expression matching exactly the strings that start with `prefix`. */
function prefixPattern(prefix: string): string {
  return `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
}

function toQuery(filter: EventFilter, cursor: string | undefined): Filter<EventDocument> {
  // `$eq` everywhere: a filter value that is not a string can only ever match literally.
  const and: Filter<EventDocument>[] = [];
  if (filter.type !== undefined) and.push({ type: { $eq: filter.type } });
  // An anchored, literal prefix: MongoDB answers it from an index range.
  if (filter.typePrefix !== undefined) {
    and.push({ type: { $regex: prefixPattern(filter.typePrefix) } });
  }
  if (filter.subject !== undefined) and.push({ subject: { $eq: filter.subject } });
  if (filter.clientId !== undefined) and.push({ clientId: { $eq: filter.clientId } });
  if (filter.since !== undefined) and.push({ time: { $gte: new Date(filter.since) } });
  if (filter.until !== undefined) and.push({ time: { $lt: new Date(filter.until) } });
  const after = decodeEventCursor(cursor);
  // Keyset: strictly after the cursor's event in (time, _id) descending order.
  if (after !== undefined) {
    const time = new Date(after.time);
    and.push({ $or: [{ time: { $lt: time } }, { time, _id: { $lt: after.id } }] });
  }
  return and.length === 0 ? {} : { $and: and };
}

export function createMongoEventStore(db: Db, now: () => number): EventStore {
  const events = db.collection<EventDocument>(EVENTS_COLLECTION);
  const carriers = db.collection<EventDocument & DeliveryCarrier>(EVENTS_COLLECTION);

  return {
    append: (event) =>
      guard('events.append', async () => {
        try {
          await events.insertOne(toDocument(event));
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('id');
          throw error;
        }
      }),

    appendWithDeliveries: (event, deliveries) =>
      guard('events.appendWithDeliveries', async () => {
        const createdAt = now();
        const carrier: EventDocument & DeliveryCarrier = toDocument(event);
        if (deliveries.length > 0) {
          carrier.outbox = deliveries.map((d) => toOutboxDocument(d, createdAt));
          carrier.outboxPending = createdAt;
        }
        // The atomic step: one document, the event with its deliveries (no transaction needed,
        // so FerretDB and a standalone mongod behave as a replica set does).
        try {
          await carriers.insertOne(carrier);
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('id');
          throw error;
        }
        if (deliveries.length === 0) return;
        // Then the move to the outbox collection; if it fails, the outbox's sweep finishes it.
        await moveCarriedDeliveries(db, [carrier]).catch(() => undefined);
      }),

    list: (filter, options) =>
      guard('events.list', async (): Promise<ListPage<SecurityEvent>> => {
        // One extra document tells whether another page follows, so the last page is never empty.
        const docs = await events
          .find(toQuery(filter, options.cursor))
          .sort({ time: -1, _id: -1 })
          .limit(options.limit + 1)
          .toArray();
        const items = docs.slice(0, options.limit).map(toEvent);
        const last = items.at(-1);
        return {
          items,
          nextCursor:
            docs.length > options.limit && last !== undefined ? encodeEventCursor(last) : undefined,
        };
      }),

    pseudonymiseSubject: (subject, pseudonym) =>
      guard('events.pseudonymiseSubject', async () => {
        // Two plain updates rather than one with an aggregation pipeline, which FerretDB 1.24
        // does not implement; each is idempotent, so a retry after a failure finishes the job.
        const count = await events.countDocuments({
          $or: [{ subject: { $eq: subject } }, { actor: { $eq: subject } }],
        });
        await events.updateMany(
          { subject: { $eq: subject } },
          { $set: { subject: pseudonym }, $unset: { ip: '', userAgent: '' } },
        );
        await events.updateMany(
          { actor: { $eq: subject } },
          { $set: { actor: pseudonym }, $unset: { ip: '', userAgent: '' } },
        );
        return count;
      }),

    pruneBefore: (time) =>
      guard('events.pruneBefore', async () => {
        const result = await events.deleteMany({ time: { $lt: new Date(time) } });
        return result.deletedCount;
      }),
  };
}
