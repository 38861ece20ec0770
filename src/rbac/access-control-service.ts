import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type {
  AccessControlStore,
  AttributeDefinition,
  AttributeValue,
  GroupRecord,
  Principal,
  RoleRecord,
} from '../storage/access-control-port.ts';
import { StoreConflictError, type AccountStore, type ListOptions } from '../storage/ports.ts';
import {
  attributeDefineSchema,
  attributeValuesSchema,
  groupCreateSchema,
  groupUpdateSchema,
  memberSchema,
  nameSchema,
  roleCreateSchema,
  roleRefSchema,
  roleUpdateSchema,
} from './access-control-schemas.ts';
import { PROTECTED_CLAIMS } from './protected-claims.ts';

/**
 * Roles, groups and custom attributes (issue 16), for the admin API, the CLI and the token
 * code alike: input checked once here, every refusal a clear 4xx that changes nothing.
 *
 * A user's effective roles are their own plus those of every group they are in, directly or
 * through groups nested in groups; their effective groups are all those groups. Nesting never
 * forms a cycle: adding a group to another that is (transitively) inside it is refused, so the
 * walk up from a user always ends.
 */

export interface RoleView {
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface GroupView extends RoleView {
  roles: string[];
  members: { users: string[]; groups: string[] };
}

export interface UserAccessView {
  id: string;
  /** Roles assigned to the user directly. */
  roles: string[];
  /** Groups the user is directly in. */
  groups: string[];
  /** Own roles plus those of every group reached (what tokens carry). */
  effective_roles: string[];
  effective_groups: string[];
  attributes: Record<string, AttributeValue>;
}

export interface EffectiveAccess {
  roles: string[];
  groups: string[];
}

/** How deep groups may nest: deep enough for any organisation chart, bounded for the walk. */
const MAX_NESTING_DEPTH = 16;
const MAX_STRING_ATTRIBUTE = 1024;
const MAX_LIST_ATTRIBUTE_ITEMS = 50;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: Record<string, string> = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details[key.slice(0, 64)] = 'is not a field this operation accepts';
    } else {
      const field = issue.path.map(String).join('.') || 'body';
      details[field] ??= issue.message;
    }
  }
  throw new AppError('invalid_input', details);
}

