import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import { type ConsoleKit } from '../console-kit.ts';

/** Security events and the audit log (`portcullis events list`, `audit list`): filtered by type, type prefix, subject, client and time, newest first, paged. */
export function eventRoutes(router: Router, kit: ConsoleKit): void {
  const { page, show, state } = kit;
  const { services } = kit.deps;

  const eventsPage =
    (key: 'events' | 'audit', fixedPrefix: string | undefined) => async (ctx: Context) => {
      const { t, session } = state(ctx);
      const text = (name: string) =>
        typeof ctx.query[name] === 'string' ? (ctx.query[name] as string).slice(0, 200) : '';
      const typePrefix = text('type_prefix') || fixedPrefix || '';
      const subject = text('subject');
      const clientId = text('client_id');
      const type = text('type');
      // `--since`/`--until` of `audit list`: ISO 8601 times; one that does not parse is said so.
      const since = text('since');
      const until = text('until');
      const time = (value: string) => (value === '' ? undefined : Date.parse(value));
      const bad = [since, until].some((v) => v !== '' && Number.isNaN(Date.parse(v)));
      const cursor = text('cursor') || undefined;
      const result = bad
        ? { items: [], nextCursor: undefined }
        : await services.audit.list(
            {
              type: type || undefined,
              typePrefix: typePrefix || undefined,
              subject: subject || undefined,
              clientId: clientId || undefined,
              since: time(since),
              until: time(until),
            },
            { cursor, limit: 50 },
          );
      const here = `${CONSOLE_PATH}/${key}`;
      const keep = new URLSearchParams({
        ...(typePrefix ? { type_prefix: typePrefix } : {}),
        ...(subject ? { subject } : {}),
        ...(clientId ? { client_id: clientId } : {}),
        ...(type ? { type } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      });
      await show(
        ctx,
        200,
        page(ctx, {
          heading: t[key],
          current: key,
          session,
          notice: bad ? { kind: 'alert', text: t.badTime } : undefined,
          sections: [
            {
              heading: t.filter,
              forms: [
                {
                  action: here,
                  method: 'get',
                  submit: t.filter,
                  label: t.filter,
                  fields: [
                    { name: 'type_prefix', label: t.typePrefix, type: 'text', value: typePrefix },
                    { name: 'subject', label: t.subject, type: 'text', value: subject },
                    { name: 'client_id', label: t.client, type: 'text', value: clientId },
                    { name: 'type', label: t.exactType, type: 'text', value: type },
                    { name: 'since', label: t.since, type: 'text', value: since, hint: t.timeHint },
                    { name: 'until', label: t.until, type: 'text', value: until },
                  ],
                },
              ],
            },
            {
              heading: t[key],
              table: kit.eventTable(
                t,
                t[key],
                result.items,
                result.nextCursor
                  ? {
                      href: `${here}?${keep.toString()}${keep.size > 0 ? '&' : ''}cursor=${encodeURIComponent(result.nextCursor)}`,
                      label: t.more,
                    }
                  : undefined,
              ),
            },
          ],
        }),
      );
    };
  router.get('/events', eventsPage('events', undefined));
  router.get('/audit', eventsPage('audit', 'admin.'));
}
