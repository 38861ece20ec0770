import { describe, expect, it } from '@jest/globals';
import { AnswerCache, type CacheObserver } from '../../src/cache/answer-cache.ts';

function recording() {
  const seen: string[] = [];
  const observer: CacheObserver = {
    lookup: (result) => seen.push(`lookup:${result}`),
    removed: (reason) => seen.push(`removed:${reason}`),
    size: () => undefined,
  };
  return { seen, observer };
}

describe('AnswerCache', () => {
  it('serves what was stored until it expires, then forgets it', () => {
    let clock = 1_000;
    const cache = new AnswerCache<string>({ maxEntries: 10, now: () => clock });
    expect(cache.set('k', { value: 'v', expiresAt: 2_000, tags: [] }, cache.generation())).toBe(
      true,
    );
    expect(cache.get('k')).toBe('v');
    clock = 2_000;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops every entry carrying an invalidated tag, and only those', () => {
    const cache = new AnswerCache<string>({ maxEntries: 10 });
    const far = Date.now() + 60_000;
    cache.set('a', { value: 'A', expiresAt: far, tags: ['t:1', 'g:1'] }, cache.generation());
    cache.set('b', { value: 'B', expiresAt: far, tags: ['t:2', 'g:1'] }, cache.generation());
    cache.set('c', { value: 'C', expiresAt: far, tags: ['t:3'] }, cache.generation());
    cache.invalidate(['g:1']);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, 'C']);
  });

  it('refuses an entry read before an invalidation that ran while it was being read', () => {
    const cache = new AnswerCache<string>({ maxEntries: 10 });
    const generation = cache.generation();
    // The change lands between the reader's store read and its `set`.
    cache.invalidate(['t:1']);
    expect(
      cache.set('k', { value: 'stale', expiresAt: Date.now() + 60_000, tags: ['t:1'] }, generation),
    ).toBe(false);
    expect(cache.get('k')).toBeUndefined();
  });

  it('refuses an entry that has already expired', () => {
    const cache = new AnswerCache<string>({ maxEntries: 10, now: () => 5_000 });
    expect(cache.set('k', { value: 'v', expiresAt: 5_000, tags: [] }, cache.generation())).toBe(
      false,
    );
  });

  it('keeps at most maxEntries, evicting the least recently used, and reports why entries left', () => {
    const { seen, observer } = recording();
    const cache = new AnswerCache<string>({ maxEntries: 2, observer });
    const far = Date.now() + 60_000;
    cache.set('a', { value: 'A', expiresAt: far, tags: ['x'] }, cache.generation());
    cache.set('b', { value: 'B', expiresAt: far, tags: ['x'] }, cache.generation());
    cache.get('a');
    cache.set('c', { value: 'C', expiresAt: far, tags: ['y'] }, cache.generation());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    cache.invalidate(['x']);
    cache.clear();
    expect(seen).toEqual([
      'lookup:hit',
      'removed:evict',
      'lookup:miss',
      'lookup:hit',
      'removed:invalidate',
      'removed:clear',
    ]);
  });

  it('forgets the tags of evicted entries, so an invalidation later touches nothing new', () => {
    const cache = new AnswerCache<string>({ maxEntries: 1 });
    const far = Date.now() + 60_000;
    cache.set('a', { value: 'A', expiresAt: far, tags: ['t'] }, cache.generation());
    cache.set('b', { value: 'B', expiresAt: far, tags: ['u'] }, cache.generation());
    cache.invalidate(['t']);
    expect(cache.get('b')).toBe('B');
  });
});
