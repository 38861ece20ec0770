import type { Logger } from '../logging/logger.ts';
import type { OidcModelStore } from '../storage/ports.ts';
import type { Metrics } from './create-metrics.ts';

const PAGE_SIZE = 500;

/**
 * Counts unexpired sessions with a signed-in account by paging through them (the store ports
 * have no count). The provider also keeps sessions of browsers that never signed in.
 */
export async function countActiveSessions(store: Pick<OidcModelStore, 'list'>): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list('Session', { cursor, limit: PAGE_SIZE });
    count += page.items.filter((item) => typeof item.payload.accountId === 'string').length;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return count;
}

/**
 * Keeps `portcullis_active_sessions` up to date by re-counting every `intervalMs`, never per
 * request or per scrape: the ports offer no cheap count, and a count costs one store read per
 * 500 sessions. The first count runs at once. Returns a function that stops sampling.
 */
export function sampleActiveSessions(options: {
  store: Pick<OidcModelStore, 'list'>;
  gauge: Metrics['activeSessions'];
  intervalMs: number;
  log: Logger;
}): () => void {
  let running = false;
  const sample = () => {
    if (running) return; // a slow store: skip a beat rather than pile up counts
    running = true;
    countActiveSessions(options.store)
      .then(
        (count) => options.gauge.set(count),
        (err: unknown) =>
          options.log.warn({ err }, 'could not count active sessions; keeping the last count'),
      )
      .finally(() => {
        running = false;
      });
  };
  sample();
  const timer = setInterval(sample, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
