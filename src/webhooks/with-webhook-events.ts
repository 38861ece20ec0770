import { newDeliveryId } from '../outbox/delivery-id.ts';
import type { NewOutboxDelivery, WebhookEndpointRecord } from '../storage/outbox-ports.ts';
import type { SecurityEvent, Store } from '../storage/ports.ts';
import { subscribes, webhookPayload } from './webhook-events.ts';

/** Endpoints are re-read at most this often (changes made by other processes show within it). */
const ENDPOINT_CACHE_MS = 5000;
const MAX_ENDPOINTS = 1000;

/**
 * A store whose event port also enqueues a webhook message, in the outbox, for each enabled
 * endpoint subscribed to the event's type — for every event, whoever records it (security events
 * of the server, the admin audit log of the API and the CLI). The event and its messages are one
 * atomic write (`events.appendWithDeliveries`, the transactional outbox pattern): a crash or a
 * failure leaves both or neither, never an event without its webhooks. The endpoint list is
 * cached briefly; changes made through this store are seen at once. If the endpoints cannot be
 * read the event is not written either (the store is failing; the caller sees the error, as it
 * would the event's own).
 */
export function withWebhookEvents(inner: Store, deps: { now: () => number }): Store {
  let cached: { at: number; endpoints: WebhookEndpointRecord[] } | undefined;
  const endpoints = async (): Promise<WebhookEndpointRecord[]> => {
    const time = deps.now();
    if (cached && time - cached.at < ENDPOINT_CACHE_MS) return cached.endpoints;
    const page = await inner.webhookEndpoints.list({ limit: MAX_ENDPOINTS });
    cached = { at: time, endpoints: page.items.filter((e) => !e.disabled) };
    return cached.endpoints;
  };
  const forget = () => {
    cached = undefined;
  };

  const deliveriesFor = async (event: SecurityEvent): Promise<NewOutboxDelivery[]> => {
    const targets = (await endpoints()).filter((e) => subscribes(e.events, event.type));
    if (targets.length === 0) return [];
    const body = webhookPayload(event);
    const time = deps.now();
    return targets.map((endpoint) => ({
      id: newDeliveryId(time),
      kind: 'webhook' as const,
      url: endpoint.url,
      body,
      contentType: 'application/json',
      target: endpoint.id,
      topic: event.type,
      availableAt: time,
    }));
  };

  const events: Store['events'] = {
    list: (filter, options) => inner.events.list(filter, options),
    pruneBefore: (time) => inner.events.pruneBefore(time),
    pseudonymiseSubject: (subject, pseudonym) =>
      inner.events.pseudonymiseSubject(subject, pseudonym),
    async append(event) {
      await inner.events.appendWithDeliveries(event, await deliveriesFor(event));
    },
    async appendWithDeliveries(event, deliveries) {
      await inner.events.appendWithDeliveries(event, [
        ...deliveries,
        ...(await deliveriesFor(event)),
      ]);
    },
  };

  const webhookEndpoints: Store['webhookEndpoints'] = {
    findById: (id) => inner.webhookEndpoints.findById(id),
    list: (options) => inner.webhookEndpoints.list(options),
    async create(record) {
      forget();
      await inner.webhookEndpoints.create(record);
    },
    async update(id, patch, updatedAt) {
      forget();
      return inner.webhookEndpoints.update(id, patch, updatedAt);
    },
    async remove(id) {
      forget();
      return inner.webhookEndpoints.remove(id);
    },
  };

  // A Proxy, as withOidcStore and withKeyStore do: the other ports pass through as they are.
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'events') return events;
      if (property === 'webhookEndpoints') return webhookEndpoints;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** `store` with its webhook endpoints port replaced (the secret-encrypting decorator). */
export function withWebhookEndpointStore(
  store: Store,
  webhookEndpoints: Store['webhookEndpoints'],
): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      return property === 'webhookEndpoints'
        ? webhookEndpoints
        : (Reflect.get(target, property, receiver) as unknown);
    },
  });
}
