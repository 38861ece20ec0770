import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { WebhookView } from '../../webhooks/webhook-admin-service.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import {
  cell,
  cursorOf,
  enc,
  fill,
  listSection,
  nextPage,
  onceSecret,
  words,
  type ConsoleKit,
  type RecordPage,
} from '../console-kit.ts';
import type { ConsoleField, ConsolePage, ConsoleSection } from '../console-view-model.ts';

/**
 * Webhook endpoints (docs/webhooks.md; `portcullis webhook add|list|update|rotate-secret|remove`):
 * list and register (the signing secret shown on that answer only), an endpoint's page to change
 * it, rotating its secret (shown once) and removal, both after a confirmation. Through the
 * webhook admin service: the same URL rules (SSRF) and audit entries (`admin.webhook.*`).
 */
export function webhookRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const base = `${CONSOLE_PATH}/webhooks`;

  const fields = (
    ctx: Context,
    v: { url: string; events: string; description: string; disabled: boolean },
  ): ConsoleField[] => {
    const { t } = state(ctx);
    return [
      { name: 'url', label: t.url, type: 'text', value: v.url, required: true, hint: t.urlHint },
      {
        name: 'events',
        label: t.eventTypes,
        type: 'textarea',
        value: v.events,
        required: true,
        hint: t.eventTypesHint,
      },
      { name: 'description', label: t.description, type: 'text', value: v.description },
      { name: 'disabled', label: t.paused, type: 'checkbox', value: 'yes', checked: v.disabled },
    ];
  };
  const input = (f: Record<string, string>) => ({
    url: f.url ?? '',
    events: words(f.events),
    description: f.description ?? '',
    disabled: f.disabled === 'yes',
  });

  async function list(
    ctx: Context,
    notice?: ConsolePage['notice'],
    values?: Record<string, string>,
  ) {
    const { t } = state(ctx);
    const hooks = await services.webhooks.list({ cursor: cursorOf(ctx), limit: 100 });
    await kit.view(ctx, {
      heading: t.webhooks,
      current: 'webhooks',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        listSection(t, t.webhooks, {
          headers: [t.url, t.eventTypes, t.state, t.description],
          rows: hooks.items.map((w) => [
            cell(w.url, `${base}/${enc(w.id)}`),
            cell(w.events.join(' ')),
            cell(w.disabled ? t.paused : t.enabled),
            cell(w.description || '–'),
          ]),
          next: nextPage(t, base, hooks.nextCursor),
        }),
        {
          heading: t.newWebhook,
          forms: [
            post(ctx, base, t.create, {
              label: t.newWebhook,
              fields: fields(ctx, {
                url: values?.url ?? '',
                events: values?.events ?? '',
                description: values?.description ?? '',
                disabled: values?.disabled === 'yes',
              }),
            }),
          ],
        },
      ],
    });
  }

  async function show(
    ctx: Context,
    hook: WebhookView,
    extra: { notice?: ConsolePage['notice']; secret?: string } = {},
  ) {
    const { t } = state(ctx);
    const here = `${base}/${enc(hook.id)}`;
    const sections: ConsoleSection[] = [
      ...onceSecret(t, extra.secret, t.webhookSecretTitle, t.webhookSecret),
      {
        heading: hook.url,
        facts: [
          { term: t.id, value: hook.id },
          { term: t.eventTypes, value: hook.events.join(' ') },
          { term: t.state, value: hook.disabled ? t.paused : t.enabled },
        ],
        forms: [
          post(ctx, here, t.save, {
            label: t.save,
            fields: fields(ctx, {
              url: hook.url,
              events: hook.events.join('\n'),
              description: hook.description,
              disabled: hook.disabled,
            }),
          }),
        ],
        links: [{ href: `${CONSOLE_PATH}/deliveries`, label: t.deliveries }],
      },
      {
        heading: t.rotateSecret,
        links: [
          { href: `${here}/rotate-secret`, label: t.rotateSecret },
          { href: `${here}/delete`, label: t.deleteWebhook },
        ],
      },
    ];
    await kit.view(ctx, {
      heading: t.webhook,
      current: 'webhooks',
      notice: extra.notice ?? kit.savedNotice(ctx),
      sections,
    });
  }

  router.get('/webhooks', (ctx) => list(ctx));

  // The secret is in this answer only (no redirect): it is never shown again.
  router.post('/webhooks', async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const created = await services.webhooks.create(input(f), kit.actorOf(ctx));
        await show(ctx, created, { secret: created.secret });
      },
      (notice) => list(ctx, notice, f),
    );
  });

  router.get('/webhooks/:id', async (ctx) =>
    show(ctx, await services.webhooks.get(ctx.params.id ?? '')),
  );

  const hookPage = {
    param: 'id',
    path: (id: string) => `${base}/${enc(id)}`,
    show: async (ctx: Context, id: string, notice: ConsolePage['notice']) =>
      show(ctx, await services.webhooks.get(id), { notice }),
  } satisfies RecordPage;

  router.post(
    '/webhooks/:id',
    kit.change(hookPage, (id, f, ctx) => services.webhooks.update(id, input(f), kit.actorOf(ctx))),
  );

  // Both after a confirmation: a rotated secret breaks the receiver until it has the new one.
  const confirmed = (
    kind: 'rotate-secret' | 'delete',
    act: (ctx: Context, id: string) => Promise<void>,
  ) =>
    kit.confirmed(router, `/webhooks/:id/${kind}`, {
      current: 'webhooks',
      async confirm(_ctx, id, t) {
        const hook = await services.webhooks.get(id);
        return {
          key: hook.id,
          heading: kind === 'delete' ? t.deleteWebhookTitle : t.rotateWebhookTitle,
          text: fill(kind === 'delete' ? t.deleteWebhookConfirm : t.rotateWebhookConfirm, {
            url: hook.url,
          }),
          back: hookPage.path(hook.id),
        };
      },
      act,
    });
  confirmed('rotate-secret', async (ctx, id) => {
    const rotated = await services.webhooks.rotateSecret(id, kit.actorOf(ctx));
    await show(ctx, rotated, { secret: rotated.secret });
  });
  confirmed('delete', async (ctx, id) => {
    await services.webhooks.remove(id, kit.actorOf(ctx));
    kit.redirect(ctx, base);
  });
}
