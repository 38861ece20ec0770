import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreConflictError } from '../ports.ts';
import type { ListOptions, ListPage } from '../ports.ts';
import type {
  AccessControlStore,
  AttributeDefinition,
  AttributeValue,
  GroupRecord,
  Principal,
  RoleRecord,
} from '../access-control-port.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { inTransaction } from './in-transaction.ts';
import { guarded } from './map-sqlite-error.ts';

type Row = Record<string, unknown>;

const toNamed = (row: Row): RoleRecord & GroupRecord => ({
  name: row.name as string,
  description: row.description as string,
  createdAt: row.created_at as number,
  updatedAt: row.updated_at as number,
});

/** One keyset page of a `name`-keyed table (one row more than asked says whether more exist). */
function pageOf(
  first: StatementSync,
  next: StatementSync,
  options: ListOptions,
): ListPage<RoleRecord & GroupRecord> {
  const after = decodeCursor(options.cursor);
  const rows = guarded(() =>
    after === undefined ? first.all(options.limit + 1) : next.all(after, options.limit + 1),
  );
  const items = rows.slice(0, options.limit).map(toNamed);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > options.limit && last !== undefined ? encodeCursor(last.name) : undefined,
  };
}

/** Roles, groups, memberships, assignments and attributes in the `rbac_*` tables (migration 5). */
export function createSqliteAccessControlStore(db: DatabaseSync): AccessControlStore {
  const named = (table: 'rbac_roles' | 'rbac_groups') => ({
    insert: db.prepare(
      `INSERT INTO ${table} (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`,
    ),
    find: db.prepare(`SELECT * FROM ${table} WHERE name = ?`),
    update: db.prepare(`UPDATE ${table} SET description = ?, updated_at = ? WHERE name = ?`),
    remove: db.prepare(`DELETE FROM ${table} WHERE name = ?`),
    first: db.prepare(`SELECT * FROM ${table} ORDER BY name LIMIT ?`),
    next: db.prepare(`SELECT * FROM ${table} WHERE name > ? ORDER BY name LIMIT ?`),
  });
  const roles = named('rbac_roles');
  const groups = named('rbac_groups');

  const addMember = db.prepare(
    'INSERT OR IGNORE INTO rbac_group_members (group_name, member_kind, member_id) VALUES (?, ?, ?)',
  );
  const removeMember = db.prepare(
    'DELETE FROM rbac_group_members WHERE group_name = ? AND member_kind = ? AND member_id = ?',
  );
  const membersOf = db.prepare(
    'SELECT member_kind, member_id FROM rbac_group_members WHERE group_name = ? ORDER BY member_kind, member_id',
  );
  const groupsOf = db.prepare(
    'SELECT group_name FROM rbac_group_members WHERE member_kind = ? AND member_id = ? ORDER BY group_name',
  );
  const dropGroupMemberships = db.prepare(
    "DELETE FROM rbac_group_members WHERE group_name = ? OR (member_kind = 'group' AND member_id = ?)",
  );
  const assign = db.prepare(
    'INSERT OR IGNORE INTO rbac_role_assignments (role, holder_kind, holder_id) VALUES (?, ?, ?)',
  );
  const unassign = db.prepare(
    'DELETE FROM rbac_role_assignments WHERE role = ? AND holder_kind = ? AND holder_id = ?',
  );
  const rolesOf = db.prepare(
    'SELECT role FROM rbac_role_assignments WHERE holder_kind = ? AND holder_id = ? ORDER BY role',
  );
  const dropRoleAssignments = db.prepare('DELETE FROM rbac_role_assignments WHERE role = ?');
  const dropHolderAssignments = db.prepare(
    'DELETE FROM rbac_role_assignments WHERE holder_kind = ? AND holder_id = ?',
  );
  const defineAttribute = db.prepare(
    'INSERT INTO rbac_attributes (name, type, description, created_at) VALUES (?, ?, ?, ?)',
  );
  const findAttribute = db.prepare('SELECT name FROM rbac_attributes WHERE name = ?');
  const listAttributes = db.prepare('SELECT * FROM rbac_attributes ORDER BY name');
  const removeAttribute = db.prepare('DELETE FROM rbac_attributes WHERE name = ?');
  const readValues = db.prepare(
    'SELECT attributes FROM rbac_account_attributes WHERE account_id = ?',
  );
  const writeValues = db.prepare(
    `INSERT INTO rbac_account_attributes (account_id, attributes, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at`,
  );

  const holderExists = (p: Principal): boolean =>
    p.kind === 'account' || groups.find.get(p.id) !== undefined;

  return {
    async createRole(record) {
      guarded(() =>
        inTransaction(db, () => {
          if (roles.find.get(record.name) !== undefined) throw new StoreConflictError('name');
          roles.insert.run(record.name, record.description, record.createdAt, record.updatedAt);
        }),
      );
    },
    async findRole(name) {
      const row = guarded(() => roles.find.get(name));
      return row === undefined ? undefined : toNamed(row);
    },
    async updateRole(name, patch, updatedAt) {
      return guarded(() =>
        inTransaction(db, () => {
          if (roles.update.run(patch.description, updatedAt, name).changes === 0) return undefined;
          const row = roles.find.get(name);
          return row === undefined ? undefined : toNamed(row);
        }),
      );
    },
    async removeRole(name) {
      return guarded(() =>
        inTransaction(db, () => {
          dropRoleAssignments.run(name);
          return roles.remove.run(name).changes > 0;
        }),
      );
    },
    async listRoles(options) {
      return pageOf(roles.first, roles.next, options);
    },

    async createGroup(record) {
      guarded(() =>
        inTransaction(db, () => {
          if (groups.find.get(record.name) !== undefined) throw new StoreConflictError('name');
          groups.insert.run(record.name, record.description, record.createdAt, record.updatedAt);
        }),
      );
    },
    async findGroup(name) {
      const row = guarded(() => groups.find.get(name));
      return row === undefined ? undefined : toNamed(row);
    },
    async updateGroup(name, patch, updatedAt) {
      return guarded(() =>
        inTransaction(db, () => {
          if (groups.update.run(patch.description, updatedAt, name).changes === 0) return undefined;
          const row = groups.find.get(name);
          return row === undefined ? undefined : toNamed(row);
        }),
      );
    },
    async removeGroup(name) {
      return guarded(() =>
        inTransaction(db, () => {
          dropGroupMemberships.run(name, name);
          dropHolderAssignments.run('group', name);
          return groups.remove.run(name).changes > 0;
        }),
      );
    },
    async listGroups(options) {
      return pageOf(groups.first, groups.next, options);
    },

    async addMember(group, member) {
      if (member.kind === 'group' && member.id === group) return false;
      return guarded(() =>
        inTransaction(db, () => {
          // Checked in the write transaction: a group removed meanwhile cannot gain a member.
          if (groups.find.get(group) === undefined || !holderExists(member)) return false;
          addMember.run(group, member.kind, member.id);
          return true;
        }),
      );
    },
    async removeMember(group, member) {
      return guarded(() => removeMember.run(group, member.kind, member.id).changes > 0);
    },
    async listMembers(group) {
      return guarded(() => membersOf.all(group)).map((row) => ({
        kind: row.member_kind as Principal['kind'],
        id: row.member_id as string,
      }));
    },
    async groupsOf(member) {
      return guarded(() => groupsOf.all(member.kind, member.id)).map(
        (row) => row.group_name as string,
      );
    },

    async assignRole(role, holder) {
      return guarded(() =>
        inTransaction(db, () => {
          if (roles.find.get(role) === undefined || !holderExists(holder)) return false;
          assign.run(role, holder.kind, holder.id);
          return true;
        }),
      );
    },
    async unassignRole(role, holder) {
      return guarded(() => unassign.run(role, holder.kind, holder.id).changes > 0);
    },
    async rolesOf(holder) {
      return guarded(() => rolesOf.all(holder.kind, holder.id)).map((row) => row.role as string);
    },

    async defineAttribute(definition) {
      guarded(() =>
        inTransaction(db, () => {
          if (findAttribute.get(definition.name) !== undefined)
            throw new StoreConflictError('name');
          defineAttribute.run(
            definition.name,
            definition.type,
            definition.description,
            definition.createdAt,
          );
        }),
      );
    },
    async listAttributes() {
      return guarded(() => listAttributes.all()).map((row): AttributeDefinition => ({
        name: row.name as string,
        type: row.type as AttributeDefinition['type'],
        description: row.description as string,
        createdAt: row.created_at as number,
      }));
    },
    async removeAttribute(name) {
      return guarded(() => removeAttribute.run(name).changes > 0);
    },
    async accountAttributes(accountId) {
      const row = guarded(() => readValues.get(accountId));
      return row === undefined
        ? {}
        : (JSON.parse(row.attributes as string) as Record<string, AttributeValue>);
    },
    async setAccountAttributes(accountId, attributes, updatedAt) {
      guarded(() => writeValues.run(accountId, JSON.stringify(attributes), updatedAt));
    },
  };
}
