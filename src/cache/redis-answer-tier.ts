import type { Redis } from 'ioredis';
import { EVERYTHING } from './invalidation-feed.ts';
import { isReady } from './redis-connection.ts';

const PREFIX = 'portcullis:answers:';
const EPOCH = `${PREFIX}epoch`;
const CLEARED = `${PREFIX}cleared`;
/** How long Redis keeps a tag's last invalidation: no shared entry lives longer than this. */
export const SHARED_ENTRY_MAX_MS = 24 * 3_600_000;

/** An answer as the shared tier keeps it: serialised by its cache, with its expiry and tags. */
export interface SharedEntry {
  value: string;
  expiresAt: number;
  tags: readonly string[];
}

/**
 * The current epoch, and the entry under KEYS[1] unless a tag it carries, or everything, was invalidated after the
 * epoch its writer read before computing it (an invalidation stamped with that epoch or an older
 * one had already happened when the writer read the store). In one script, so an invalidation
 * cannot fall between the reads.
 */
const READ = `
local epoch = tonumber(redis.call('GET', KEYS[3]) or '0')
local raw = redis.call('GET', KEYS[1])
if not raw then return {epoch, ''} end
local entry = cjson.decode(raw)
local cleared = tonumber(redis.call('GET', KEYS[2]) or '0')
if cleared > entry.e then return {epoch, ''} end
for _, tag in ipairs(entry.t) do
  local at = tonumber(redis.call('GET', ARGV[1] .. tag) or '0')
  if at > entry.e then return {epoch, ''} end
end
return {epoch, raw}
`;

/** A new epoch, stamped on every named tag (or on everything): entries of older epochs are void. */
const INVALIDATE = `
local epoch = redis.call('INCR', KEYS[1])
local ttl = tonumber(ARGV[2])
for i = 3, #ARGV do
  if ARGV[i] == '${EVERYTHING}' then
    redis.call('SET', KEYS[2], epoch, 'PX', ttl)
  else
    redis.call('SET', ARGV[1] .. ARGV[i], epoch, 'PX', ttl)
  end
end
return epoch
`;

interface Scripted {
  answerRead(
    entry: string,
    cleared: string,
    epoch: string,
    tagPrefix: string,
  ): Promise<[number, string]>;
  answerInvalidate(epoch: string, cleared: string, ...args: (string | number)[]): Promise<number>;
}

export interface SharedAnswerTier {
  /** Usable now: connected, and cleared since the last time it was not. */
  usable(): boolean;
  /**
   * The entry for `key` if it is still good, and the epoch a writer that computes it now shares
   * it under (read before the computation); undefined when the tier cannot answer.
   */
  lookup(key: string): Promise<{ entry: SharedEntry | undefined; epoch: number } | undefined>;
  set(key: string, entry: SharedEntry, epoch: number): void;
  invalidate(tags: readonly string[]): Promise<void>;
}

/**
 * The shared tier of the answer caches in Redis (issue 18 item 3: one process's engine answer
 * serves every process and host). The in-process tier closes its read/invalidate race with a
 * generation; this one with epochs, the same idea across processes: a writer reads the epoch
 * before it asks the engine, and an invalidation stamps each tag it names with a newer epoch, so
 * an answer computed before a change it is tagged with is never served after it.
 *
 * Never the only copy, and never trusted past what it can show: every invalidation is also in the
 * store's feed, and each process applies what it reads there to this tier too
 * (src/cache/invalidation-feed.ts), so one that failed to reach Redis is applied within the
 * feed's bound. A process that could not tell Redis of a change (it was away, a command failed)
 * clears the tier before it uses it again. Commands fail fast (src/cache/redis-connection.ts); any failure is a
 * miss.
 */
export function redisAnswerTier(deps: {
  redis: Redis;
  /** The cache's name, so two caches never share keys. */
  name: string;
  now?: () => number;
  onError?: (error: unknown) => void;
  /** Each lookup that got an answer from Redis, good (`hit`) or not (`miss`). */
  observe?: (result: 'hit' | 'miss') => void;
}): SharedAnswerTier {
  const { redis } = deps;
  const now = deps.now ?? Date.now;
  const entryKey = (key: string) => `${PREFIX}${deps.name}:e:${key}`;
  const tagPrefix = `${PREFIX}t:`;
  redis.defineCommand('answerRead', { numberOfKeys: 3, lua: READ });
  redis.defineCommand('answerInvalidate', { numberOfKeys: 2, lua: INVALIDATE });
  const scripted = redis as unknown as Scripted;

  // Whether this process let a change pass without telling Redis (away, or a command failed):
  // then what Redis holds may be stale for it, and the tier is cleared before it is used again.
  let missed = false;
  let cleared = false;
  const failed = (error: unknown) => {
    deps.onError?.(error);
  };
  const invalidate = async (tags: readonly string[]): Promise<void> => {
    if (tags.length === 0) return;
    if (!isReady(redis)) {
      missed = true;
      return;
    }
    try {
      await scripted.answerInvalidate(EPOCH, CLEARED, tagPrefix, SHARED_ENTRY_MAX_MS, ...tags);
    } catch (error) {
      missed = true;
      throw error;
    }
  };
  const onReady = () => {
    if (!missed) {
      cleared = true;
      return;
    }
    cleared = false;
    missed = false;
    invalidate([EVERYTHING]).then(() => {
      cleared = true;
    }, failed);
  };
  redis.on('ready', onReady);
  redis.on('close', () => {
    cleared = false;
  });
  if (isReady(redis)) onReady();

  const usable = () => cleared && isReady(redis);
  return {
    usable,
    async lookup(key) {
      if (!usable()) return undefined;
      try {
        const [epoch, raw] = await scripted.answerRead(entryKey(key), CLEARED, EPOCH, tagPrefix);
        const stored =
          raw === '' ? undefined : (JSON.parse(raw) as { v: string; x: number; t: string[] });
        if (stored === undefined || stored.x <= now()) {
          deps.observe?.('miss');
          return { entry: undefined, epoch };
        }
        deps.observe?.('hit');
        return { entry: { value: stored.v, expiresAt: stored.x, tags: stored.t }, epoch };
      } catch (error) {
        failed(error);
        return undefined;
      }
    },
    set(key, entry, epoch) {
      const ttl = Math.min(entry.expiresAt - now(), SHARED_ENTRY_MAX_MS);
      if (!usable() || ttl <= 0) return;
      const stored = JSON.stringify({
        v: entry.value,
        x: entry.expiresAt,
        t: entry.tags,
        e: epoch,
      });
      redis.set(entryKey(key), stored, 'PX', ttl).catch(failed);
    },
    async invalidate(tags) {
      try {
        await invalidate(tags);
      } catch (error) {
        failed(error);
      }
    },
  };
}
