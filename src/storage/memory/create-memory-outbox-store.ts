import { randomBytes } from 'node:crypto';
import { StoreConflictError } from '../ports.ts';
import type {
  ClaimedDelivery,
  NewOutboxDelivery,
  OutboxDelivery,
  OutboxStore,
} from '../outbox-ports.ts';
import { paginate } from './paginate.ts';

interface Row extends OutboxDelivery {
  leaseId: string | undefined;
}

function publicView(row: Row): OutboxDelivery {
  const { leaseId: _lease, ...delivery } = structuredClone(row);
  return delivery;
}

/** The memory outbox and its synchronous insert, for the event store's atomic append. */
export interface MemoryOutboxStore extends OutboxStore {
  /** Checks every id first, then stores them all: all or none; throws `StoreConflictError('id')`. */
  insertNow(deliveries: readonly NewOutboxDelivery[]): void;
}

/**
 * The outbox in a Map. Single-threaded JavaScript makes every method one atomic step; deep
 * copies in and out, like every memory port.
 */
export function createMemoryOutboxStore(now: () => number): MemoryOutboxStore {
  const rows = new Map<string, Row>();
  const held = (id: string, leaseId: string): Row | undefined => {
    const row = rows.get(id);
    return row !== undefined && row.state === 'pending' && row.leaseId === leaseId
      ? row
      : undefined;
  };

  function insertNow(deliveries: readonly NewOutboxDelivery[]): void {
    const ids = new Set<string>();
    for (const d of deliveries) {
      if (rows.has(d.id) || ids.has(d.id)) throw new StoreConflictError('id');
      ids.add(d.id);
    }
    const createdAt = now();
    for (const d of deliveries) {
      rows.set(d.id, {
        ...structuredClone(d),
        state: 'pending',
        attempts: 0,
        createdAt,
        lastError: undefined,
        lastStatus: undefined,
        lastAttemptAt: undefined,
        leaseId: undefined,
      });
    }
  }

  return {
    insertNow,

    async enqueue(deliveries) {
      insertNow(deliveries);
    },

    async claim({ leaseMs, limit, id }) {
      const time = now();
      const due = [...rows.values()]
        .filter((r) => r.state === 'pending' && r.availableAt <= time)
        .filter((r) => id === undefined || r.id === id)
        .sort((a, b) => a.availableAt - b.availableAt || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
      const leaseId = randomBytes(12).toString('base64url');
      const claimed: ClaimedDelivery[] = [];
      for (const row of due) {
        row.leaseId = leaseId;
        row.availableAt = time + leaseMs;
        claimed.push({ ...publicView(row), leaseId, leaseUntil: row.availableAt });
      }
      return claimed;
    },

    async complete(id, leaseId) {
      if (held(id, leaseId) === undefined) return false;
      rows.delete(id);
      return true;
    },

    async fail(id, leaseId, result) {
      const row = held(id, leaseId);
      if (row === undefined) return false;
      const time = now();
      row.attempts += 1;
      row.lastError = result.error;
      row.lastStatus = result.status;
      row.lastAttemptAt = time;
      row.leaseId = undefined;
      if (result.retryAt === undefined) row.state = 'dead';
      else row.availableAt = result.retryAt;
      return true;
    },

    async find(id) {
      const row = rows.get(id);
      return row === undefined ? undefined : publicView(row);
    },

    async list(filter, options) {
      const matching = [...rows.values()].filter(
        (r) =>
          (filter.state === undefined || r.state === filter.state) &&
          (filter.kind === undefined || r.kind === filter.kind) &&
          (filter.target === undefined || r.target === filter.target),
      );
      const page = paginate(matching, (r) => r.id, options);
      return { items: page.items.map(publicView), nextCursor: page.nextCursor };
    },

    async requeue(id) {
      const row = rows.get(id);
      if (row?.state !== 'dead') return false;
      row.state = 'pending';
      row.attempts = 0;
      row.availableAt = now();
      row.leaseId = undefined;
      return true;
    },

    async remove(id) {
      return rows.delete(id);
    },
  };
}
