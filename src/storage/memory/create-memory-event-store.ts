import { decodeEventCursor, encodeEventCursor } from '../event-cursor.ts';
import type { EventPosition } from '../event-cursor.ts';
import { StoreConflictError } from '../ports.ts';
import type { EventFilter, EventStore, SecurityEvent } from '../ports.ts';
import type { MemoryOutboxStore } from './create-memory-outbox-store.ts';

function matches(event: SecurityEvent, filter: EventFilter): boolean {
  return (
    (filter.type === undefined || event.type === filter.type) &&
    (filter.typePrefix === undefined || event.type.startsWith(filter.typePrefix)) &&
    (filter.subject === undefined || event.subject === filter.subject) &&
    (filter.clientId === undefined || event.clientId === filter.clientId) &&
    (filter.since === undefined || event.time >= filter.since) &&
    (filter.until === undefined || event.time < filter.until)
  );
}

/** Newest first: `time` descending, then `id` descending (code-unit order, as the ports say). */
function newestFirst(a: EventPosition, b: EventPosition): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Security events in a Map keyed by id; listings filter and sort on every call. An event and its
 * deliveries are written in one synchronous step (nothing can run in between), after every id
 * was checked, so both are stored or neither.
 */
export function createMemoryEventStore(outbox: Pick<MemoryOutboxStore, 'insertNow'>): EventStore {
  const events = new Map<string, SecurityEvent>();

  return {
    async append(event) {
      if (events.has(event.id)) throw new StoreConflictError('id');
      events.set(event.id, structuredClone(event));
    },

    async appendWithDeliveries(event, deliveries) {
      if (events.has(event.id)) throw new StoreConflictError('id');
      // Throws before storing anything when a delivery id is taken.
      outbox.insertNow(deliveries);
      events.set(event.id, structuredClone(event));
    },

    async list(filter, options) {
      const after = decodeEventCursor(options.cursor);
      const sorted = [...events.values()]
        .filter((event) => matches(event, filter))
        .filter((event) => after === undefined || newestFirst(after, event) < 0)
        .sort(newestFirst);
      const items = sorted.slice(0, options.limit).map((event) => structuredClone(event));
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          sorted.length > options.limit && last !== undefined ? encodeEventCursor(last) : undefined,
      };
    },

    async pseudonymiseSubject(subject, pseudonym) {
      let changed = 0;
      for (const event of events.values()) {
        if (event.subject !== subject && event.actor !== subject) continue;
        if (event.subject === subject) event.subject = pseudonym;
        if (event.actor === subject) event.actor = pseudonym;
        delete event.ip;
        delete event.userAgent;
        changed += 1;
      }
      return changed;
    },

    async pruneBefore(time) {
      let removed = 0;
      for (const event of [...events.values()]) {
        if (event.time < time) {
          events.delete(event.id);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
