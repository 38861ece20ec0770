import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CLIENT_INPUT_FIELDS } from '../../clients/client-input-schema.ts';
import type { ClientView } from '../../clients/client-service.ts';
import { AppError } from '../../errors/app-error.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import {
  cell,
  cursorOf,
  enc,
  fill,
  lines,
  listSection,
  nextPage,
  onceSecret,
  searchOf,
  searchSection,
  type ConsoleKit,
  type RecordPage,
} from '../console-kit.ts';
import type { ConsoleForm, ConsolePage, ConsoleSection } from '../console-view-model.ts';

/** The client's metadata as `client add|update` and the admin API take it (no id, no secret). */
function metadataOf(client: ClientView): Record<string, unknown> {
  const all = client as unknown as Record<string, unknown>;
  return Object.fromEntries(
    CLIENT_INPUT_FIELDS.filter((f) => all[f] !== undefined).map((f) => [f, all[f]]),
  );
}

/** A JSON object typed into a textarea; anything else is refused with the field's name. */
function jsonObject(text: string | undefined): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new AppError('invalid_input', { metadata: 'is not valid JSON' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError('invalid_input', { metadata: 'must be a JSON object' });
  return value as Record<string, unknown>;
}

/**
 * Clients (`portcullis client add|list|show|update|rotate-secret|remove`): list and search, create
 * (secret shown once), edit the name and redirect URIs or every metadata field as JSON (what
 * `client add|update` options and the admin API's bodies set), rotate the secret (shown once),
 * delete, both after a confirmation.
 */
export function clientRoutes(router: Router, kit: ConsoleKit): void {
  const { state, post, form } = kit;
  const { services } = kit.deps;
  const base = `${CONSOLE_PATH}/clients`;
  const clientPath = (id: string) => `${base}/${enc(id)}`;

  const jsonForm = (ctx: Context, action: string, submit: string, value: string): ConsoleForm => {
    const { t } = state(ctx);
    return post(ctx, action, submit, {
      label: submit,
      fields: [
        {
          name: 'metadata',
          label: t.metadataJson,
          type: 'textarea',
          value,
          rows: 14,
          required: true,
          hint: t.metadataJsonHint,
        },
      ],
    });
  };

  router.get('/clients', async (ctx) => {
    const { t } = state(ctx);
    const q = searchOf(ctx);
    const result = await services.clients.list({ cursor: cursorOf(ctx), limit: 100 });
    const items = result.items.filter(
      (c) =>
        q === '' ||
        c.client_id.toLowerCase().includes(q) ||
        c.client_name.toLowerCase().includes(q),
    );
    await kit.view(ctx, {
      heading: t.clients,
      current: 'clients',
      sections: [
        searchSection(t, base, q, [{ href: `${base}/new`, label: t.newClient }]),
        listSection(t, t.clients, {
          headers: [t.name, t.id, t.grantTypes, t.redirectUrisShort],
          rows: items.map((c) => [
            cell(c.client_name, clientPath(c.client_id)),
            cell(c.client_id),
            cell(c.grant_types.join(' ')),
            cell(c.redirect_uris.join(' ')),
          ]),
          // The search goes on to the next page.
          next: nextPage(t, base, result.nextCursor, q ? `&q=${enc(q)}` : ''),
        }),
      ],
    });
  });

  const clientForm = (
    ctx: Context,
    values: { name: string; uris: string; confidential: boolean },
    action: string,
    submit: string,
  ): ConsoleForm =>
    post(ctx, action, submit, {
      label: submit,
      fields: [
        {
          name: 'client_name',
          label: state(ctx).t.name,
          type: 'text',
          value: values.name,
          required: true,
        },
        {
          name: 'redirect_uris',
          label: state(ctx).t.redirectUris,
          type: 'textarea',
          value: values.uris,
        },
        ...(action.endsWith('/clients')
          ? [
              {
                name: 'confidential',
                label: state(ctx).t.confidential,
                type: 'checkbox' as const,
                value: 'yes',
                checked: values.confidential,
              },
            ]
          : []),
      ],
    });

  /**
   * The new-client page: the form of `client add` and the JSON one (every option); after a
   * refusal, the refused one again with what was typed.
   */
  const newClientPage = (
    ctx: Context,
    typed: { simple?: { name: string; uris: string; confidential: boolean }; json?: string },
    notice?: ConsolePage['notice'],
  ) => {
    const { t } = state(ctx);
    const sections: ConsoleSection[] = [];
    if (typed.simple)
      sections.push({
        heading: t.newClient,
        forms: [clientForm(ctx, typed.simple, base, t.create)],
      });
    if (typed.json !== undefined)
      sections.push({
        heading: t.createFromJson,
        forms: [jsonForm(ctx, `${base}/json`, t.create, typed.json)],
      });
    return kit.view(ctx, { heading: t.newClient, current: 'clients', notice, sections });
  };

  router.get('/clients/new', (ctx) =>
    newClientPage(ctx, {
      simple: { name: '', uris: '', confidential: true },
      json: JSON.stringify({ client_name: '', redirect_uris: [] }, null, 2),
    }),
  );

  // `client add` with every option: the metadata as the admin API's POST /clients body.
  router.post('/clients/json', async (ctx) => {
    const text = form(ctx).metadata ?? '';
    await kit.attempt(
      ctx,
      async () => {
        const created = await services.clients.create(jsonObject(text), kit.actorOf(ctx));
        await showClient(ctx, created.client_id, created.client_secret);
      },
      (notice) => newClientPage(ctx, { json: text }, notice),
    );
  });

  router.post('/clients', async (ctx) => {
    const f = form(ctx);
    const confidential = f.confidential === 'yes';
    await kit.attempt(
      ctx,
      async () => {
        const created = await services.clients.create(
          {
            client_name: f.client_name,
            redirect_uris: lines(f.redirect_uris),
            token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
          },
          kit.actorOf(ctx),
        );
        await showClient(ctx, created.client_id, created.client_secret);
      },
      (notice) =>
        newClientPage(
          ctx,
          { simple: { name: f.client_name ?? '', uris: f.redirect_uris ?? '', confidential } },
          notice,
        ),
    );
  });

  async function showClient(
    ctx: Context,
    id: string,
    secret?: string,
    notice?: ConsolePage['notice'],
    typedMetadata?: string,
  ): Promise<void> {
    const { t } = state(ctx);
    const client = await services.clients.get(id);
    const here = clientPath(client.client_id);
    const sections: ConsoleSection[] = [
      ...onceSecret(t, secret, t.secretTitle, t.clientSecret),
      {
        heading: client.client_name,
        facts: [
          { term: t.id, value: client.client_id },
          { term: t.grantTypes, value: client.grant_types.join(' ') },
          { term: 'token_endpoint_auth_method', value: client.token_endpoint_auth_method },
          { term: t.redirectUrisShort, value: client.redirect_uris.join(' ') || '–' },
        ],
        forms: [
          clientForm(
            ctx,
            {
              name: client.client_name,
              uris: client.redirect_uris.join('\n'),
              confidential: false,
            },
            here,
            t.save,
          ),
        ],
      },
      {
        heading: t.metadataJson,
        forms: [
          jsonForm(
            ctx,
            `${here}/metadata`,
            t.save,
            typedMetadata ?? JSON.stringify(metadataOf(client), null, 2),
          ),
        ],
      },
      {
        heading: t.rotateSecret,
        text: client.token_endpoint_auth_method.startsWith('client_secret')
          ? [t.rotateSecretHint]
          : [],
        links: [
          ...(client.token_endpoint_auth_method.startsWith('client_secret')
            ? [{ href: `${here}/rotate-secret`, label: t.rotateSecret }]
            : []),
          { href: `${here}/delete`, label: t.deleteClient },
        ],
      },
    ];
    // Never cached, never shown again: the secret is in this answer only (no-store, ASVS 14.3.2).
    await kit.view(ctx, {
      heading: client.client_name,
      current: 'clients',
      notice: notice ?? kit.savedNotice(ctx),
      sections,
    });
  }

  router.get('/clients/:id', async (ctx) => showClient(ctx, ctx.params.id ?? ''));

  const clientPage = {
    param: 'id',
    path: clientPath,
    show: (ctx: Context, id: string, notice: ConsolePage['notice']) =>
      showClient(ctx, id, undefined, notice),
  } satisfies RecordPage;

  router.post(
    '/clients/:id',
    kit.change(clientPage, (id, f, ctx) =>
      services.clients.update(
        id,
        { client_name: f.client_name, redirect_uris: lines(f.redirect_uris) },
        kit.actorOf(ctx),
      ),
    ),
  );

  // `client update` with every option (or `--replace`): the whole metadata, replaced as the admin
  // API's PUT replaces it; a change to a secret method issues a secret, shown on this answer.
  router.post('/clients/:id/metadata', async (ctx) => {
    const id = ctx.params.id ?? '';
    const text = form(ctx).metadata ?? '';
    await kit.attempt(
      ctx,
      async () => {
        const changed = await services.clients.replace(id, jsonObject(text), kit.actorOf(ctx));
        if (changed.client_secret !== undefined)
          await showClient(ctx, id, changed.client_secret, {
            kind: 'status',
            text: state(ctx).t.saved,
          });
        else kit.redirect(ctx, clientPath(id));
      },
      (notice) => showClient(ctx, id, undefined, notice, text),
    );
  });

  // Both after a confirmation: the old secret stops working at once, a deleted client at all.
  kit.confirmed(router, '/clients/:id/rotate-secret', {
    current: 'clients',
    async confirm(_ctx, id, t) {
      const client = await services.clients.get(id);
      return {
        key: client.client_id,
        heading: t.rotateSecretTitle,
        text: fill(t.rotateSecretConfirm, { name: client.client_name, id: client.client_id }),
        back: clientPath(client.client_id),
      };
    },
    async act(ctx, id) {
      const rotated = await services.clients.rotateSecret(id, kit.actorOf(ctx));
      await showClient(ctx, id, rotated.client_secret);
    },
  });

  kit.confirmed(router, '/clients/:id/delete', {
    current: 'clients',
    async confirm(_ctx, id, t) {
      const client = await services.clients.get(id);
      return {
        key: client.client_id,
        heading: t.deleteConfirmTitle,
        text: fill(t.deleteConfirm, { name: client.client_name, id: client.client_id }),
        submit: t.confirmDelete,
        back: clientPath(client.client_id),
      };
    },
    async act(ctx, id) {
      await services.clients.remove(id, kit.actorOf(ctx));
      // Back to the list without the "Saved." line.
      kit.redirect(ctx, base, false);
    },
  });
}
