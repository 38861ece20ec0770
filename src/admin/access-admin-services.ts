import type { AccessControlService } from '../rbac/access-control-service.ts';
import type { ListOptions } from '../storage/ports.ts';
import type { Actor, AuditLog } from './audit-log.ts';

/**
 * The admin operations on roles, groups and custom attributes (issue 16): the access-control
 * service's, each write recorded in the audit log as `admin.role.*`, `admin.group.*`,
 * `admin.user.role_*`, `admin.user.attributes_updated` or `admin.attribute.*`.
 */
export function createAccessAdminServices(deps: {
  access: AccessControlService;
  audit: Pick<AuditLog, 'record'>;
}) {
  const { access, audit } = deps;
  return {
    roles: {
      get: access.roles.get,
      list: (options: ListOptions) => access.roles.list(options),
      async create(input: unknown, who: Actor) {
        const role = await access.roles.create(input);
        await audit.record(who, { type: 'admin.role.created', details: { role: role.name } });
        return role;
      },
      async update(name: string, input: unknown, who: Actor) {
        const role = await access.roles.update(name, input);
        await audit.record(who, { type: 'admin.role.updated', details: { role: role.name } });
        return role;
      },
      async remove(name: string, who: Actor) {
        await access.roles.remove(name);
        await audit.record(who, { type: 'admin.role.deleted', details: { role: name } });
      },
    },
    groups: {
      get: access.groups.get,
      list: (options: ListOptions) => access.groups.list(options),
      async create(input: unknown, who: Actor) {
        const group = await access.groups.create(input);
        await audit.record(who, { type: 'admin.group.created', details: { group: group.name } });
        return group;
      },
      async update(name: string, input: unknown, who: Actor) {
        const group = await access.groups.update(name, input);
        await audit.record(who, { type: 'admin.group.updated', details: { group: group.name } });
        return group;
      },
      async remove(name: string, who: Actor) {
        await access.groups.remove(name);
        await audit.record(who, { type: 'admin.group.deleted', details: { group: name } });
      },
      async addMember(name: string, input: unknown, who: Actor) {
        const { group, member } = await access.groups.addMember(name, input);
        await audit.record(who, {
          type: 'admin.group.member_added',
          ...(member.kind === 'account' ? { subject: member.id } : {}),
          details: {
            group: group.name,
            [member.kind === 'account' ? 'user' : 'member_group']: member.id,
          },
        });
        return group;
      },
      async removeMember(name: string, input: unknown, who: Actor) {
        const { group, member } = await access.groups.removeMember(name, input);
        await audit.record(who, {
          type: 'admin.group.member_removed',
          ...(member.kind === 'account' ? { subject: member.id } : {}),
          details: {
            group: group.name,
            [member.kind === 'account' ? 'user' : 'member_group']: member.id,
          },
        });
        return group;
      },
      async assignRole(name: string, role: unknown, who: Actor) {
        const group = await access.groups.assignRole(name, role);
        await audit.record(who, {
          type: 'admin.group.role_assigned',
          details: { group: group.name, role: String(role) },
        });
        return group;
      },
      async unassignRole(name: string, role: unknown, who: Actor) {
        const group = await access.groups.unassignRole(name, role);
        await audit.record(who, {
          type: 'admin.group.role_unassigned',
          details: { group: group.name, role: String(role) },
        });
        return group;
      },
    },
    users: {
      get: access.users.get,
      async assignRole(id: string, role: unknown, who: Actor) {
        const user = await access.users.assignRole(id, role);
        await audit.record(who, {
          type: 'admin.user.role_assigned',
          subject: user.id,
          details: { role: String(role) },
        });
        return user;
      },
      async unassignRole(id: string, role: unknown, who: Actor) {
        const user = await access.users.unassignRole(id, role);
        await audit.record(who, {
          type: 'admin.user.role_unassigned',
          subject: user.id,
          details: { role: String(role) },
        });
        return user;
      },
      async setAttributes(id: string, input: unknown, who: Actor) {
        const { user, changed } = await access.users.setAttributes(id, input);
        await audit.record(who, {
          type: 'admin.user.attributes_updated',
          subject: user.id,
          // Names only, never values (they may be personal data).
          details: { changed: changed.join(' ') },
        });
        return user;
      },
    },
    attributes: {
      list: access.attributes.list,
      async define(input: unknown, who: Actor) {
        const definition = await access.attributes.define(input);
        await audit.record(who, {
          type: 'admin.attribute.defined',
          details: { attribute: definition.name, type: definition.type },
        });
        return definition;
      },
      async remove(name: string, who: Actor) {
        await access.attributes.remove(name);
        await audit.record(who, { type: 'admin.attribute.removed', details: { attribute: name } });
      },
    },
  };
}

export type AccessAdminServices = ReturnType<typeof createAccessAdminServices>;
