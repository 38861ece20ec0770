/**
 * The invalidation feed between processes, over the memory backend's feed store (the contract
 * suite checks the same port on sqlite and MongoDB): two feeds on one store are two processes.
 */
import { describe, expect, it } from '@jest/globals';
import { EVERYTHING, InvalidationFeed, OVERLAP_MS } from '../../src/cache/invalidation-feed.ts';
import { createMemoryInvalidationStore } from '../../src/storage/memory/create-memory-invalidation-store.ts';
import type { InvalidationStore } from '../../src/storage/ports.ts';

function processes(boundMs = 1_000) {
  let clock = 1_000_000;
  const now = () => clock;
  const store = createMemoryInvalidationStore(now);
  const make = (over: InvalidationStore = store) => {
    const feed = new InvalidationFeed({ store: over, boundMs, now });
    const told: (readonly string[])[] = [];
    feed.subscribe((keys) => told.push(keys));
    return { feed, told };
  };
  return { make, store, advance: (ms: number) => (clock += ms) };
}

describe('InvalidationFeed', () => {
  it("tells the publishing process's caches at once, and the others at their next poll", async () => {
    const { make } = processes();
    const a = make();
    const b = make();
    await b.feed.poll();
    await a.feed.publish(['t:1']);
    expect(a.told).toEqual([['t:1']]);
    expect(b.told).toEqual([]);
    await b.feed.poll();
    expect(b.told).toEqual([['t:1']]);
  });

  it('applies each record once although polls overlap', async () => {
    const { make, advance } = processes();
    const a = make();
    const b = make();
    await b.feed.poll();
    await a.feed.publish(['g:1']);
    await b.feed.poll();
    advance(100);
    await b.feed.poll();
    advance(100);
    await b.feed.poll();
    expect(b.told).toEqual([['g:1']]);
  });

  it('sees a record written up to the overlap before its previous poll (clock skew, slow commit)', async () => {
    const { make, store, advance } = processes();
    const b = make();
    await b.feed.poll();
    advance(10);
    // A writer whose clock is behind ours by most of the overlap.
    const skewed = createMemoryInvalidationStore(() => 1_000_000 - OVERLAP_MS + 20);
    await skewed.append(['a:1']);
    const merged: InvalidationStore = {
      append: (keys) => store.append(keys),
      since: async (since, limit) => [
        ...(await store.since(since, limit)),
        ...(await skewed.since(since, limit)),
      ],
      pruneBefore: (time) => store.pruneBefore(time),
    };
    const reader = make(merged);
    await reader.feed.poll();
    advance(10);
    await reader.feed.poll();
    expect(reader.told).toContainEqual(['a:1']);
  });

  it('is fresh only while its last successful poll started within the bound', async () => {
    const { make, advance } = processes(1_000);
    const a = make();
    expect(a.feed.fresh()).toBe(false);
    await a.feed.poll();
    expect(a.feed.fresh()).toBe(true);
    advance(1_001);
    expect(a.feed.fresh()).toBe(false);
  });

  it('drops everything and stops being fresh when the store cannot be read', async () => {
    const { make, store, advance } = processes(1_000);
    let down = false;
    const flaky: InvalidationStore = {
      append: (keys) => store.append(keys),
      since: async (since, limit) => {
        if (down) throw new Error('store unavailable');
        return store.since(since, limit);
      },
      pruneBefore: (time) => store.pruneBefore(time),
    };
    const a = make(flaky);
    await a.feed.poll();
    down = true;
    advance(600);
    await a.feed.poll();
    expect(a.told).toEqual([[EVERYTHING]]);
    advance(500);
    expect(a.feed.fresh()).toBe(false);
    down = false;
    await a.feed.poll();
    expect(a.feed.fresh()).toBe(true);
  });

  it('drops everything when more changes arrived than one read holds', async () => {
    const { make, store } = processes();
    const b = make();
    await b.feed.poll();
    for (let i = 0; i < 1_000; i += 1) await store.append([`t:${i}`]);
    await b.feed.poll();
    expect(b.told).toEqual([[EVERYTHING]]);
  });
});
