import { StoreConflictError } from '../ports.ts';
import type {
  AccessControlStore,
  AttributeDefinition,
  AttributeValue,
  GroupRecord,
  Principal,
  RoleRecord,
} from '../access-control-port.ts';
import { paginate } from './paginate.ts';

/** One key per (container, principal) pair: a membership or an assignment is one Set entry. */
const pairKey = (container: string, p: Principal): string =>
  JSON.stringify([container, p.kind, p.id]);

const byKindThenId = (a: Principal, b: Principal): number =>
  a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.kind === 'account' ? -1 : 1;

/** Roles, groups and attributes in Maps; deep copies in and out, like every memory port. */
export function createMemoryAccessControlStore(): AccessControlStore {
  const roles = new Map<string, RoleRecord>();
  const groups = new Map<string, GroupRecord>();
  const members = new Map<string, { group: string; member: Principal }>();
  const assignments = new Map<string, { role: string; holder: Principal }>();
  const attributes = new Map<string, AttributeDefinition>();
  const values = new Map<string, Record<string, AttributeValue>>();

  const holderExists = (p: Principal): boolean => p.kind === 'account' || groups.has(p.id);

  return {
    async createRole(record) {
      if (roles.has(record.name)) throw new StoreConflictError('name');
      roles.set(record.name, structuredClone(record));
    },
    async findRole(name) {
      const role = roles.get(name);
      return role && structuredClone(role);
    },
    async updateRole(name, patch, updatedAt) {
      const role = roles.get(name);
      if (!role) return undefined;
      const next = { ...role, description: patch.description, updatedAt };
      roles.set(name, next);
      return structuredClone(next);
    },
    async removeRole(name) {
      if (!roles.delete(name)) return false;
      for (const [key, a] of assignments) if (a.role === name) assignments.delete(key);
      return true;
    },
    async listRoles(options) {
      const page = paginate(roles.values(), (r) => r.name, options);
      return { items: page.items.map((r) => structuredClone(r)), nextCursor: page.nextCursor };
    },

    async createGroup(record) {
      if (groups.has(record.name)) throw new StoreConflictError('name');
      groups.set(record.name, structuredClone(record));
    },
    async findGroup(name) {
      const group = groups.get(name);
      return group && structuredClone(group);
    },
    async updateGroup(name, patch, updatedAt) {
      const group = groups.get(name);
      if (!group) return undefined;
      const next = { ...group, description: patch.description, updatedAt };
      groups.set(name, next);
      return structuredClone(next);
    },
    async removeGroup(name) {
      if (!groups.delete(name)) return false;
      for (const [key, m] of members) {
        if (m.group === name || (m.member.kind === 'group' && m.member.id === name))
          members.delete(key);
      }
      for (const [key, a] of assignments) {
        if (a.holder.kind === 'group' && a.holder.id === name) assignments.delete(key);
      }
      return true;
    },
    async listGroups(options) {
      const page = paginate(groups.values(), (g) => g.name, options);
      return { items: page.items.map((g) => structuredClone(g)), nextCursor: page.nextCursor };
    },

    async addMember(group, member) {
      if (!groups.has(group) || !holderExists(member)) return false;
      if (member.kind === 'group' && member.id === group) return false;
      members.set(pairKey(group, member), { group, member: { ...member } });
      return true;
    },
    async removeMember(group, member) {
      return members.delete(pairKey(group, member));
    },
    async listMembers(group) {
      return [...members.values()]
        .filter((m) => m.group === group)
        .map((m) => ({ ...m.member }))
        .sort(byKindThenId);
    },
    async groupsOf(member) {
      return [...members.values()]
        .filter((m) => m.member.kind === member.kind && m.member.id === member.id)
        .map((m) => m.group)
        .sort();
    },

    async assignRole(role, holder) {
      if (!roles.has(role) || !holderExists(holder)) return false;
      assignments.set(pairKey(role, holder), { role, holder: { ...holder } });
      return true;
    },
    async unassignRole(role, holder) {
      return assignments.delete(pairKey(role, holder));
    },
    async rolesOf(holder) {
      return [...assignments.values()]
        .filter((a) => a.holder.kind === holder.kind && a.holder.id === holder.id)
        .map((a) => a.role)
        .sort();
    },

    async defineAttribute(definition) {
      if (attributes.has(definition.name)) throw new StoreConflictError('name');
      attributes.set(definition.name, structuredClone(definition));
    },
    async listAttributes() {
      return [...attributes.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((a) => structuredClone(a));
    },
    async removeAttribute(name) {
      return attributes.delete(name);
    },
    async accountAttributes(accountId) {
      return structuredClone(values.get(accountId) ?? {});
    },
    async setAccountAttributes(accountId, next) {
      values.set(accountId, structuredClone(next));
    },
  };
}
