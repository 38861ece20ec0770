import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_PATH } from '../console-auth.ts';
import {
  cell,
  cursorOf,
  enc,
  fill,
  listSection,
  nextPage,
  onceSecret,
  when,
  wholeNumber,
  type ConsoleKit,
} from '../console-kit.ts';
import type { ConsolePage, ConsoleSection } from '../console-view-model.ts';

/**
 * Initial access tokens for dynamic client registration (RFC 7591 §3;
 * `portcullis iat create|list|revoke`): the list (never a token), a form that creates one and
 * shows it only on that answer, revocation after a confirmation. Audited as
 * `admin.initial_access_token.*`.
 */
export function initialAccessTokenRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const base = `${CONSOLE_PATH}/iats`;

  async function list(
    ctx: Context,
    extra: {
      notice?: ConsolePage['notice'];
      created?: string;
      values?: Record<string, string>;
    } = {},
  ) {
    const { t } = state(ctx);
    const tokens = await services.initialAccessTokens.list({ cursor: cursorOf(ctx), limit: 100 });
    const values = extra.values ?? {};
    const sections: ConsoleSection[] = [
      ...onceSecret(t, extra.created, t.iatCreated, t.iat),
      listSection(
        t,
        t.iats,
        {
          headers: [t.id, t.description, t.expires, t.uses, t.createdBy, t.actions],
          rows: tokens.items.map((x) => [
            cell(x.id),
            cell(x.description ?? '–'),
            cell(x.expires_at === null ? '–' : when(x.expires_at * 1000)),
            cell(`${String(x.uses)}${x.max_uses === null ? '' : ` / ${String(x.max_uses)}`}`),
            cell(x.created_by ?? '–'),
            cell(t.revoke, `${base}/${enc(x.id)}/revoke`),
          ]),
          next: nextPage(t, base, tokens.nextCursor),
        },
        { text: [t.iatsIntro] },
      ),
      {
        heading: t.newIat,
        forms: [
          post(ctx, base, t.create, {
            label: t.newIat,
            fields: [
              {
                name: 'expires_in',
                label: t.expiresIn,
                type: 'text',
                value: values.expires_in ?? '',
                hint: t.expiresInHint,
              },
              {
                name: 'max_uses',
                label: t.maxUses,
                type: 'text',
                value: values.max_uses ?? '',
                hint: t.maxUsesHint,
              },
              {
                name: 'description',
                label: t.description,
                type: 'text',
                value: values.description ?? '',
              },
            ],
          }),
        ],
      },
    ];
    await kit.view(ctx, {
      heading: t.iats,
      current: 'iats',
      notice: extra.notice ?? kit.savedNotice(ctx),
      sections,
    });
  }

  router.get('/iats', (ctx) => list(ctx));

  // Shown on this answer only (no redirect): the token is never stored in the clear.
  router.post('/iats', async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const expiresIn = wholeNumber(f.expires_in);
        const maxUses = wholeNumber(f.max_uses);
        const created = await services.initialAccessTokens.create(
          {
            ...(expiresIn === undefined ? {} : { expires_in: expiresIn }),
            ...(maxUses === undefined ? {} : { max_uses: maxUses }),
            ...(f.description ? { description: f.description } : {}),
          },
          kit.actorOf(ctx),
        );
        await list(ctx, { created: created.initial_access_token });
      },
      (notice) => list(ctx, { notice, values: f }),
    );
  });

  kit.confirmed(router, '/iats/:id/revoke', {
    current: 'iats',
    async confirm(_ctx, id, t) {
      return { heading: t.revokeIatTitle, text: fill(t.revokeIatConfirm, { id }), back: base };
    },
    async act(ctx, id) {
      await services.initialAccessTokens.revoke(id, kit.actorOf(ctx));
      kit.redirect(ctx, base);
    },
  });
}
