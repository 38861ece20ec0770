import type { AuditLog, Actor } from '../admin/audit-log.ts';
import { AppError } from '../errors/app-error.ts';
import type { OutboxDelivery, OutboxFilter, OutboxStore } from '../storage/outbox-ports.ts';

export interface DeliveryView {
  id: string;
  kind: OutboxDelivery['kind'];
  state: OutboxDelivery['state'];
  url: string;
  target: string;
  topic: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  last_status: number | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function view(d: OutboxDelivery): DeliveryView {
  return {
    id: d.id,
    kind: d.kind,
    state: d.state,
    url: d.url,
    target: d.target,
    topic: d.topic,
    attempts: d.attempts,
    created_at: new Date(d.createdAt).toISOString(),
    next_attempt_at: d.state === 'pending' ? iso(d.availableAt) : null,
    last_attempt_at: iso(d.lastAttemptAt),
    last_error: d.lastError ?? null,
    last_status: d.lastStatus ?? null,
  };
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !/^msg_[a-z0-9]{1,64}$/.test(id)) {
    throw new AppError('not_found', { delivery: 'no such delivery' });
  }
}

/**
 * The outbox as admins see it (API, CLI, console): pending deliveries and dead letters, never
 * a body (a logout token is a bearer credential for the receiving client). A dead letter can be
 * retried (a fresh retry budget, due now) or discarded; both are audited (`admin.delivery.*`).
 */
export function createDeliveryAdminService(deps: {
  outbox: OutboxStore;
  audit: Pick<AuditLog, 'record'>;
}) {
  return {
    async list(filter: OutboxFilter, options: { cursor?: string | undefined; limit: number }) {
      const page = await deps.outbox.list(filter, options);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },

    async get(id: string): Promise<DeliveryView> {
      checkId(id);
      const found = await deps.outbox.find(id);
      if (found === undefined) throw new AppError('not_found', { delivery: 'no such delivery' });
      return view(found);
    },

    async retry(id: string, who: Actor): Promise<DeliveryView> {
      checkId(id);
      const found = await deps.outbox.find(id);
      if (found === undefined) throw new AppError('not_found', { delivery: 'no such delivery' });
      if (!(await deps.outbox.requeue(id))) {
        throw new AppError('delivery_not_dead', { delivery: 'is still pending' });
      }
      await deps.audit.record(who, {
        type: 'admin.delivery.retried',
        ...(found.kind === 'backchannel_logout' ? { clientId: found.target } : {}),
        details: { id, kind: found.kind, target: found.target },
      });
      const requeued = await deps.outbox.find(id);
      return view(requeued ?? found);
    },

    async remove(id: string, who: Actor): Promise<void> {
      checkId(id);
      const found = await deps.outbox.find(id);
      if (found === undefined || !(await deps.outbox.remove(id))) {
        throw new AppError('not_found', { delivery: 'no such delivery' });
      }
      await deps.audit.record(who, {
        type: 'admin.delivery.deleted',
        details: { id, kind: found.kind, target: found.target, state: found.state },
      });
    },
  };
}

export type DeliveryAdminService = ReturnType<typeof createDeliveryAdminService>;
