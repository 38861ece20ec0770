import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { TOKEN_FORMATS } from '../../resources/resource-server-input.ts';
import type { ResourceServerView } from '../../resources/resource-server-service.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import {
  cell,
  cursorOf,
  enc,
  fill,
  lines,
  listSection,
  nextPage,
  wholeNumber,
  words,
  type ConsoleKit,
} from '../console-kit.ts';
import type { ConsoleField, ConsolePage } from '../console-view-model.ts';

/** The form's text fields of an API, as typed (or as the stored API shows them). */
interface ApiText {
  identifier: string;
  name: string;
  token_format: string;
  access_token_ttl: string;
  signing_alg: string;
  scopes: string;
  introspection_client_ids: string;
  client_credentials_grants: string;
  role_scopes: string;
}

const EMPTY: ApiText = {
  identifier: '',
  name: '',
  token_format: 'jwt',
  access_token_ttl: '',
  signing_alg: '',
  scopes: '',
  introspection_client_ids: '',
  client_credentials_grants: '',
  role_scopes: '',
};

function asText(api: ResourceServerView): ApiText {
  return {
    identifier: api.identifier,
    name: api.name,
    token_format: api.token_format,
    access_token_ttl: api.access_token_ttl === undefined ? '' : String(api.access_token_ttl),
    signing_alg: api.signing_alg,
    scopes: api.scopes.map((s) => `${s.name} ${s.description}`.trim()).join('\n'),
    introspection_client_ids: api.introspection_client_ids.join('\n'),
    client_credentials_grants: api.client_credentials_grants
      .map((g) => [g.client_id, ...g.scopes].join(' '))
      .join('\n'),
    role_scopes: (api.role_scopes ?? []).map((r) => [r.role, ...r.scopes].join(' ')).join('\n'),
  };
}

/** "first rest…" lines, as the CLI's `--scope "<name> [description]"` and `--grant` read them. */
const headed = (text: string | undefined) =>
  lines(text).map((line) => {
    const [head = '', ...rest] = line.split(/\s+/);
    return { head, rest };
  });

/**
 * The form as the resource-server input (the service's zod schema checks every value), with the
 * lifetime and role scopes apart: creating leaves them out when empty, a change removes them.
 */
function asInput(f: Record<string, string>) {
  return {
    input: {
      name: f.name ?? '',
      token_format: f.token_format ?? 'jwt',
      scopes: lines(f.scopes).map((line) => {
        const space = line.search(/\s/);
        return space < 0
          ? { name: line }
          : { name: line.slice(0, space), description: line.slice(space + 1).trim() };
      }),
      introspection_client_ids: words(f.introspection_client_ids),
      client_credentials_grants: headed(f.client_credentials_grants).map((g) => ({
        client_id: g.head,
        scopes: g.rest,
      })),
      ...(f.signing_alg ? { signing_alg: f.signing_alg } : {}),
    },
    ttl: wholeNumber(f.access_token_ttl),
    roleScopes: headed(f.role_scopes).map((r) => ({ role: r.head, scopes: r.rest })),
  };
}

/**
 * APIs (resource servers, RFC 8707; `portcullis api add|list|show|update|remove`): list, register,
 * an API's page to change it (every field the CLI's options change, as whole lists), delete after
 * a confirmation. Through the API admin service: the same rules and `admin.api.*` audit entries.
 */
