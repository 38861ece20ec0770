import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, fill, type ConsoleKit } from '../console-kit.ts';
import type { ConsolePage } from '../console-view-model.ts';

/** The outbox (`portcullis delivery list|retry|remove`): pending deliveries and dead letters; retry a dead letter; remove one after a confirmation. */
export function deliveryRoutes(router: Router, kit: ConsoleKit): void {
  const { page, show, state, post } = kit;
  const { services } = kit.deps;

  async function deliveriesPage(ctx: Context, notice?: ConsolePage['notice']): Promise<void> {
    const { t, session } = state(ctx);
    // The filters of `delivery list`; a value outside the known ones filters nothing.
    const query = (name: string) =>
      typeof ctx.query[name] === 'string' ? (ctx.query[name] as string).slice(0, 200) : '';
    const stateFilter =
      query('state') === 'pending' || query('state') === 'dead' ? query('state') : '';
    const kind =
      query('kind') === 'webhook' || query('kind') === 'backchannel_logout' ? query('kind') : '';
    const target = query('target');
    const cursor = query('cursor') || undefined;
    const result = await services.deliveries.list(
      {
        ...(stateFilter ? { state: stateFilter as 'pending' | 'dead' } : {}),
        ...(kind ? { kind: kind as 'webhook' | 'backchannel_logout' } : {}),
        ...(target ? { target } : {}),
      },
      { cursor, limit: 100 },
    );
    const keep = new URLSearchParams({
      ...(stateFilter ? { state: stateFilter } : {}),
      ...(kind ? { kind } : {}),
      ...(target ? { target } : {}),
    });
    const choice = (value: string, label: string) => ({ value, label });
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.deliveries,
        current: 'deliveries',
        session,
        notice,
        sections: [
          {
            heading: t.filter,
            forms: [
              {
                action: `${CONSOLE_PATH}/deliveries`,
                method: 'get',
                submit: t.filter,
                label: t.filter,
                fields: [
                  {
                    name: 'state',
                    label: t.state,
                    type: 'select',
                    value: stateFilter,
                    options: [
                      choice('', t.all),
                      choice('pending', 'pending'),
                      choice('dead', 'dead'),
                    ],
                  },
                  {
                    name: 'kind',
                    label: t.kind,
                    type: 'select',
                    value: kind,
                    options: [
                      choice('', t.all),
                      choice('webhook', 'webhook'),
                      choice('backchannel_logout', 'backchannel_logout'),
                    ],
                  },
                  { name: 'target', label: t.target, type: 'text', value: target },
                ],
              },
            ],
          },
          {
            heading: t.deliveries,
            table: {
              caption: t.deliveries,
              headers: [t.id, t.kind, t.state, t.target, t.attempts, t.lastError, t.actions],
              rows: result.items.map((d) => [
                cell(d.id),
                cell(d.kind),
                cell(d.state),
                cell(d.target),
                cell(String(d.attempts)),
                cell(d.last_error ?? '–'),
                cell(t.remove, `${CONSOLE_PATH}/deliveries/${encodeURIComponent(d.id)}/remove`),
              ]),
              empty: t.nothing,
              next: result.nextCursor
                ? {
                    href: `${CONSOLE_PATH}/deliveries?${keep.toString()}${keep.size > 0 ? '&' : ''}cursor=${encodeURIComponent(result.nextCursor)}`,
                    label: t.more,
                  }
                : undefined,
            },
            forms: result.items
              .filter((d) => d.state === 'dead')
              .map((d) =>
                post(
                  ctx,
                  `${CONSOLE_PATH}/deliveries/${encodeURIComponent(d.id)}/retry`,
                  `${t.retry}: ${d.id}`,
                  { label: `${t.retry}: ${d.id}` },
                ),
              ),
          },
        ],
      }),
    );
  }

  router.get('/deliveries', async (ctx) => deliveriesPage(ctx, kit.savedNotice(ctx)));
  router.post('/deliveries/:id/retry', async (ctx) => {
    await services.deliveries.retry(ctx.params.id ?? '', kit.actorOf(ctx));
    await deliveriesPage(ctx, { kind: 'status', text: state(ctx).t.saved });
  });

  // `delivery remove`: a pending delivery or a dead letter discarded, after a confirmation.
  router.get('/deliveries/:id/remove', async (ctx) => {
    const { t } = state(ctx);
    const delivery = await services.deliveries.get(ctx.params.id ?? '');
    const here = `${CONSOLE_PATH}/deliveries/${encodeURIComponent(delivery.id)}/remove`;
    await kit.confirmPage(ctx, {
      current: 'deliveries',
      heading: t.removeDeliveryTitle,
      text: fill(t.removeDeliveryConfirm, {
        id: delivery.id,
        kind: delivery.kind,
        target: delivery.target,
      }),
      action: here,
      back: `${CONSOLE_PATH}/deliveries`,
    });
  });

  router.post('/deliveries/:id/remove', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!kit.fresh(ctx, `${CONSOLE_PATH}/deliveries/${encodeURIComponent(id)}/remove`)) return;
    await services.deliveries.remove(id, kit.actorOf(ctx));
    kit.redirect(ctx, `${CONSOLE_PATH}/deliveries`);
  });
}
