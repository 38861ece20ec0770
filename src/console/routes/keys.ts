import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Actor } from '../../admin/audit-log.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, listSection, when, type ConsoleKit } from '../console-kit.ts';
import type { ConsoleMessages } from '../console-messages.ts';
import type { ConsolePage } from '../console-view-model.ts';

/** Signing keys (`portcullis keys list|rotate|prune`): their states; rotate and prune, each after a confirmation. */
export function keyRoutes(router: Router, kit: ConsoleKit): void {
  const { state } = kit;
  const { services } = kit.deps;
  const base = `${CONSOLE_PATH}/keys`;

  router.get('/keys', async (ctx) => keysPage(ctx, kit.savedNotice(ctx)));

  async function keysPage(ctx: Context, notice?: ConsolePage['notice']): Promise<void> {
    const { t } = state(ctx);
    const keys = await services.keys.list();
    await kit.view(ctx, {
      heading: t.keys,
      current: 'keys',
      notice,
      sections: [
        listSection(t, t.keys, {
          headers: [t.kid, t.alg, t.state, t.activates, t.retires, t.expires],
          rows: keys.map((k) => [
            cell(k.kid),
            cell(k.alg),
            cell(k.state),
            cell(when(k.activates_at)),
            cell(when(k.retired_at)),
            cell(when(k.expires_at)),
          ]),
        }),
        {
          heading: t.rotateKeys,
          text: [t.rotateKeysHint],
          links: [{ href: `${base}/rotate`, label: t.rotateKeys }],
        },
        {
          heading: t.pruneKeys,
          text: [t.pruneKeysHint],
          links: [{ href: `${base}/prune`, label: t.pruneKeys }],
        },
      ],
    });
  }

  /** `keys rotate` and `keys prune`, each after a confirmation, then back to the keys. */
  const confirmed = (
    action: 'rotate' | 'prune',
    words: (t: ConsoleMessages) => { heading: string; text: string },
    act: (actor: Actor) => Promise<unknown>,
  ) =>
    kit.confirmed(router, `/keys/${action}`, {
      current: 'keys',
      confirm: async (_ctx, _key, t) => ({ ...words(t), back: base }),
      async act(ctx) {
        await act(kit.actorOf(ctx));
        kit.redirect(ctx, base);
      },
    });
  confirmed(
    'rotate',
    (t) => ({ heading: t.rotateKeysTitle, text: t.rotateKeysHint }),
    (actor) => services.keys.rotate(actor),
  );
  // `keys prune`: removes keys no longer published (nothing they signed can still be valid).
  confirmed(
    'prune',
    (t) => ({ heading: t.pruneKeysTitle, text: t.pruneKeysConfirm }),
    (actor) => services.keys.prune(actor),
  );
}
