import type { RoleView } from '../rbac/access-control-service.ts';
import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';

/** `portcullis role …` (issue 16): the admin API's role operations, audited alike. */

const describeOption = {
  description: {
    type: 'string',
    value: '<text>',
    description: 'what holders of the role may do (at most 200 characters)',
  },
} as const;

const roleAdd = defineCommand({
  name: 'role add',
  summary: 'create a role',
  description: [
    'Creates a role. Its name is what tokens carry in the "roles" claim and what "api update --role-scope" grants API scopes to; it never changes.',
  ],
  positionals: ['<name>'],
  options: describeOption,
  json: 'print the role as JSON',
  examples: ['portcullis role add orders-reader --description "May read orders"'],
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const role = await admin.access.roles.create(
        { name, ...(values.description === undefined ? {} : { description: values.description }) },
        cliActor(),
      );
      if (values.json) writeJson(io, role);
      else writeLines(io, `created role ${role.name}`);
      return EXIT.ok;
    }),
});

const roleList = defineCommand({
  name: 'role list',
  summary: 'list roles',
  description: ['Lists roles, ordered by name, one page at a time.'],
  options: pageOptions('roles'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);
    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const page = await admin.access.roles.list({ cursor: values.cursor, limit });
      return printPage<RoleView>(io, page, values.json, {
        empty: 'no roles',
        headers: ['NAME', 'DESCRIPTION', 'CREATED'],
        row: (r) => [r.name, r.description || '-', formatTime(r.created_at)],
        command: 'portcullis role list',
      });
    });
  },
});

const roleShow = defineCommand({
  name: 'role show',
  summary: 'show a role',
  description: ['Shows a role by name.'],
  positionals: ['<name>'],
  json: 'print the role as JSON',
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const role = await (await openAdminServices(services)).access.roles.get(name);
      if (values.json) writeJson(io, role);
      else
        writeLines(
          io,
          `name:        ${role.name}`,
          `description: ${role.description || '-'}`,
          `created:     ${formatTime(role.created_at)}`,
          `updated:     ${formatTime(role.updated_at)}`,
        );
      return EXIT.ok;
    }),
});

const roleUpdate = defineCommand({
  name: 'role update',
  summary: "change a role's description",
  description: ["Changes a role's description (its name never changes)."],
  positionals: ['<name>'],
  options: { description: { ...describeOption.description, required: true } },
  json: 'print the role as JSON',
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const role = await admin.access.roles.update(
        name,
        { description: values.description ?? '' },
        cliActor(),
      );
      if (values.json) writeJson(io, role);
      else writeLines(io, `updated role ${role.name}`);
      return EXIT.ok;
    }),
});

const roleRemove = defineCommand({
  name: 'role remove',
  summary: 'delete a role',
  description: [
    'Deletes a role: users and groups stop holding it, and tokens issued from now on no longer carry it (tokens already issued keep what they say until they expire).',
  ],
  positionals: ['<name>'],
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).access.roles.remove(name, cliActor());
      writeLines(io, `deleted role ${name}`);
      return EXIT.ok;
    }),
});

export const ROLE_COMMANDS: CommandGroup = {
  name: 'role',
  summary: 'add, list, show, update and remove roles',
  description: [
    'Roles are what tokens carry in the "roles" claim (scope "roles"), and what API scopes are granted to ("api update --role-scope"). Users hold them directly ("user roles") or through groups ("group update --add-role").',
  ],
  commands: [roleAdd, roleList, roleShow, roleUpdate, roleRemove],
};
