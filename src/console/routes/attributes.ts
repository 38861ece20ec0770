import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { ATTRIBUTE_TYPES } from '../../rbac/access-control-schemas.ts';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, enc, fill, listSection, type ConsoleKit } from '../console-kit.ts';
import type { ConsolePage } from '../console-view-model.ts';
import { descriptionField, nameField, namedInput } from '../named-record-pages.ts';

/**
 * Custom account attributes (issue 16; `portcullis attribute define|list|remove`): the
 * definitions, a form to define one, removal after a confirmation. Values are set on a user's
 * page (./user-access.ts). Audited as `admin.attribute.*`.
 */
export function attributeRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post, form } = kit;
  const base = `${CONSOLE_PATH}/attributes`;

  async function list(
    ctx: Context,
    notice?: ConsolePage['notice'],
    values = { name: '', type: 'string', description: '' },
  ) {
    const { t } = state(ctx);
    const definitions = await services.access.attributes.list();
    await kit.view(ctx, {
      heading: t.attributes,
      current: 'attributes',
      notice: notice ?? kit.savedNotice(ctx),
      sections: [
        listSection(t, t.attributes, {
          headers: [t.name, t.type, t.description, t.actions],
          rows: definitions.map((d) => [
            cell(d.name),
            cell(d.type),
            cell(d.description || '–'),
            cell(t.remove, `${base}/${enc(d.name)}/delete`),
          ]),
        }),
        {
          heading: t.defineAttribute,
          forms: [
            post(ctx, base, t.defineAttribute, {
              label: t.defineAttribute,
              fields: [
                nameField(t, values.name, t.attributeNameHint),
                {
                  name: 'type',
                  label: t.type,
                  type: 'select',
                  value: values.type,
                  options: ATTRIBUTE_TYPES.map((v) => ({ value: v, label: v })),
                },
                descriptionField(t, values.description),
              ],
            }),
          ],
        },
      ],
    });
  }

  router.get('/attributes', (ctx) => list(ctx));

  router.post('/attributes', async (ctx) => {
    const f = form(ctx);
    await kit.attempt(
      ctx,
      async () => {
        await services.access.attributes.define(
          { ...namedInput(f), type: f.type },
          kit.actorOf(ctx),
        );
        kit.redirect(ctx, base);
      },
      (notice) =>
        list(ctx, notice, {
          name: f.name ?? '',
          type: f.type ?? 'string',
          description: f.description ?? '',
        }),
    );
  });

  kit.confirmed(router, '/attributes/:name/delete', {
    current: 'attributes',
    async confirm(ctx, name, t) {
      const definition = (await services.access.attributes.list()).find((d) => d.name === name);
      if (definition === undefined) {
        await list(ctx, { kind: 'alert', text: t.noSuchAttribute });
        ctx.status = 404;
        return undefined;
      }
      return {
        key: definition.name,
        heading: t.removeAttributeTitle,
        text: fill(t.removeAttributeConfirm, { name: definition.name }),
        back: base,
      };
    },
    async act(ctx, name) {
      await services.access.attributes.remove(name, kit.actorOf(ctx));
      kit.redirect(ctx, base);
    },
  });
}
