import { randomBytes } from 'node:crypto';
import type { EventFilter, EventStore, ListPage, SecurityEvent } from '../storage/ports.ts';

/**
 * The audit log of admin changes (ASVS 16.3.1, 16.3.3): who (the admin client's id, `cli`, or a
 * registration token), what (a dotted type and the object's id), when, and from where (IP, user
 * agent, request id). Kept in the shared security event store; never holds a secret, token or
 * password, only names of fields that changed.
 */

/** Who asked, and from where: filled from the request by the admin API, `{actor: 'cli'}` by the CLI. */
export interface Actor {
  actor: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export type AuditDetails = Record<string, string | number | boolean>;

export interface AuditEntry {
  type: string;
  clientId?: string | undefined;
  subject?: string | undefined;
  details?: AuditDetails | undefined;
}

/** Event ids sort by time (hex milliseconds), then 8 random bytes keep them unique. */
function eventId(time: number): string {
  return `${time.toString(16).padStart(12, '0')}-${randomBytes(8).toString('hex')}`;
}

export function createAuditLog(deps: { events: EventStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    async record(who: Actor, entry: AuditEntry): Promise<void> {
      const time = now();
      const event: SecurityEvent = {
        id: eventId(time),
        time,
        type: entry.type,
        actor: who.actor,
        ...(entry.clientId === undefined ? {} : { clientId: entry.clientId }),
        ...(entry.subject === undefined ? {} : { subject: entry.subject }),
        ...(who.ip === undefined ? {} : { ip: who.ip }),
        // Bounded: a client chooses its User-Agent.
        ...(who.userAgent ? { userAgent: who.userAgent.slice(0, 256) } : {}),
        ...(who.requestId === undefined ? {} : { requestId: who.requestId }),
        ...(entry.details === undefined ? {} : { details: entry.details }),
      };
      await deps.events.append(event);
    },

    list(
      filter: EventFilter,
      options: { cursor?: string | undefined; limit: number },
    ): Promise<ListPage<SecurityEvent>> {
      return deps.events.list(filter, options);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