const roleView = (r: RoleRecord | GroupRecord): RoleView => ({
  name: r.name,
  description: r.description,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

const account = (id: string): Principal => ({ kind: 'account', id });
const group = (id: string): Principal => ({ kind: 'group', id });

/** Checks one attribute value against its declared type (and bounds its size). */
function checkValue(definition: AttributeDefinition, value: unknown): string | undefined {
  switch (definition.type) {
    case 'string':
      return typeof value === 'string' && value.length <= MAX_STRING_ATTRIBUTE
        ? undefined
        : `must be a string of at most ${MAX_STRING_ATTRIBUTE} characters`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'string[]':
      return Array.isArray(value) &&
        value.length <= MAX_LIST_ATTRIBUTE_ITEMS &&
        value.every((v) => typeof v === 'string' && v.length <= 256)
        ? undefined
        : `must be a list of at most ${MAX_LIST_ATTRIBUTE_ITEMS} strings`;
  }
}

/** `{"role": "<name>"}` of the admin API, checked as strictly as every other body. */
export function parseRoleReference(body: unknown): string {
  return parse(roleRefSchema, body).role;
}

export interface AccessControlServiceDeps {
  store: AccessControlStore;
  accounts: Pick<AccountStore, 'findById'>;
  now?: () => number;
}

export function createAccessControlService(deps: AccessControlServiceDeps) {
  const now = deps.now ?? Date.now;
  const store = deps.store;

  async function requireRole(name: unknown): Promise<RoleRecord> {
    const parsed = nameSchema.safeParse(name);
    const role = parsed.success ? await store.findRole(parsed.data) : undefined;
    if (!role) throw new AppError('not_found', { role: 'no such role' });
    return role;
  }

  async function requireGroup(name: unknown): Promise<GroupRecord> {
    const parsed = nameSchema.safeParse(name);
    const found = parsed.success ? await store.findGroup(parsed.data) : undefined;
    if (!found) throw new AppError('not_found', { group: 'no such group' });
    return found;
  }

  async function requireUser(id: unknown): Promise<string> {
    const ok = typeof id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(id);
    const found = ok ? await deps.accounts.findById(id) : undefined;
    if (!found) throw new AppError('not_found', { user: 'no such user' });
    return found.id;
  }

  /** A role named in a request body must exist: 400 `unknown_role` (it is the input at fault). */
  async function existingRole(input: unknown): Promise<string> {
    const name = parse(nameSchema, input);
    if (!(await store.findRole(name)))
      throw new AppError('unknown_role', { role: `no role ${name}` });
    return name;
  }

  /**
   * Every group `start` is in, directly or through nesting (breadth first). The `seen` set and
   * the depth bound also end the walk if two concurrent additions ever raced into a cycle (the
   * check before `addMember` is not atomic with it): a user then simply holds both groups' roles.
   */
  async function ancestors(start: Principal): Promise<string[]> {
    const seen = new Set<string>();
    let frontier = [start];
    for (let depth = 0; depth < MAX_NESTING_DEPTH && frontier.length > 0; depth += 1) {
      const next: Principal[] = [];
      for (const member of frontier) {
        for (const name of await store.groupsOf(member)) {
          if (seen.has(name)) continue;
          seen.add(name);
          next.push(group(name));
        }
      }
      frontier = next;
    }
    return [...seen].sort();
  }

  async function effective(accountId: string): Promise<EffectiveAccess> {
    const groups = await ancestors(account(accountId));
    const roles = new Set(await store.rolesOf(account(accountId)));
    for (const name of groups) for (const role of await store.rolesOf(group(name))) roles.add(role);
    return { roles: [...roles].sort(), groups };
  }

  async function groupView(found: GroupRecord): Promise<GroupView> {
    const members = await store.listMembers(found.name);
    return {
      ...roleView(found),
      roles: await store.rolesOf(group(found.name)),
      members: {
        users: members.filter((m) => m.kind === 'account').map((m) => m.id),
        groups: members.filter((m) => m.kind === 'group').map((m) => m.id),
      },
    };
  }

  async function userView(id: string): Promise<UserAccessView> {
    const access = await effective(id);
    return {
      id,
      roles: await store.rolesOf(account(id)),
      groups: await store.groupsOf(account(id)),
      effective_roles: access.roles,
      effective_groups: access.groups,
      attributes: await store.accountAttributes(id),
    };
  }

  /** A member named in a body, resolved and checked (existing user or group). */
  async function memberOf(input: unknown): Promise<Principal> {
    const m = parse(memberSchema, input);
    if (m.user !== undefined) return account(await requireUser(m.user));
    const name = m.group ?? '';
    if (!(await store.findGroup(name)))
      throw new AppError('invalid_input', { group: `no group ${name}` });
    return group(name);
  }

  return {
    effective,

    roles: {
      async create(input: unknown): Promise<RoleView> {
        const { name, description = '' } = parse(roleCreateSchema, input);
        const record: RoleRecord = { name, description, createdAt: now(), updatedAt: now() };
        try {
          await store.createRole(record);
        } catch (error) {
          if (error instanceof StoreConflictError)
            throw new AppError('role_exists', { name: `a role named ${name} already exists` });
          throw error;
        }
        return roleView(record);
      },
      async get(name: string): Promise<RoleView> {
        return roleView(await requireRole(name));
      },
      async list(options: ListOptions) {
        const page = await store.listRoles(options);
        return { items: page.items.map(roleView), nextCursor: page.nextCursor };
      },
      async update(name: string, input: unknown): Promise<RoleView> {
        const role = await requireRole(name);
        const { description } = parse(roleUpdateSchema, input);
        const updated = await store.updateRole(role.name, { description }, now());
        if (!updated) throw new AppError('not_found', { role: 'no such role' });
        return roleView(updated);
      },
      async remove(name: string): Promise<void> {
        const role = await requireRole(name);
        await store.removeRole(role.name);
      },
    },

    groups: {
      async create(input: unknown): Promise<GroupView> {
        const { name, description = '' } = parse(groupCreateSchema, input);
        const record: GroupRecord = { name, description, createdAt: now(), updatedAt: now() };
        try {
          await store.createGroup(record);
        } catch (error) {
          if (error instanceof StoreConflictError)
            throw new AppError('group_exists', { name: `a group named ${name} already exists` });
          throw error;
        }
        return groupView(record);
      },
      async get(name: string): Promise<GroupView> {
        return groupView(await requireGroup(name));
      },
      async list(options: ListOptions) {
        const page = await store.listGroups(options);
        return { items: await Promise.all(page.items.map(groupView)), nextCursor: page.nextCursor };
      },
      async update(name: string, input: unknown): Promise<GroupView> {
        const found = await requireGroup(name);
        const { description } = parse(groupUpdateSchema, input);
        const updated = await store.updateGroup(found.name, { description }, now());
        if (!updated) throw new AppError('not_found', { group: 'no such group' });
        return groupView(updated);
      },
      async remove(name: string): Promise<void> {
        const found = await requireGroup(name);
        await store.removeGroup(found.name);
      },
      async addMember(
        name: string,
        input: unknown,
      ): Promise<{ group: GroupView; member: Principal }> {
        const found = await requireGroup(name);
        const member = await memberOf(input);
        if (member.kind === 'group') {
          // A group in itself, or in a group nested inside it, would make membership circular.
          if (member.id === found.name)
            throw new AppError('group_cycle', { group: 'a group cannot be a member of itself' });
          if ((await ancestors(group(found.name))).includes(member.id))
            throw new AppError('group_cycle', {
              group: `${found.name} is already inside ${member.id}`,
            });
        }
        if (!(await store.addMember(found.name, member)))
          throw new AppError('not_found', { group: 'no such group' });
        return { group: await groupView(found), member };
      },
      async removeMember(name: string, input: unknown) {
        const found = await requireGroup(name);
        const m = parse(memberSchema, input);
        const member = m.user !== undefined ? account(m.user) : group(m.group ?? '');
        if (!(await store.removeMember(found.name, member)))
          throw new AppError('not_found', { member: 'not a member of this group' });
        return { group: await groupView(found), member };
      },
      async assignRole(name: string, role: unknown): Promise<GroupView> {
        const found = await requireGroup(name);
        const roleName = await existingRole(role);
        if (!(await store.assignRole(roleName, group(found.name))))
          throw new AppError('unknown_role', { role: `no role ${roleName}` });
        return groupView(found);
      },
      async unassignRole(name: string, role: unknown): Promise<GroupView> {
        const found = await requireGroup(name);
        const roleName = parse(nameSchema, role);
        if (!(await store.unassignRole(roleName, group(found.name))))
          throw new AppError('not_found', { role: 'the group does not hold this role' });
        return groupView(found);
      },
    },

    users: {
      async get(id: string): Promise<UserAccessView> {
        return userView(await requireUser(id));
      },
      async assignRole(id: string, role: unknown): Promise<UserAccessView> {
        const user = await requireUser(id);
        const roleName = await existingRole(role);
        if (!(await store.assignRole(roleName, account(user))))
          throw new AppError('unknown_role', { role: `no role ${roleName}` });
        return userView(user);
      },
      async unassignRole(id: string, role: unknown): Promise<UserAccessView> {
        const user = await requireUser(id);
        const roleName = parse(nameSchema, role);
        if (!(await store.unassignRole(roleName, account(user))))
          throw new AppError('not_found', { role: 'the user does not hold this role directly' });
        return userView(user);
      },
      /** Sets (or, with null, removes) custom attribute values, each checked against its type. */
      async setAttributes(
        id: string,
        input: unknown,
      ): Promise<{ user: UserAccessView; changed: string[] }> {
        const user = await requireUser(id);
        const patch = parse(attributeValuesSchema, input);
        const definitions = new Map((await store.listAttributes()).map((d) => [d.name, d]));
        const problems: Record<string, string> = {};
        for (const [name, value] of Object.entries(patch)) {
          const definition = definitions.get(name);
          if (!definition) problems[name] = 'is not a defined attribute';
          else if (value !== null) {
            const problem = checkValue(definition, value);
            if (problem) problems[name] = problem;
          }
        }
        if (Object.keys(problems).length > 0) throw new AppError('invalid_input', problems);
        const next = await store.accountAttributes(user);
        for (const [name, value] of Object.entries(patch)) {
          if (value === null) delete next[name];
          else next[name] = value;
        }
        await store.setAccountAttributes(user, next, now());
        return { user: await userView(user), changed: Object.keys(patch) };
      },
    },

    attributes: {
      async define(input: unknown): Promise<AttributeDefinition> {
        const { name, type, description = '' } = parse(attributeDefineSchema, input);
        if (PROTECTED_CLAIMS.has(name))
          throw new AppError('protected_claim', { name: `${name} is a protected claim` });
        const definition: AttributeDefinition = { name, type, description, createdAt: now() };
        try {
          await store.defineAttribute(definition);
        } catch (error) {
          if (error instanceof StoreConflictError)
            throw new AppError('attribute_exists', { name: `${name} is already defined` });
          throw error;
        }
        return definition;
      },
      list: () => store.listAttributes(),
      async remove(name: string): Promise<void> {
        if (!(await store.removeAttribute(name)))
          throw new AppError('not_found', { attribute: 'no such attribute' });
      },
      /** An account's values of the attributes still defined (for claims). */
      async valuesOf(accountId: string): Promise<Record<string, AttributeValue>> {
        const defined = new Set((await store.listAttributes()).map((d) => d.name));
        const values = await store.accountAttributes(accountId);
        return Object.fromEntries(Object.entries(values).filter(([name]) => defined.has(name)));
      },
    },
  };
}

export type AccessControlService = ReturnType<typeof createAccessControlService>;
