import type { Router } from '@koa/router';
import { cell, type ConsoleKit } from '../console-kit.ts';

/** APIs (resource servers, RFC 8707). */
export function apiRoutes(router: Router, kit: ConsoleKit): void {
  const { page, show, state } = kit;
  const { services } = kit.deps;

  router.get('/apis', async (ctx) => {
    const { t, session } = state(ctx);
    const result = await services.apis.list({ limit: 100 });
    await show(
      ctx,
      200,
      page(ctx, {
        heading: t.apis,
        current: 'apis',
        session,
        sections: [
          {
            heading: t.apis,
            table: {
              caption: t.apis,
              headers: [t.name, t.identifier, t.tokenFormat, t.scopes],
              rows: result.items.map((a) => [
                cell(a.name),
                cell(a.identifier),
                cell(a.token_format),
                cell(a.scopes.map((s) => s.name).join(' ')),
              ]),
              empty: t.nothing,
            },
          },
        ],
      }),
    );
  });
}
