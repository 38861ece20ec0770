import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logging/logger.ts';
import { createOutboxWorker, type OutboxSender } from '../../src/outbox/outbox-worker.ts';
import { nextAttemptAt } from '../../src/outbox/retry-schedule.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';

const log = createLogger({ level: 'silent' });

describe('retry schedule', () => {
  const policy = { attempts: 5, retryDelayMs: 100, maxRetryDelayMs: 350 };
  it('doubles the wait after each failed attempt, up to the cap, then gives up', () => {
    expect([1, 2, 3, 4].map((n) => nextAttemptAt(policy, n, 1000))).toEqual([
      1100, 1200, 1350, 1350,
    ]);
    expect(nextAttemptAt(policy, 5, 1000)).toBeUndefined();
  });
});

describe('outbox worker', () => {
  const setup = (answers: (number | Error)[]) => {
    let clock = 1_000_000;
    const store = createMemoryStore({ now: () => clock });
    const sent: string[] = [];
    const sender: OutboxSender = {
      policy: { attempts: 3, retryDelayMs: 1000, maxRetryDelayMs: 60_000 },
      http: async (request) => {
        sent.push(request.body);
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        if (answer instanceof Error) throw answer;
        return { status: answer ?? 200 };
      },
      prepare: async (d) => ({ url: d.url, body: d.body, headers: {} }),
      delivered: (status) => status >= 200 && status < 300,
    };
    const outcomes: { delivered: boolean; final: boolean; attempt: number }[] = [];
    const worker = createOutboxWorker({
      store: store.outbox,
      senders: { webhook: sender, backchannel_logout: sender },
      leaseMs: 30_000,
      pollIntervalMs: 60_000,
      batchSize: 10,
      now: () => clock,
      log,
      report: (o) => outcomes.push({ delivered: o.delivered, final: o.final, attempt: o.attempt }),
    });
    const enqueue = (id: string) =>
      store.outbox.enqueue([
        {
          id,
          kind: 'webhook',
          url: 'https://hooks.example.com/',
          body: id,
          contentType: 'application/json',
          target: 'wh_1',
          topic: 'user.created',
          availableAt: clock,
        },
      ]);
    return { store, worker, sent, outcomes, enqueue, advance: (ms: number) => (clock += ms) };
  };

  it('retries network errors and 5xx with backoff until delivered, sending the same body', async () => {
    const t = setup([new Error('ECONNREFUSED'), 503, 200]);
    await t.enqueue('msg_a');
    expect(await t.worker.runOnce()).toBe(1);
    expect(await t.worker.runOnce()).toBe(0); // not due for a second
    t.advance(1000);
    expect(await t.worker.runOnce()).toBe(1);
    t.advance(1999);
    expect(await t.worker.runOnce()).toBe(0);
    t.advance(1);
    expect(await t.worker.runOnce()).toBe(1);
    expect(t.sent).toEqual(['msg_a', 'msg_a', 'msg_a']);
    expect(t.outcomes).toEqual([
      { delivered: false, final: false, attempt: 1 },
      { delivered: false, final: false, attempt: 2 },
      { delivered: true, final: true, attempt: 3 },
    ]);
    expect(await t.store.outbox.find('msg_a')).toBeUndefined();
  });

  it('makes a dead letter at once of a final 4xx answer, and after the budget otherwise', async () => {
    const refused = setup([410]);
    await refused.enqueue('msg_gone');
    await refused.worker.runOnce();
    expect(await refused.store.outbox.find('msg_gone')).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: 'HTTP 410',
    });

    const down = setup([500]);
    await down.enqueue('msg_down');
    for (let i = 0; i < 5; i += 1) {
      await down.worker.runOnce();
      down.advance(10_000);
    }
    expect(down.sent).toHaveLength(3);
    expect(await down.store.outbox.find('msg_down')).toMatchObject({ state: 'dead', attempts: 3 });
  });

  it('makes one attempt now for deliverNow, and none for a delivery another holder has', async () => {
    const t = setup([200]);
    await t.enqueue('msg_now');
    await t.store.outbox.claim({ leaseMs: 30_000, limit: 1, id: 'msg_now' });
    expect(await t.worker.deliverNow('msg_now')).toBeUndefined();
    t.advance(30_000);
    expect(await t.worker.deliverNow('msg_now')).toMatchObject({ delivered: true, attempt: 1 });
    expect(t.sent).toEqual(['msg_now']);
  });
});
