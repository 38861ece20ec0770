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
    const result = await services.deliveries.list({}, { limit: 100 });
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
