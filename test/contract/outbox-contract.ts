/**
 * The `OutboxStore` and `WebhookEndpointStore` parts of the storage contract (called from
 * store-contract.ts, so they run on every backend, FerretDB included). Same rules: unique data
 * per test, never assume an empty outbox (other tests' deliveries may be due: claims are checked
 * for ours and for duplicates, and each test leaves its deliveries completed or removed).
 */
import { describe, it, expect, afterEach } from '@jest/globals';
import { StoreConflictError } from '../../src/storage/ports.ts';
import type { Store } from '../../src/storage/ports.ts';
import type {
  ClaimedDelivery,
  NewOutboxDelivery,
  WebhookEndpointRecord,
} from '../../src/storage/outbox-ports.ts';

const LEASE = 30_000;

export function describeOutboxContract(
  getStore: () => Store,
  uniq: (label: string) => string,
  now: () => number,
  advance: (ms: number) => void,
): void {
  describe('outbox', () => {
    const created: string[] = [];
    afterEach(async () => {
      for (const id of created.splice(0)) await getStore().outbox.remove(id);
    });

    const delivery = (overrides: Partial<NewOutboxDelivery> = {}): NewOutboxDelivery => {
      const id = uniq('dlv');
      created.push(id);
      return {
        id,
        kind: 'webhook',
        url: `https://${id}.example.com/hook`,
        body: JSON.stringify({ type: 'user.created', id }),
        contentType: 'application/json',
        target: uniq('endpoint'),
        topic: 'user.created',
        availableAt: now(),
        ...overrides,
      };
    };
    const claimOne = async (id: string): Promise<ClaimedDelivery | undefined> =>
      (await getStore().outbox.claim({ leaseMs: LEASE, limit: 1, id }))[0];

    it('stores an enqueued delivery as pending with no attempt yet', async () => {
      const d = delivery({
        kind: 'backchannel_logout',
        contentType: 'application/x-www-form-urlencoded',
      });
      await getStore().outbox.enqueue([d]);
      expect(await getStore().outbox.find(d.id)).toEqual({
        ...d,
        state: 'pending',
        attempts: 0,
        createdAt: now(),
        lastError: undefined,
        lastStatus: undefined,
        lastAttemptAt: undefined,
      });
    });

    const eventOf = (type = 'admin.user.created') => ({
      id: uniq('evt'),
      time: now(),
      type,
      subject: uniq('sub'),
      actor: 'cli',
      details: { fields: 'email' },
    });

    it('stores an event and the deliveries it causes in one write', async () => {
      const event = eventOf();
      const hooks = [delivery({ topic: event.type }), delivery({ topic: event.type })];
      await getStore().events.appendWithDeliveries(event, hooks);

      const listed = await getStore().events.list({ subject: event.subject }, { limit: 5 });
      expect(listed.items).toEqual([event]);
      for (const d of hooks) {
        expect(await getStore().outbox.find(d.id)).toMatchObject({ ...d, state: 'pending' });
      }
      const claimed = await getStore().outbox.claim({ leaseMs: LEASE, limit: 1000 });
      expect(
        claimed
          .filter((c) => hooks.some((d) => d.id === c.id))
          .map((c) => c.id)
          .sort(),
      ).toEqual(hooks.map((d) => d.id).sort());
    });

    it('stores neither the event nor its deliveries when the event id is taken', async () => {
      const event = eventOf();
      await getStore().events.append(event);
      const hook = delivery({ topic: event.type });
      await expect(
        getStore().events.appendWithDeliveries({ ...event, type: 'other' }, [hook]),
      ).rejects.toBeInstanceOf(StoreConflictError);

      expect(await getStore().outbox.find(hook.id)).toBeUndefined();
      const claimed = await getStore().outbox.claim({ leaseMs: LEASE, limit: 1000 });
      expect(claimed.some((c) => c.id === hook.id)).toBe(false);
      const listed = await getStore().events.list({ subject: event.subject }, { limit: 5 });
      expect(listed.items.map((e) => e.type)).toEqual([event.type]);
    });

    it('appends the event alone when it causes no delivery', async () => {
      const event = eventOf('login.failed');
      await getStore().events.appendWithDeliveries(event, []);
      const listed = await getStore().events.list({ subject: event.subject }, { limit: 5 });
      expect(listed.items).toEqual([event]);
    });

    it('refuses a second delivery with a taken id', async () => {
      const d = delivery();
      await getStore().outbox.enqueue([d]);
      await expect(getStore().outbox.enqueue([{ ...d, body: 'other' }])).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      expect((await getStore().outbox.find(d.id))?.body).toBe(d.body);
    });

    it('claims due deliveries only, and hides a claimed one until its lease ends', async () => {
      const due = delivery();
      const later = delivery({ availableAt: now() + 60_000 });
      await getStore().outbox.enqueue([due, later]);

      const claimed = await getStore().outbox.claim({ leaseMs: LEASE, limit: 1000 });
      const ours = claimed.filter((c) => c.id === due.id || c.id === later.id);
      expect(ours.map((c) => c.id)).toEqual([due.id]);
      expect(ours[0]).toMatchObject({ leaseUntil: now() + LEASE, state: 'pending' });
      expect(typeof ours[0]?.leaseId).toBe('string');

      expect(await claimOne(due.id)).toBeUndefined();
      advance(LEASE + 1);
      // The holder never reported (a crashed worker): the delivery is claimed again.
      const again = await claimOne(due.id);
      expect(again?.id).toBe(due.id);
      expect(again?.leaseId).not.toBe(ours[0]?.leaseId);
    });

    it('removes a completed delivery, but only for the lease that holds it', async () => {
      const d = delivery();
      await getStore().outbox.enqueue([d]);
      const first = await claimOne(d.id);
      advance(LEASE + 1);
      const second = await claimOne(d.id);
      expect(first && second).toBeTruthy();
      expect(await getStore().outbox.complete(d.id, first?.leaseId ?? '')).toBe(false);
      expect(await getStore().outbox.find(d.id)).toBeDefined();
      expect(await getStore().outbox.complete(d.id, second?.leaseId ?? '')).toBe(true);
      expect(await getStore().outbox.find(d.id)).toBeUndefined();
      expect(await getStore().outbox.complete(d.id, second?.leaseId ?? '')).toBe(false);
    });

    it('counts a failed attempt and makes the delivery due again at the retry time', async () => {
      const d = delivery();
      await getStore().outbox.enqueue([d]);
      const held = await claimOne(d.id);
      const retryAt = now() + 5_000;
      expect(
        await getStore().outbox.fail(d.id, held?.leaseId ?? '', {
          error: 'HTTP 503',
          status: 503,
          retryAt,
        }),
      ).toBe(true);
      expect(await getStore().outbox.find(d.id)).toMatchObject({
        state: 'pending',
        attempts: 1,
        availableAt: retryAt,
        lastError: 'HTTP 503',
        lastStatus: 503,
        lastAttemptAt: now(),
      });
      // The old lease reports nothing more.
      expect(await getStore().outbox.complete(d.id, held?.leaseId ?? '')).toBe(false);
      expect(await claimOne(d.id)).toBeUndefined();
      advance(5_000);
      const retried = await claimOne(d.id);
      expect(retried).toMatchObject({ id: d.id, attempts: 1 });
      await getStore().outbox.fail(d.id, retried?.leaseId ?? '', {
        error: 'connection refused',
        retryAt: now(),
      });
      const after = await getStore().outbox.find(d.id);
      expect(after).toMatchObject({ attempts: 2, lastError: 'connection refused' });
      expect(after?.lastStatus).toBeUndefined();
    });

    it('moves a delivery without a retry time to the dead letters, and re-queues it', async () => {
      const d = delivery();
      await getStore().outbox.enqueue([d]);
      const held = await claimOne(d.id);
      await getStore().outbox.fail(d.id, held?.leaseId ?? '', {
        error: 'HTTP 500',
        status: 500,
        retryAt: undefined,
      });
      expect(await getStore().outbox.find(d.id)).toMatchObject({ state: 'dead', attempts: 1 });
      expect(await claimOne(d.id)).toBeUndefined();

      const dead = await getStore().outbox.list({ state: 'dead', target: d.target }, { limit: 10 });
      expect(dead.items.map((x) => x.id)).toEqual([d.id]);
      const pending = await getStore().outbox.list(
        { state: 'pending', target: d.target },
        { limit: 10 },
      );
      expect(pending.items).toEqual([]);

      expect(await getStore().outbox.requeue(d.id)).toBe(true);
      expect(await getStore().outbox.requeue(d.id)).toBe(false);
      expect(await getStore().outbox.find(d.id)).toMatchObject({
        state: 'pending',
        attempts: 0,
        availableAt: now(),
      });
      expect((await claimOne(d.id))?.id).toBe(d.id);
    });

    it('lists by state, kind and target in id order, page by page', async () => {
      const target = uniq('endpoint');
      const ds = [delivery({ target }), delivery({ target }), delivery({ target })];
      await getStore().outbox.enqueue(ds);
      const first = await getStore().outbox.list({ target, kind: 'webhook' }, { limit: 2 });
      expect(first.items.map((x) => x.id)).toEqual([ds[0]?.id, ds[1]?.id]);
      const second = await getStore().outbox.list(
        { target, kind: 'webhook' },
        { limit: 2, cursor: first.nextCursor },
      );
      expect(second.items.map((x) => x.id)).toEqual([ds[2]?.id]);
      expect(second.nextCursor).toBeUndefined();
      expect(
        (await getStore().outbox.list({ target, kind: 'backchannel_logout' }, { limit: 5 })).items,
      ).toEqual([]);
    });

    it('gives one delivery to exactly one of many concurrent claimers', async () => {
      const d = delivery();
      await getStore().outbox.enqueue([d]);
      const results = await Promise.all(Array.from({ length: 12 }, () => claimOne(d.id)));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('never hands a delivery to two concurrent batch claims', async () => {
      const target = uniq('endpoint');
      const ds = Array.from({ length: 8 }, () => delivery({ target }));
      await getStore().outbox.enqueue(ds);
      const batches = await Promise.all(
        Array.from({ length: 4 }, () => getStore().outbox.claim({ leaseMs: LEASE, limit: 3 })),
      );
      const ids = batches.flat().map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Whatever the interleaving, 12 claim slots cover our 8 deliveries unless other tests'
      // leftovers took slots; the ones not claimed are still pending and due.
      for (const d of ds) {
        if (ids.includes(d.id)) continue;
        expect((await getStore().outbox.find(d.id))?.availableAt).toBeLessThanOrEqual(now());
      }
    });

    it('answers false when re-queueing or removing what is not there', async () => {
      const id = uniq('missing');
      expect(await getStore().outbox.requeue(id)).toBe(false);
      expect(await getStore().outbox.remove(id)).toBe(false);
      expect(await getStore().outbox.find(id)).toBeUndefined();
    });
  });

  describe('webhook endpoints', () => {
    const endpoint = (overrides: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord => ({
      id: uniq('wh'),
      url: 'https://hooks.example.com/portcullis',
      events: ['user.*', 'login.locked'],
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      description: 'CRM sync',
      disabled: false,
      createdAt: now(),
      updatedAt: now(),
      ...overrides,
    });

    it('returns a created endpoint, equal but never the same object', async () => {
      const e = endpoint();
      await getStore().webhookEndpoints.create(e);
      const found = await getStore().webhookEndpoints.findById(e.id);
      expect(found).toEqual(e);
      expect(found).not.toBe(e);
      await expect(getStore().webhookEndpoints.create(e)).rejects.toBeInstanceOf(
        StoreConflictError,
      );
    });

    it('applies a patch, keeping fields it does not name', async () => {
      const e = endpoint();
      await getStore().webhookEndpoints.create(e);
      const updated = await getStore().webhookEndpoints.update(
        e.id,
        { events: ['*'], disabled: true },
        now() + 1,
      );
      expect(updated).toEqual({ ...e, events: ['*'], disabled: true, updatedAt: now() + 1 });
      expect(await getStore().webhookEndpoints.findById(e.id)).toEqual(updated);
      expect(
        await getStore().webhookEndpoints.update(uniq('none'), { disabled: true }, now()),
      ).toBeUndefined();
    });

    it('removes an endpoint once and lists the rest in id order', async () => {
      const a = endpoint();
      const b = endpoint();
      await getStore().webhookEndpoints.create(a);
      await getStore().webhookEndpoints.create(b);
      expect(await getStore().webhookEndpoints.remove(a.id)).toBe(true);
      expect(await getStore().webhookEndpoints.remove(a.id)).toBe(false);
      const all: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 1000; i += 1) {
        const page = await getStore().webhookEndpoints.list({ cursor, limit: 2 });
        all.push(...page.items.map((x) => x.id));
        if (page.nextCursor === undefined) break;
        cursor = page.nextCursor;
      }
      expect(all).toContain(b.id);
      expect(all).not.toContain(a.id);
      expect([...all].sort()).toEqual(all);
    });
  });
}
