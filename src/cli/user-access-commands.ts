import { AppError } from '../errors/app-error.ts';
import type { UserAccessView } from '../rbac/access-control-service.ts';
import { attributeTextValue } from '../rbac/attribute-text-value.ts';
import type { AttributeValue } from '../storage/access-control-port.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { withServices } from './with-services.ts';
import { writeJson, writeLines } from './write-output.ts';

/**
 * `portcullis user roles …` and `user attributes …` (issue 16), and `portcullis attribute …`:
 * the admin API's operations on a user's roles and custom attributes, audited alike.
 */

function describeAccess(view: UserAccessView): string[] {
  return [
    `roles:           ${view.roles.join(' ') || '-'}`,
    `groups:          ${view.groups.join(' ') || '-'}`,
    `effective roles: ${view.effective_roles.join(' ') || '-'}`,
    `effective groups: ${view.effective_groups.join(' ') || '-'}`,
    ...Object.entries(view.attributes).map(([k, v]) => `attribute ${k}: ${JSON.stringify(v)}`),
  ];
}

export const userRoles = defineCommand({
  name: 'user roles',
  summary: "show a user's roles and groups; give or take roles",
  description: [
    "Without options, shows the user's own roles, groups, and effective roles (own plus every group's, through nested groups: what tokens carry). --add and --remove change the roles held directly; each change is audited.",
  ],
  positionals: ['<username|email>'],
  options: {
    add: {
      type: 'string',
      multiple: true,
      value: '<role>',
      description: 'give the user a role',
    },
    remove: {
      type: 'string',
      multiple: true,
      value: '<role>',
      description: 'take a directly held role',
    },
  },
  json: "print the user's access as JSON",
  examples: ['portcullis user roles alice --add orders-reader'],
  run: async ({ values, positionals: [login = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const { id } = await admin.users.findByLogin(login);
      let view = await admin.access.users.get(id);
      for (const role of values.add ?? [])
        view = await admin.access.users.assignRole(id, role, cliActor());
      for (const role of values.remove ?? [])
        view = await admin.access.users.unassignRole(id, role, cliActor());
      if (values.json) writeJson(io, view);
      else writeLines(io, ...describeAccess(view));
      return EXIT.ok;
    }),
});

export const userAttributes = defineCommand({
  name: 'user attributes',
  summary: "show or set a user's custom attributes",
  description: [
    'Sets (--set name=value) or removes (--unset name) custom attribute values, each checked against the type its definition gives ("portcullis attribute define"); lists are comma-separated. Without options, shows the values.',
  ],
  positionals: ['<username|email>'],
  options: {
    set: {
      type: 'string',
      multiple: true,
      value: '<name=value>',
      description: 'set a value',
    },
    unset: {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'remove a value',
    },
  },
  json: "print the user's access and attributes as JSON",
  examples: ['portcullis user attributes alice --set department=Logistics'],
  run: async ({ values, positionals: [login = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const { id } = await admin.users.findByLogin(login);
      const definitions = new Map((await admin.access.attributes.list()).map((d) => [d.name, d]));
      const patch: Record<string, AttributeValue | null> = {};
      for (const pair of values.set ?? []) {
        const at = pair.indexOf('=');
        const name = at < 0 ? pair : pair.slice(0, at);
        const definition = definitions.get(name);
        if (at < 0 || !definition)
          throw new AppError('invalid_input', {
            [name.slice(0, 64)]: at < 0 ? 'must be name=value' : 'is not a defined attribute',
          });
        patch[name] = attributeTextValue(definition, pair.slice(at + 1));
      }
      for (const name of values.unset ?? []) patch[name] = null;
      const view =
        Object.keys(patch).length > 0
          ? await admin.access.users.setAttributes(id, patch, cliActor())
          : await admin.access.users.get(id);
      if (values.json) writeJson(io, view);
      else writeLines(io, ...describeAccess(view));
      return EXIT.ok;
    }),
});

const attributeDefine = defineCommand({
  name: 'attribute define',
  summary: 'define a typed custom account attribute',
  description: [
    'Defines an attribute admins may set on users ("user attributes") and clients may release through their claim mapping (client metadata "claim_mappings"). Names are lower-case letters, digits and "_", never a protocol claim (sub, iss, aud, ...).',
  ],
  positionals: ['<name>'],
  options: {
    type: {
      type: 'string',
      value: '<string|number|boolean|string[]>',
      required: true,
      description: 'the type every value is checked against',
    },
    description: { type: 'string', value: '<text>', description: 'what the attribute holds' },
  },
  json: 'print the definition as JSON',
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const definition = await admin.access.attributes.define(
        {
          name,
          type: values.type,
          ...(values.description === undefined ? {} : { description: values.description }),
        },
        cliActor(),
      );
      if (values.json) writeJson(io, definition);
      else writeLines(io, `defined attribute ${definition.name} (${definition.type})`);
      return EXIT.ok;
    }),
});

const attributeList = defineCommand({
  name: 'attribute list',
  summary: 'list custom account attributes',
  description: ['Lists the defined attributes and their types.'],
  json: 'print the definitions as JSON',
  run: async ({ values }, io) =>
    withServices(io, values.verbose, async (services) => {
      const list = await (await openAdminServices(services)).access.attributes.list();
      if (values.json) writeJson(io, list);
      else if (list.length === 0) writeLines(io, 'no attributes');
      else writeLines(io, ...list.map((d) => `${d.name} (${d.type}) ${d.description}`.trim()));
      return EXIT.ok;
    }),
});

const attributeRemove = defineCommand({
  name: 'attribute remove',
  summary: 'remove an attribute definition',
  description: ['Removes a definition: values already set are no longer released in any claim.'],
  positionals: ['<name>'],
  run: async ({ values, positionals: [name = ''] }, io) =>
    withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).access.attributes.remove(name, cliActor());
      writeLines(io, `removed attribute ${name}`);
      return EXIT.ok;
    }),
});

export const ATTRIBUTE_COMMANDS: CommandGroup = {
  name: 'attribute',
  summary: 'define, list and remove custom account attributes',
  commands: [attributeDefine, attributeList, attributeRemove],
};
