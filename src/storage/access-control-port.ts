/**
 * The access-control port (issue 16): roles, groups, who holds what, and custom account
 * attributes. Kept apart from `AccountStore` so the account record (and its three backends) stays
 * as it is: everything here is keyed by the account's id (`sub`) or by a role's or group's name.
 *
 * Memberships and role assignments are rows of their own (one per pair), never arrays inside a
 * record: adding or removing one is a single insert or delete on every backend, atomic even on
 * FerretDB, whose updates of arrays are read-modify-write.
 */
import type { ListOptions, ListPage } from './ports.ts';

/** A named permission set. `name` is the key and never changes. */
export interface RoleRecord {
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** A named set of accounts and groups; roles assigned to it apply to all of them. */
export interface GroupRecord {
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** Who can be in a group or hold a role: an account (by id) or a group (by name). */
export interface Principal {
  kind: 'account' | 'group';
  id: string;
}

export type AttributeType = 'string' | 'number' | 'boolean' | 'string[]';
export type AttributeValue = string | number | boolean | string[];

/** A custom account attribute admins may set (typed; values are checked against it). */
export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  description: string;
  createdAt: number;
}

export interface AccessControlStore {
  /** Throws `StoreConflictError('name')` when a role of that name exists. */
  createRole(record: RoleRecord): Promise<void>;
  findRole(name: string): Promise<RoleRecord | undefined>;
  /** Returns the updated role, or `undefined` when absent. */
  updateRole(
    name: string,
    patch: Pick<RoleRecord, 'description'>,
    updatedAt: number,
  ): Promise<RoleRecord | undefined>;
  /** Removes the role and every assignment of it; returns whether it existed. */
  removeRole(name: string): Promise<boolean>;
  /** Ordered by name. */
  listRoles(options: ListOptions): Promise<ListPage<RoleRecord>>;

  /** Throws `StoreConflictError('name')` when a group of that name exists. */
  createGroup(record: GroupRecord): Promise<void>;
  findGroup(name: string): Promise<GroupRecord | undefined>;
  updateGroup(
    name: string,
    patch: Pick<GroupRecord, 'description'>,
    updatedAt: number,
  ): Promise<GroupRecord | undefined>;
  /** Removes the group, its memberships (as container and as member) and its role
   *  assignments; returns whether it existed. */
  removeGroup(name: string): Promise<boolean>;
  /** Ordered by name. */
  listGroups(options: ListOptions): Promise<ListPage<GroupRecord>>;

  /**
   * Adds `member` to `group` (idempotent). Returns `false`, changing nothing, when the group (or
   * a member group) does not exist. Cycles are the caller's to refuse (the service walks the
   * graph first); the store refuses only a group in itself, by returning `false`.
   */
  addMember(group: string, member: Principal): Promise<boolean>;
  /** Returns whether a membership was removed. */
  removeMember(group: string, member: Principal): Promise<boolean>;
  /** The direct members of a group, accounts then groups, each ordered by id. */
  listMembers(group: string): Promise<Principal[]>;
  /** Names of the groups `member` is directly in, ordered. */
  groupsOf(member: Principal): Promise<string[]>;

  /** Assigns `role` to `holder` (idempotent); `false`, changing nothing, when the role (or a
   *  holder group) does not exist. */
  assignRole(role: string, holder: Principal): Promise<boolean>;
  /** Returns whether an assignment was removed. */
  unassignRole(role: string, holder: Principal): Promise<boolean>;
  /** Roles assigned directly to `holder`, ordered. */
  rolesOf(holder: Principal): Promise<string[]>;

  /** Throws `StoreConflictError('name')` when defined already. */
  defineAttribute(definition: AttributeDefinition): Promise<void>;
  /** Ordered by name. */
  listAttributes(): Promise<AttributeDefinition[]>;
  /** Removes the definition (values already set stay stored but are no longer released). */
  removeAttribute(name: string): Promise<boolean>;
  /** An account's attribute values (`{}` when none were set). */
  accountAttributes(accountId: string): Promise<Record<string, AttributeValue>>;
  /** Replaces the account's attribute values. */
  setAccountAttributes(
    accountId: string,
    attributes: Record<string, AttributeValue>,
    updatedAt: number,
  ): Promise<void>;
}
