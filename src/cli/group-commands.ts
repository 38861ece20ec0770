import type { AdminServices } from '../admin/admin-services.ts';
import type { GroupView } from '../rbac/access-control-service.ts';
import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';

/** `portcullis group …` (issue 16): the admin API's group operations, audited alike. */

function describeGroup(group: GroupView): string[] {
  return [
    `name:        ${group.name}`,
    `description: ${group.description || '-'}`,
    `roles:       ${group.roles.join(' ') || '-'}`,
    `users:       ${group.members.users.join(' ') || '-'}`,
    `groups:      ${group.members.groups.join(' ') || '-'}`,
    `created:     ${formatTime(group.created_at)}`,
  ];
}

const groupAdd = defineCommand({
  name: 'group add',
  summary: 'create a group',
  description: [
    'Creates a group. Roles given to the group ("group update --add-role") are held by every member, also through groups nested in it.',
  ],
  positionals: ['<name>'],
  options: {
    description: { type: 'string', value: '<text>', description: 'what the group is' },
  },
  json: 'print the group as JSON',
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const group = await admin.access.groups.create(
        { name, ...(values.description === undefined ? {} : { description: values.description }) },
        cliActor(),
      );
      if (values.json) writeJson(io, group);
      else writeLines(io, `created group ${group.name}`);
      return EXIT.ok;
    }),
});

const groupList = defineCommand({
  name: 'group list',
  summary: 'list groups',
  description: ['Lists groups with their roles and number of direct members, ordered by name.'],
  options: pageOptions('groups'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);
    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const page = await admin.access.groups.list({ cursor: values.cursor, limit });
      return printPage<GroupView>(io, page, values.json, {
        empty: 'no groups',
        headers: ['NAME', 'ROLES', 'USERS', 'GROUPS'],
        row: (g) => [
          g.name,
          g.roles.join(' ') || '-',
          String(g.members.users.length),
          g.members.groups.join(' ') || '-',
        ],
        command: 'portcullis group list',
      });
    });
  },
});

const groupShow = defineCommand({
  name: 'group show',
  summary: 'show a group, its roles and members',
  description: ['Shows a group: its roles and its direct members (user ids and groups).'],
  positionals: ['<name>'],
  json: 'print the group as JSON',
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const group = await (await openAdminServices(services)).access.groups.get(name);
      if (values.json) writeJson(io, group);
      else writeLines(io, ...describeGroup(group));
      return EXIT.ok;
    }),
});

async function userId(admin: AdminServices, login: string): Promise<string> {
  return (await admin.users.findByLogin(login)).id;
}

const groupUpdate = defineCommand({
  name: 'group update',
  summary: "change a group's description, members and roles",
  description: [
    'Applies the changes in this order: description, members added, members removed, roles added, roles removed. Each change is checked (unknown users, groups and roles, a group inside itself) and audited; a refused change stops the command, and the changes before it stay made.',
  ],
  positionals: ['<name>'],
  options: {
    description: { type: 'string', value: '<text>', description: 'a new description' },
    'add-user': {
      type: 'string',
      multiple: true,
      value: '<username|email>',
      description: 'add a user',
    },
    'remove-user': {
      type: 'string',
      multiple: true,
      value: '<username|email>',
      description: 'remove a user',
    },
    'add-group': {
      type: 'string',
      multiple: true,
      value: '<group>',
      description: 'nest a group in this one: its members become members too',
    },
    'remove-group': {
      type: 'string',
      multiple: true,
      value: '<group>',
      description: 'remove a nested group',
    },
    'add-role': {
      type: 'string',
      multiple: true,
      value: '<role>',
      description: 'give the group a role',
    },
    'remove-role': {
      type: 'string',
      multiple: true,
      value: '<role>',
      description: 'take a role from the group',
    },
  },
  json: 'print the group as JSON',
  examples: ['portcullis group update support --add-user alice --add-role orders-reader'],
  run: async ({ values, positionals: [name = ''], usage }, io) => {
    const changes = [
      values.description,
      values['add-user'],
      values['remove-user'],
      values['add-group'],
      values['remove-group'],
      values['add-role'],
      values['remove-role'],
    ].filter((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));
    if (changes.length === 0) throw new UsageError('nothing to change', usage);
    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const who = cliActor();
      const groups = admin.access.groups;
      let group = await groups.get(name);
      if (values.description !== undefined)
        group = await groups.update(name, { description: values.description }, who);
      for (const login of values['add-user'] ?? [])
        group = await groups.addMember(name, { user: await userId(admin, login) }, who);
      for (const login of values['remove-user'] ?? [])
        group = await groups.removeMember(name, { user: await userId(admin, login) }, who);
      for (const member of values['add-group'] ?? [])
        group = await groups.addMember(name, { group: member }, who);
      for (const member of values['remove-group'] ?? [])
        group = await groups.removeMember(name, { group: member }, who);
      for (const role of values['add-role'] ?? []) group = await groups.assignRole(name, role, who);
      for (const role of values['remove-role'] ?? [])
        group = await groups.unassignRole(name, role, who);
      if (values.json) writeJson(io, group);
      else writeLines(io, `updated group ${group.name}`, ...describeGroup(group));
      return EXIT.ok;
    });
  },
});

const groupRemove = defineCommand({
  name: 'group remove',
  summary: 'delete a group',
  description: [
    'Deletes a group: its members stop holding its roles from their next token on. Users and nested groups themselves stay.',
  ],
  positionals: ['<name>'],
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).access.groups.remove(name, cliActor());
      writeLines(io, `deleted group ${name}`);
      return EXIT.ok;
    }),
});

export const GROUP_COMMANDS: CommandGroup = {
  name: 'group',
  summary: 'add, list, show, update and remove groups of users',
  commands: [groupAdd, groupList, groupShow, groupUpdate, groupRemove],
};
