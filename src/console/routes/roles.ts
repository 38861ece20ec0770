import type { Router } from '@koa/router';
import type { ConsoleKit } from '../console-kit.ts';
import { namedRecordPages } from '../named-record-pages.ts';

/**
 * Roles (issue 16; `portcullis role add|list|show|update|remove`): list and create, a role's page
 * with its description, delete after a confirmation. Through `services.access.roles`, audited as
 * `admin.role.*`.
 */
export function roleRoutes(router: Router, kit: ConsoleKit): void {
  namedRecordPages(router, kit, {
    section: 'roles',
    service: kit.deps.services.access.roles,
    words: (t) => ({
      plural: t.roles,
      create: t.newRole,
      title: t.roleTitle,
      remove: t.deleteRole,
      removeTitle: t.deleteRoleTitle,
      removeConfirm: t.deleteRoleConfirm,
    }),
  });
}
