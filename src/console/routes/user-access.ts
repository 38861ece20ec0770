import type { Router } from '@koa/router';
import { AppError } from '../../errors/app-error.ts';
import { attributeTextValue } from '../../rbac/attribute-text-value.ts';
import type { AttributeValue } from '../../storage/access-control-port.ts';
import type { ConsoleKit } from '../console-kit.ts';
import { roleAssignmentRoutes } from '../role-assignment.ts';
import { createUserPage } from './user-page.ts';

/**
 * A user's roles and custom attributes (issue 16; `portcullis user roles|attributes`): give or
 * take a directly held role, set or clear attribute values (read from text as the CLI reads
 * `--set name=value`). Audited as `admin.user.role_*` and `admin.user.attributes_updated`.
 */
export function userAccessRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const userPage = createUserPage(kit);

  roleAssignmentRoutes(router, kit, '/users/:id', userPage, services.access.users);

  router.post(
    '/users/:id/attributes',
    kit.change(userPage, async (id, f, ctx) => {
      const [definitions, current] = await Promise.all([
        services.access.attributes.list(),
        services.access.users.get(id),
      ]);
      // Only what changed: an emptied field removes the value (RFC 7396 merge patch null).
      const patch: Record<string, AttributeValue | null> = {};
      for (const definition of definitions) {
        const text = f[`attr_${definition.name}`];
        if (text === undefined) continue;
        const had = current.attributes[definition.name];
        if (text.trim() === '') {
          if (had !== undefined) patch[definition.name] = null;
          continue;
        }
        const value = attributeTextValue(definition, text);
        if (JSON.stringify(value) !== JSON.stringify(had)) patch[definition.name] = value;
      }
      if (Object.keys(patch).length === 0)
        throw new AppError('invalid_input', { attributes: 'nothing changed' });
      return services.access.users.setAttributes(id, patch, kit.actorOf(ctx));
    }),
  );
}
