import type { Router } from '@koa/router';
import { CONSOLE_PATH } from '../console-auth.ts';
import { cell, enc, type ConsoleKit } from '../console-kit.ts';
import { namedRecordPages } from '../named-record-pages.ts';
import { roleAssignmentForms, roleAssignmentRoutes } from '../role-assignment.ts';
import type { ConsoleField, ConsoleSection } from '../console-view-model.ts';

/**
 * Groups (issue 16; `portcullis group add|list|show|update|remove`): list and create; a group's
 * page with its description, members (users and nested groups) and roles, each change one
 * audited service call (`admin.group.*`) as `group update` makes them; delete after a
 * confirmation.
 */
export function groupRoutes(router: Router, kit: ConsoleKit): void {
  const { services } = kit.deps;
  const { state, post } = kit;

  const groupPage = namedRecordPages(router, kit, {
    section: 'groups',
    service: services.access.groups,
    words: (t) => ({
      plural: t.groups,
      create: t.newGroup,
      title: t.groupTitle,
      remove: t.deleteGroup,
      removeTitle: t.deleteGroupTitle,
      removeConfirm: t.deleteGroupConfirm,
    }),
    columns: {
      headers: (t) => [t.roles, t.members],
      cells: (g) => [
        cell(g.roles.join(' ') || '–'),
        cell(String(g.members.users.length + g.members.groups.length)),
      ],
    },
    facts: (t, group) => [{ term: t.roles, value: group.roles.join(' ') || '–' }],
    async sections(ctx, group, here): Promise<ConsoleSection[]> {
      const { t } = state(ctx);
      const roles = await services.access.roles.list({ limit: 100 });
      const users = await Promise.all(
        group.members.users.slice(0, 200).map(async (id) => {
          const user = await services.users.get(id).catch(() => undefined);
          return { id, username: user?.username ?? id };
        }),
      );
      const memberFields = (): ConsoleField[] => [
        { name: 'user', label: t.memberUser, type: 'text', value: '', autocomplete: 'off' },
        { name: 'group', label: t.memberGroup, type: 'text', value: '', autocomplete: 'off' },
      ];
      const roleChanges = roleAssignmentForms(kit, ctx, here, {
        all: roles.items.map((r) => r.name),
        held: group.roles,
      });
      return [
        {
          heading: t.members,
          table: {
            caption: t.members,
            headers: [t.kind, t.name],
            rows: [
              ...users.map((u) => [
                cell(t.user),
                cell(u.username, `${CONSOLE_PATH}/users/${enc(u.id)}`),
              ]),
              ...group.members.groups.map((g) => [cell(t.group), cell(g, groupPage.path(g))]),
            ],
            empty: t.noMembers,
          },
          forms: [
            post(ctx, `${here}/members/add`, t.addMember, {
              label: t.addMember,
              hint: t.memberHint,
              fields: memberFields(),
            }),
            post(ctx, `${here}/members/remove`, t.removeMember, {
              label: t.removeMember,
              fields: memberFields(),
            }),
          ],
        },
        {
          heading: t.roles,
          forms: roleChanges,
          text: roleChanges.length === 0 ? [t.noRolesYet] : [],
        },
      ];
    },
  });

  /** A member as the service takes it: a user by username or email (as the CLI), or a group. */
  async function member(f: Record<string, string>) {
    const user = (f.user ?? '').trim();
    const group = (f.group ?? '').trim();
    return {
      ...(user ? { user: (await services.users.findByLogin(user)).id } : {}),
      ...(group ? { group } : {}),
    };
  }

  // The changes of `group update` beyond the description, each back to the group's page.
  router.post(
    '/groups/:name/members/add',
    kit.change(groupPage, async (name, f, ctx) =>
      services.access.groups.addMember(name, await member(f), kit.actorOf(ctx)),
    ),
  );
  router.post(
    '/groups/:name/members/remove',
    kit.change(groupPage, async (name, f, ctx) =>
      services.access.groups.removeMember(name, await member(f), kit.actorOf(ctx)),
    ),
  );
  roleAssignmentRoutes(router, kit, '/groups/:name', groupPage, services.access.groups);
}
