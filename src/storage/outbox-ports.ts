/**
 * Storage ports of outbound deliveries (issue 17): the outbox every back-channel logout token and
 * webhook goes through, and the webhook endpoints admins register. Kept beside `ports.ts` (which
 * names them on `Store`) so the contract of each method sits with its interface.
 *
 * Time is epoch milliseconds, as in every port.
 */

// The same shapes as `ListOptions` and `ListPage` in ports.ts, restated so the two files do not
// import each other (import-x/no-cycle).
interface ListOptions {
  cursor?: string | undefined;
  limit: number;
}
interface ListPage<T> {
  items: T[];
  nextCursor: string | undefined;
}

/** What kind of delivery a row is; the worker has one sender per kind. */
export type OutboxKind = 'backchannel_logout' | 'webhook';

export type OutboxState = 'pending' | 'dead';

/** What a caller hands to `enqueue`. */
export interface NewOutboxDelivery {
  /** Unique; the webhook's `webhook-id` (stable across retries, Standard Webhooks §"Idempotency"). */
  id: string;
  kind: OutboxKind;
  /** Absolute https (or, when allowed, http) URL the body is POSTed to. */
  url: string;
  /** The request body, as sent. */
  body: string;
  /** The body's media type. */
  contentType: string;
  /** Whom it is for: a client id (logout) or a webhook endpoint id (webhooks). */
  target: string;
  /** What it is about, for admins' listings (the event type, or `logout`). */
  topic: string;
  /** First attempt not before this time (usually now). */
  availableAt: number;
}

export interface OutboxDelivery extends NewOutboxDelivery {
  state: OutboxState;
  /** Attempts made so far (finished ones: a claim whose holder never reported is not counted). */
  attempts: number;
  createdAt: number;
  /** The last failure, for admins: a status line or network error, never a body. */
  lastError: string | undefined;
  lastStatus: number | undefined;
  lastAttemptAt: number | undefined;
}

/** A delivery this caller holds until `leaseUntil`; `leaseId` proves it when reporting. */
export interface ClaimedDelivery extends OutboxDelivery {
  leaseId: string;
  leaseUntil: number;
}

export interface OutboxAttemptResult {
  error: string;
  status?: number | undefined;
  /** When to try again; `undefined` moves the delivery to the dead letters. */
  retryAt: number | undefined;
}

export interface OutboxFilter {
  state?: OutboxState | undefined;
  kind?: OutboxKind | undefined;
  target?: string | undefined;
}

export interface OutboxStore {
  /**
   * Stores the deliveries, all or none where the backend has transactions (SQLite, memory);
   * MongoDB inserts them in one ordered `insertMany`. Throws `StoreConflictError('id')` when an
   * id exists. An empty list is a no-op.
   */
  enqueue(deliveries: NewOutboxDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` due deliveries (pending, `availableAt` <= now, oldest first) for
   * `leaseMs`: each is hidden from every other claim until its lease ends, so two workers in any
   * processes never hold one delivery at once (one atomic step per delivery: a single
   * `UPDATE … RETURNING` in SQLite, `findOneAndUpdate` on MongoDB, an insert-once claim marker
   * where the server's conditional updates are not atomic). A holder that dies without
   * reporting loses its lease when it ends, and the delivery is claimed again. `id` restricts
   * the claim to that one delivery (the first attempt, made by the process that enqueued it).
   */
  claim(options: { leaseMs: number; limit: number; id?: string }): Promise<ClaimedDelivery[]>;
  /** Delivered: removes it. Returns false when `leaseId` no longer holds it (nothing changes). */
  complete(id: string, leaseId: string): Promise<boolean>;
  /**
   * A failed attempt: counts it, records the error, and either makes the delivery due again at
   * `retryAt` or, without one, moves it to the dead letters. Returns false (nothing changes)
   * when `leaseId` no longer holds it.
   */
  fail(id: string, leaseId: string, result: OutboxAttemptResult): Promise<boolean>;
  find(id: string): Promise<OutboxDelivery | undefined>;
  /** Ordered by `id` (the outbox makes time-ordered ids, so oldest first), keyset-paginated. */
  list(filter: OutboxFilter, options: ListOptions): Promise<ListPage<OutboxDelivery>>;
  /**
   * A dead letter back to pending, due now, with a fresh retry budget (attempts 0). Returns
   * false when no dead delivery has this id.
   */
  requeue(id: string): Promise<boolean>;
  /** Deletes a delivery in any state; returns whether one was removed. */
  remove(id: string): Promise<boolean>;
}

/** A URL admins registered to receive events (Standard Webhooks). */
export interface WebhookEndpointRecord {
  /** Generated, URL-safe. */
  id: string;
  url: string;
  /** Event types sent to it: exact types (`user.created`), prefixes (`login.*`) or `*`. */
  events: string[];
  /** `whsec_` + base64 of the HMAC key; encrypted at rest by the caller. */
  secret: string;
  description: string;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type WebhookEndpointPatch = Partial<
  Pick<WebhookEndpointRecord, 'url' | 'events' | 'secret' | 'description' | 'disabled'>
>;

export interface WebhookEndpointStore {
  /** Throws `StoreConflictError('id')` when the id exists. */
  create(record: WebhookEndpointRecord): Promise<void>;
  findById(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** Applies the patch, sets `updatedAt`; `undefined` when absent. */
  update(
    id: string,
    patch: WebhookEndpointPatch,
    updatedAt: number,
  ): Promise<WebhookEndpointRecord | undefined>;
  remove(id: string): Promise<boolean>;
  /** Ordered by `id`. */
  list(options: ListOptions): Promise<ListPage<WebhookEndpointRecord>>;
}
