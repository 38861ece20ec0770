import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Actor } from '../admin/audit-log.ts';
import type { ConsoleKit, RecordPage } from './console-kit.ts';
import type { ConsoleForm } from './console-view-model.ts';

/**
 * The forms that give and take directly held roles (a group's page, a user's page): a choice of
 * the roles not held posted to `<base>/roles/add`, one of those held to `<base>/roles/remove`;
 * each only when it has a choice to offer.
 */
export function roleAssignmentForms(
  kit: ConsoleKit,
  ctx: Context,
  base: string,
  roles: { all: string[]; held: string[] },
): ConsoleForm[] {
  const { t } = kit.state(ctx);
  const form = (action: 'add' | 'remove', submit: string, names: string[]): ConsoleForm =>
    kit.post(ctx, `${base}/roles/${action}`, submit, {
      label: submit,
      fields: [
        {
          name: 'role',
          label: t.role,
          type: 'select',
          value: '',
          required: true,
          options: names.map((n) => ({ value: n, label: n })),
        },
      ],
    });
  const unheld = roles.all.filter((n) => !roles.held.includes(n));
  return [
    ...(unheld.length > 0 ? [form('add', t.giveRole, unheld)] : []),
    ...(roles.held.length > 0 ? [form('remove', t.takeRole, roles.held)] : []),
  ];
}

/**
 * The routes those forms post to, under `route` (the record's page, as `/groups/:name`): each
 * one audited service call (`assignRole`, `unassignRole`), then back to the record's page.
 */
export function roleAssignmentRoutes(
  router: Router,
  kit: ConsoleKit,
  route: string,
  page: RecordPage,
  service: {
    assignRole(key: string, role: unknown, who: Actor): Promise<unknown>;
    unassignRole(key: string, role: unknown, who: Actor): Promise<unknown>;
  },
): void {
  router.post(
    `${route}/roles/add`,
    kit.change(page, (key, f, ctx) => service.assignRole(key, f.role, kit.actorOf(ctx))),
  );
  router.post(
    `${route}/roles/remove`,
    kit.change(page, (key, f, ctx) => service.unassignRole(key, f.role, kit.actorOf(ctx))),
  );
}