export function apiRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const base = `${CONSOLE_PATH}/apis`;

  function fields(ctx: Context, v: ApiText, creating: boolean): ConsoleField[] {
    const { t } = state(ctx);
    return [
      ...(creating
        ? [
            {
              name: 'identifier',
              label: t.identifier,
              type: 'text' as const,
              value: v.identifier,
              required: true,
              hint: t.identifierHint,
            },
          ]
        : []),
      { name: 'name', label: t.name, type: 'text', value: v.name, required: true },
      {
        name: 'token_format',
        label: t.tokenFormat,
        type: 'select',
        value: v.token_format,
        options: TOKEN_FORMATS.map((f) => ({ value: f, label: f })),
      },
      {
        name: 'access_token_ttl',
        label: t.accessTokenTtl,
        type: 'text',
        value: v.access_token_ttl,
        hint: t.accessTokenTtlHint,
      },
      {
        name: 'signing_alg',
        label: t.signingAlg,
        type: 'text',
        value: v.signing_alg,
        hint: t.signingAlgHint,
      },
      {
        name: 'scopes',
        label: t.apiScopes,
        type: 'textarea',
        value: v.scopes,
        hint: t.apiScopesHint,
      },
      {
        name: 'introspection_client_ids',
        label: t.introspectionClients,
        type: 'textarea',
        value: v.introspection_client_ids,
        hint: t.introspectionClientsHint,
      },
      {
        name: 'client_credentials_grants',
        label: t.clientGrants,
        type: 'textarea',
        value: v.client_credentials_grants,
        hint: t.clientGrantsHint,
      },
      {
        name: 'role_scopes',
        label: t.roleScopes,
        type: 'textarea',
        value: v.role_scopes,
        hint: t.roleScopesHint,
      },
    ];
  }

  router.get('/apis', async (ctx) => {
    const { t } = state(ctx);
    const result = await services.apis.list({ cursor: cursorOf(ctx), limit: 100 });
    await kit.view(ctx, {
      heading: t.apis,
      current: 'apis',
      notice: kit.savedNotice(ctx),
      sections: [
        listSection(
          t,
          t.apis,
          {
            headers: [t.name, t.identifier, t.tokenFormat, t.scopes],
            rows: result.items.map((a) => [
              cell(a.name, `${base}/${enc(a.id)}`),
              cell(a.identifier),
              cell(a.token_format),
              cell(a.scopes.map((s) => s.name).join(' ')),
            ]),
            next: nextPage(t, base, result.nextCursor),
          },
          { links: [{ href: `${base}/new`, label: t.newApi }] },
        ),
      ],
    });
  });

  const newPage = (ctx: Context, values: ApiText, notice?: ConsolePage['notice']) => {
    const { t } = state(ctx);
    return kit.view(ctx, {
      heading: t.newApi,
      current: 'apis',
      notice,
      sections: [
        {
          heading: t.newApi,
          forms: [
            post(ctx, base, t.create, { label: t.newApi, fields: fields(ctx, values, true) }),
          ],
        },
      ],
    });
  };

  router.get('/apis/new', (ctx) => newPage(ctx, EMPTY));

  router.post('/apis', async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const { input, ttl, roleScopes } = asInput(f);
        const api = await services.apis.create(
          {
            identifier: f.identifier ?? '',
            ...input,
            ...(ttl === undefined ? {} : { access_token_ttl: ttl }),
            ...(roleScopes.length > 0 ? { role_scopes: roleScopes } : {}),
          },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, `${base}/${enc(api.id)}`);
      },
      (notice) => newPage(ctx, { ...EMPTY, ...f }, notice),
    );
  });

  async function show(ctx: Context, id: string, notice?: ConsolePage['notice'], typed?: ApiText) {
    const { t } = state(ctx);
    const api = await services.apis.get(id);
    const here = `${base}/${enc(api.id)}`;
    await kit.view(ctx, {
      heading: fill(t.apiTitle, { name: api.name }),
      current: 'apis',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        {
          heading: api.name,
          facts: [
            { term: t.id, value: api.id },
            { term: t.identifier, value: api.identifier },
            { term: t.tokenFormat, value: api.token_format },
            { term: t.signingAlg, value: api.signing_alg },
            { term: t.scopes, value: api.scopes.map((s) => s.name).join(' ') || '–' },
          ],
          forms: [
            post(ctx, here, t.save, {
              label: t.save,
              fields: fields(ctx, typed ?? asText(api), false),
            }),
          ],
          links: [{ href: `${here}/delete`, label: t.deleteApi }],
        },
      ],
    });
  }

  router.get('/apis/:id', (ctx) => show(ctx, ctx.params.id ?? ''));

  router.post('/apis/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        const { input, ttl, roleScopes } = asInput(f);
        // An RFC 7396 merge patch of the whole form: `null` goes back to the default lifetime
        // and removes the role scopes (every user may then get every scope).
        const api = await services.apis.update(
          id,
          {
            ...input,
            access_token_ttl: ttl ?? null,
            role_scopes: roleScopes.length > 0 ? roleScopes : null,
          },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, `${base}/${enc(api.id)}`);
      },
      (notice) => show(ctx, id, notice, { ...EMPTY, ...f }),
    );
  });

  kit.confirmed(router, '/apis/:id/delete', {
    current: 'apis',
    async confirm(_ctx, id, t) {
      const api = await services.apis.get(id);
      return {
        key: api.id,
        heading: t.deleteApiTitle,
        text: fill(t.deleteApiConfirm, { name: api.name, identifier: api.identifier }),
        back: `${base}/${enc(api.id)}`,
      };
    },
    async act(ctx, id) {
      await services.apis.remove(id, kit.actorOf(ctx));
      kit.redirect(ctx, base);
    },
  });
}
