import type { OutboxSender } from '../outbox/outbox-worker.ts';
import { createDeliveryHttp } from '../outbox/delivery-http.ts';
import type { RetryPolicy } from '../outbox/retry-schedule.ts';
import type { WebhookEndpointStore } from '../storage/outbox-ports.ts';
import { signWebhook } from './webhook-signature.ts';

/** Standard Webhooks asks receivers to answer quickly; a slow one is retried, not waited for. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** A failed attempt not worth repeating (the endpoint is gone or disabled). */
export class FinalDeliveryError extends Error {
  readonly final = true;
}

/**
 * Sends webhook messages from the outbox: each attempt is signed anew (Standard Webhooks: a
 * fresh `webhook-timestamp`, which receivers check against replays, with the same `webhook-id`,
 * on which they dedupe), with the endpoint's current secret, to the URL the message was
 * enqueued for. Any 2xx is delivered (Standard Webhooks "Delivery").
 */
export function createWebhookSender(deps: {
  endpoints: Pick<WebhookEndpointStore, 'findById'>;
  policy: RetryPolicy;
  allowPrivateNetworks: boolean;
  now: () => number;
}): OutboxSender {
  return {
    policy: deps.policy,
    http: createDeliveryHttp({
      allowPrivateNetworks: deps.allowPrivateNetworks,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
    }),
    async prepare(delivery) {
      const endpoint = await deps.endpoints.findById(delivery.target);
      if (endpoint === undefined) throw new FinalDeliveryError('the endpoint was deleted');
      if (endpoint.disabled) throw new FinalDeliveryError('the endpoint is disabled');
      return {
        url: delivery.url,
        body: delivery.body,
        headers: {
          'content-type': delivery.contentType,
          ...signWebhook(endpoint.secret, delivery.id, deps.now() / 1000, delivery.body),
        },
      };
    },
    delivered: (status) => status >= 200 && status < 300,
  };
}
