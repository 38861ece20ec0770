/**
 * Deliveries carried by their event document (the transactional outbox on a server without
 * multi-document transactions: FerretDB 1.x, a standalone mongod). `events.appendWithDeliveries`
 * writes the event with its deliveries inside it — one single-document insert, atomic on every
 * MongoDB-protocol server — and then moves them to the outbox collection. If that move is cut
 * short (a crash, an outage), the outbox finishes it before it claims, finds or lists
 * (`moveCarriedDeliveries`), so a delivery is never lost between its event and its row.
 *
 * A move inserts the rows (a row already there is kept: the move is idempotent) and then strips
 * them from the event. Two movers racing may both insert; the second finds the rows and skips
 * them — unless the delivery was sent and removed in between, when it is sent again: at least
 * once, as every outbox delivery (receivers dedupe on `webhook-id`).
 */
import { MongoBulkWriteError, type Db } from 'mongodb';
import type { NewOutboxDelivery, OutboxKind, OutboxState } from '../outbox-ports.ts';
import { EVENTS_COLLECTION } from './collection-names.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

export const OUTBOX_COLLECTION = 'outbox';

export interface OutboxDocument {
  _id: string;
  kind: OutboxKind;
  url: string;
  body: string;
  contentType: string;
  target: string;
  topic: string;
  state: OutboxState;
  availableAt: number;
  attempts: number;
  createdAt: number;
  /** How many times it was claimed: the marker generation (never reset). */
  claims: number;
  leaseId?: string;
  lastError?: string;
  lastStatus?: number;
  lastAttemptAt?: number;
}

/** The fields an event document has while it carries deliveries not yet moved. */
export interface DeliveryCarrier {
  _id: string;
  /** The rows to move, as the outbox stores them. */
  outbox?: OutboxDocument[];
  /** When they were written; present exactly while `outbox` is (the index the sweep uses). */
  outboxPending?: number;
}

/** How many carrying events one sweep moves (the rest wait for the next). */
const SWEEP_BATCH = 100;

export function toOutboxDocument(d: NewOutboxDelivery, createdAt: number): OutboxDocument {
  return {
    _id: d.id,
    kind: d.kind,
    url: d.url,
    body: d.body,
    contentType: d.contentType,
    target: d.target,
    topic: d.topic,
    state: 'pending',
    availableAt: d.availableAt,
    attempts: 0,
    createdAt,
    claims: 0,
  };
}

/** Only "already there" failures: every row of the batch is in the outbox now. */
function onlyDuplicates(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return writeErrors.length > 0 && writeErrors.every((e) => e.code === 11000);
  }
  return isDuplicateKeyError(error);
}

/** Moves the deliveries `carriers` hold to the outbox collection, then strips them. */
export async function moveCarriedDeliveries(db: Db, carriers: DeliveryCarrier[]): Promise<void> {
  const outbox = db.collection<OutboxDocument>(OUTBOX_COLLECTION);
  const events = db.collection<DeliveryCarrier>(EVENTS_COLLECTION);
  for (const carrier of carriers) {
    const rows = carrier.outbox ?? [];
    if (rows.length > 0) {
      try {
        await outbox.insertMany(rows, { ordered: false });
      } catch (error) {
        if (!onlyDuplicates(error)) throw error;
      }
    }
    await events.updateOne({ _id: carrier._id }, { $unset: { outbox: '', outboxPending: '' } });
  }
}

/** Moves what events still carry (left by a writer cut off after its insert). */
export async function sweepCarriedDeliveries(db: Db): Promise<void> {
  const carriers = await db
    .collection<DeliveryCarrier>(EVENTS_COLLECTION)
    .find({ outboxPending: { $gt: 0 } }, { projection: { _id: 1, outbox: 1 } })
    .limit(SWEEP_BATCH)
    .toArray();
  if (carriers.length > 0) await moveCarriedDeliveries(db, carriers);
}
