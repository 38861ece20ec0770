import type { Router } from '@koa/router';
import type { ConsoleKit } from '../console-kit.ts';

const DAY_MS = 86_400_000;

/** The dashboard: counts, sign-ins and failures over the last day (event store), recent lockouts. */
export function dashboardRoutes(router: Router, kit: ConsoleKit): void {
  const { page, show, state } = kit;
  const { services } = kit.deps;
  const { now } = kit;

  async function countAll<T>(
    list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | undefined }>,
    cap = 10_000,
  ): Promise<string> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const result = await list(cursor);
      count += result.items.length;
      cursor = result.nextCursor;
    } while (cursor !== undefined && count < cap);
    return cursor === undefined ? String(count) : `${String(cap)}+`;
  }

  router.get('/', async (ctx) => {
    const { t, session } = state(ctx);
    const since = now() - DAY_MS;
    const events = (type: string) => (cursor: string | undefined) =>
      services.audit.list({ type, since }, { cursor, limit: 100 });
    const [clients, users, apis, signIns, failures, lockouts, dead] = await Promise.all([
      countAll((cursor) => services.clients.list({ cursor, limit: 100 })),
      countAll((cursor) => services.users.list({ cursor, limit: 100 })),
      countAll((cursor) => services.apis.list({ cursor, limit: 100 })),
      countAll(events('login.succeeded')),
      countAll(events('login.failed')),
      services.audit.list({ type: 'login.locked' }, { limit: 5 }),
      countAll((cursor) => services.deliveries.list({ state: 'dead' }, { cursor, limit: 100 })),
    ]);
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.dashboard,
        current: 'dashboard',
        session,
        sections: [
          {
            heading: t.counts,
            facts: [
              { term: t.clients, value: clients },
              { term: t.users, value: users },
              { term: t.apis, value: apis },
              { term: t.signInsDay, value: signIns },
              { term: t.failuresDay, value: failures },
              { term: t.deadLetters, value: dead },
            ],
          },
          {
            heading: t.recentLockouts,
            table: kit.eventTable(t, t.recentLockouts, lockouts.items, undefined),
          },
        ],
      }),
    );
  });
}
