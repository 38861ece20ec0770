import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import { type ConsoleKit } from '../console-kit.ts';

/** Security events and the audit log (`admin.` events), filtered and paged. */
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
      const cursor = text('cursor') || undefined;
      const result = await services.audit.list(
        {
          typePrefix: typePrefix || undefined,
          subject: subject || undefined,
          clientId: clientId || undefined,
        },
        { cursor, limit: 50 },
      );
      const here = `${CONSOLE_PATH}/${key}`;
      const keep = new URLSearchParams({
        ...(typePrefix ? { type_prefix: typePrefix } : {}),
        ...(subject ? { subject } : {}),
        ...(clientId ? { client_id: clientId } : {}),
      });
      await show(
        ctx,
        200,
        page(ctx, {
          heading: t[key],
          current: key,
          session,
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
