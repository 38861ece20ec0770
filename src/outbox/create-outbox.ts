import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { OutboxStore } from '../storage/outbox-ports.ts';
import type { IssueLogoutToken } from '../oidc/logout-token.ts';
import {
  BACKCHANNEL_CONTENT_TYPE,
  createBackchannelOutboxFetch,
  logoutTokenClaims,
} from './backchannel-outbox-fetch.ts';
import { createDeliveryHttp } from './delivery-http.ts';
import { LOGOUT_INTENT_CONTENT_TYPE, logoutIntentOf } from './logout-intent.ts';
import { createOutboxWorker, type OutboxSender, type OutboxWorker } from './outbox-worker.ts';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A refusal no retry can change: the worker makes the delivery a dead letter at once. */
function finalError(message: string): Error {
  return Object.assign(new Error(message), { final: true });
}

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
  /**
   * Signs the logout token of a logout intent (src/oidc/logout-token.ts); without one, intents
   * wait in the outbox for a process that has it.
   */
  issueLogoutToken?: IssueLogoutToken | undefined;
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
    async prepare(d) {
      if (d.contentType !== LOGOUT_INTENT_CONTENT_TYPE) {
        // A token the engine signed at RP-initiated logout (backchannel-outbox-fetch.ts).
        return { url: d.url, body: d.body, headers: { 'content-type': d.contentType } };
      }
      const intent = logoutIntentOf(d);
      if (intent === undefined) throw finalError('malformed logout intent');
      if (deps.issueLogoutToken === undefined) {
        throw new Error('this process cannot sign logout tokens');
      }
      // Signed now, with the delivery's id as `jti`: the same on every retry, never expired.
      const issued = await deps.issueLogoutToken({ clientId: d.target, ...intent, jti: d.id });
      if (issued === undefined) {
        throw finalError('the client no longer has a back-channel logout URI');
      }
      return {
        url: issued.url,
        body: new URLSearchParams({ logout_token: issued.token }).toString(),
        headers: { 'content-type': BACKCHANNEL_CONTENT_TYPE },
      };
    },
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
        const intent = logoutIntentOf(delivery);
        const claims = intent
          ? { clientId: delivery.target, subject: intent.sub }
          : logoutTokenClaims(delivery.body);
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
        asIntent: deps.issueLogoutToken !== undefined,
      }),
  };
}
