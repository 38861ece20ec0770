import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import { when, cell, type ConsoleKit } from '../console-kit.ts';
import type { ConsolePage } from '../console-view-model.ts';

/** Signing keys (`portcullis keys list|rotate|prune`): their states; rotate and prune, each after a confirmation. */
export function keyRoutes(router: Router, kit: ConsoleKit): void {
  const { page, show, state, fresh } = kit;
  const { services } = kit.deps;

  router.get('/keys', async (ctx) => keysPage(ctx, kit.savedNotice(ctx)));

  async function keysPage(ctx: Context, notice?: ConsolePage['notice']): Promise<void> {
    const { t, session } = state(ctx);
    const keys = await services.keys.list();
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.keys,
        current: 'keys',
        session,
        notice,
        sections: [
          {
            heading: t.keys,
            table: {
              caption: t.keys,
              headers: [t.kid, t.alg, t.state, t.activates, t.retires, t.expires],
              rows: keys.map((k) => [
                cell(k.kid),
                cell(k.alg),
                cell(k.state),
                cell(when(k.activates_at)),
                cell(when(k.retired_at)),
                cell(when(k.expires_at)),
              ]),
              empty: t.nothing,
            },
          },
          {
            heading: t.rotateKeys,
            text: [t.rotateKeysHint],
            links: [{ href: `${CONSOLE_PATH}/keys/rotate`, label: t.rotateKeys }],
          },
          {
            heading: t.pruneKeys,
            text: [t.pruneKeysHint],
            links: [{ href: `${CONSOLE_PATH}/keys/prune`, label: t.pruneKeys }],
          },
        ],
      }),
    );
  }

  router.get('/keys/rotate', async (ctx) => {
    const { t } = state(ctx);
    await kit.confirmPage(ctx, {
      current: 'keys',
      heading: t.rotateKeysTitle,
      text: t.rotateKeysHint,
      action: `${CONSOLE_PATH}/keys/rotate`,
      back: `${CONSOLE_PATH}/keys`,
    });
  });

  router.post('/keys/rotate', async (ctx) => {
    if (!fresh(ctx, `${CONSOLE_PATH}/keys/rotate`)) return;
    await services.keys.rotate(kit.actorOf(ctx));
    kit.redirect(ctx, `${CONSOLE_PATH}/keys`);
  });

  // `keys prune`: removes keys no longer published (nothing they signed can still be valid).
  router.get('/keys/prune', async (ctx) => {
    const { t } = state(ctx);
    await kit.confirmPage(ctx, {
      current: 'keys',
      heading: t.pruneKeysTitle,
      text: t.pruneKeysConfirm,
      action: `${CONSOLE_PATH}/keys/prune`,
      back: `${CONSOLE_PATH}/keys`,
    });
  });

  router.post('/keys/prune', async (ctx) => {
    if (!fresh(ctx, `${CONSOLE_PATH}/keys/prune`)) return;
    await services.keys.prune(kit.actorOf(ctx));
    kit.redirect(ctx, `${CONSOLE_PATH}/keys`);
  });
}
