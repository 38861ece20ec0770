import { randomBytes } from 'node:crypto';
import { escapeControlCharacters } from '../logging/escape-control-characters.ts';
import type { Logger } from '../logging/logger.ts';
import type { EventStore, SecurityEvent } from '../storage/ports.ts';
import type { RequestContext } from './request-context.ts';
import type { SecurityEventType } from './security-event-types.ts';

/** What a caller says about an event; time, id and the request's context are added here. */
export interface SecurityEventInput {
  type: SecurityEventType;
  subject?: string | undefined;
  clientId?: string | undefined;
  actor?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
  details?: Record<string, string | number | boolean | undefined> | undefined;
}

export interface SecurityEvents {
  /** Stores the event. Never throws: a failing event store is logged, the request goes on. */
  record(input: SecurityEventInput): Promise<void>;
}

// Detail keys that could carry a secret are dropped whatever a caller passes (ASVS 16.2.5:
// no passwords, tokens or secrets in security logs).
const SECRET_KEY = /pass|secret|token|code|assertion|cookie|authorization|otp/i;
const MAX_TEXT = 256;

/**
 * Bounded, with control characters made visible: ids, user agents and details may be what a
 * client claimed (the client-authentication limit records the *claimed* client id), and they are
 * printed later on an operator's terminal (`portcullis events list`).
 */
function clip(value: string | undefined): string | undefined {
  return value === undefined || value === ''
    ? undefined
    : escapeControlCharacters(value.slice(0, MAX_TEXT));
}

function cleanDetails(details: SecurityEventInput['details']): SecurityEvent['details'] {
  if (!details) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined || SECRET_KEY.test(key)) continue;
    out[key] =
      typeof value === 'string' ? escapeControlCharacters(value.slice(0, MAX_TEXT)) : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Ids that sort by time (base-36 milliseconds, fixed width) and never collide (random tail). */
function eventId(time: number): string {
  return `${time.toString(36).padStart(9, '0')}-${randomBytes(8).toString('hex')}`;
}

/**
 * Writes security events to the store (`store.events`). The request's address, user agent and
 * request id come from the input, or else from the request being served (`context`); `actor`
 * defaults to the signed-in subject for user actions and to `defaultActor` (`cli`, `system`).
 */
export function createSecurityEvents(deps: {
  store: Pick<EventStore, 'append'>;
  log: Logger;
  now?: () => number;
  context?: () => RequestContext | undefined;
  defaultActor?: string;
}): SecurityEvents {
  const now = deps.now ?? Date.now;
  return {
    async record(input) {
      const request = deps.context?.();
      const time = now();
      const event: SecurityEvent = {
        id: eventId(time),
        time,
        type: input.type,
        subject: clip(input.subject),
        clientId: clip(input.clientId),
        actor: clip(input.actor ?? request?.actor ?? deps.defaultActor),
        ip: clip(input.ip ?? request?.ip),
        userAgent: clip(input.userAgent ?? request?.userAgent),
        requestId: clip(input.requestId ?? request?.requestId),
        details: cleanDetails(input.details),
      };
      for (const key of Object.keys(event) as (keyof SecurityEvent)[]) {
        if (event[key] === undefined) delete event[key];
      }
      try {
        await deps.store.append(event);
      } catch (err) {
        deps.log.warn(
          {
            err,
            event: 'security_event.not_recorded',
            type: event.type,
            requestId: event.requestId,
          },
          'could not record a security event',
        );
      }
    },
  };
}
