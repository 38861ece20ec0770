import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { OutboxStore } from '../storage/outbox-ports.ts';
import { createBackchannelOutboxFetch, logoutTokenClaims } from './backchannel-outbox-fetch.ts';
import { createDeliveryHttp } from './delivery-http.ts';
import { createOutboxWorker, type OutboxSender, type OutboxWorker } from './outbox-worker.ts';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// What the provider gives each attempt (lib/helpers/fetch_request.js); ours get the same.
const LOGOUT_TIMEOUT_MS = 2500;

export interface Outbox {
  worker: OutboxWorker;
  /** oidc-provider's `fetch`: logout tokens through the outbox, everything else to `fallback`. */
  providerFetch(fallback: Fetch): Fetch;
}

/**
 * The outbox of this process: its worker, with one sender per kind of delivery, and the hook
 * that puts back-channel logout tokens into it. Each attempt is recorded as a security event
 * (`backchannel_logout.*` as before; `webhook.*`), and a delivery that used its retry budget as
 * `delivery.dead_lettered`.
 */
export function createOutbox(deps: {
  config: Pick<Config, 'outbox' | 'security'>;
  outbox: OutboxStore;
  events: SecurityEvents;
  log: Logger;
  now: () => number;
  /** The webhook sender (src/webhooks/); webhooks wait in the outbox until one is given. */
  webhookSender?: OutboxSender | undefined;
}): Outbox {
  const { config } = deps;
  const maxRetryDelayMs = config.outbox.maxRetryDelaySeconds * 1000;
  const backchannel: OutboxSender = {
    policy: {
      attempts: config.security.backchannelLogout.attempts,
      retryDelayMs: config.security.backchannelLogout.retryDelayMs,
      maxRetryDelayMs,
    },
    http: createDeliveryHttp({
      allowPrivateNetworks: config.security.backchannelLogout.allowPrivateNetworks,
      timeoutMs: LOGOUT_TIMEOUT_MS,
    }),
    prepare: async (d) => ({
      url: d.url,
      body: d.body,
      headers: { 'content-type': d.contentType },
    }),
    // OIDC Back-Channel Logout §2.8: 200 (or 204) means delivered.
    delivered: (status) => status === 200 || status === 204,
  };
  const notYet: OutboxSender = {
    policy: { attempts: 1, retryDelayMs: 1000, maxRetryDelayMs },
    http: async () => ({ status: 503 }),
    prepare: async () => {
      throw new Error('webhooks are not enabled in this process');
    },
    delivered: () => false,
  };

  const worker = createOutboxWorker({
    store: deps.outbox,
    senders: { backchannel_logout: backchannel, webhook: deps.webhookSender ?? notYet },
    leaseMs: config.outbox.leaseSeconds * 1000,
    pollIntervalMs: config.outbox.pollIntervalMs,
    batchSize: config.outbox.batchSize,
    now: deps.now,
    log: deps.log,
    report(outcome) {
      const { delivery } = outcome;
      const details = {
        attempt: outcome.attempt,
        final: outcome.final,
        status: outcome.status,
        delivery: delivery.id,
      };
      if (delivery.kind === 'backchannel_logout') {
        const claims = logoutTokenClaims(delivery.body);
        void deps.events.record({
          type: outcome.delivered ? 'backchannel_logout.delivered' : 'backchannel_logout.failed',
          clientId: claims.clientId,
          subject: claims.subject,
          details,
        });
      } else {
        void deps.events.record({
          type: outcome.delivered ? 'webhook.delivered' : 'webhook.failed',
          details: { ...details, endpoint: delivery.target, event: delivery.topic },
        });
      }
      if (outcome.final && !outcome.delivered) {
        deps.log.warn(
          { event: 'delivery.dead_lettered', id: delivery.id, kind: delivery.kind },
          'a delivery used its retry budget and is now a dead letter',
        );
        void deps.events.record({
          type: 'delivery.dead_lettered',
          details: {
            delivery: delivery.id,
            kind: delivery.kind,
            target: delivery.target,
            attempts: outcome.attempt,
            error: outcome.error,
          },
        });
      }
    },
  });

  return {
    worker,
    providerFetch: (fallback) =>
      createBackchannelOutboxFetch({
        outbox: deps.outbox,
        worker,
        fallback,
        now: deps.now,
        log: deps.log,
      }),
  };
}
