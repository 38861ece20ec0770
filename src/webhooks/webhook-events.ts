import type { SecurityEvent } from '../storage/ports.ts';

/**
 * Which event types an endpoint subscribed to: exact types (`admin.user.created`), prefixes
 * ending in `.*` (`login.*`, `admin.client.*`) or `*` for all.
 */
export const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;

export function subscribes(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  });
}

/**
 * The body of a webhook message (Standard Webhooks' recommended `type`, `timestamp`, `data`
 * envelope). The event as the admin API's audit listing shows it, minus the caller's address and
 * user agent: receivers learn what happened to whom, not where people sign in from (data
 * minimisation; they stay in the event store).
 */
export function webhookPayload(event: SecurityEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(event.time).toISOString(),
    data: {
      id: event.id,
      type: event.type,
      time: new Date(event.time).toISOString(),
      subject: event.subject ?? null,
      client_id: event.clientId ?? null,
      actor: event.actor ?? null,
      request_id: event.requestId ?? null,
      details: event.details ?? {},
    },
  });
}
