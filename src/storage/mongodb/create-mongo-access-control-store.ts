/**
 * Roles, groups and attributes on MongoDB. Memberships and role assignments are documents of
 * their own, `_id` = the pair (access-control-port.ts), so adding one is one upsert and removing
 * one a delete: atomic on FerretDB too, where array updates are read-modify-write.
 *
 * Without transactions (FerretDB has none) "the role exists, then assign it" is several steps.
 * Removal deletes the record first and its rows second; an assignment (or membership) checks
 * again after writing its row and deletes it if the role or group is gone. Whatever the
 * interleaving, a row written before the removal's sweep is swept, and one written after it is
 * taken back by its own check: no row outlives its role or group.
 */
import type { Collection, Db } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import type { ListOptions, ListPage } from '../ports.ts';
import type {
  AccessControlStore,
  AttributeDefinition,
  AttributeValue,
  Principal,
} from '../access-control-port.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import {
  RBAC_ACCOUNT_ATTRIBUTES_COLLECTION,
  RBAC_ATTRIBUTES_COLLECTION,
  RBAC_GROUP_MEMBERS_COLLECTION,
  RBAC_GROUPS_COLLECTION,
  RBAC_ROLE_ASSIGNMENTS_COLLECTION,
  RBAC_ROLES_COLLECTION,
} from './collection-names.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

interface NamedDocument {
  _id: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
}
interface MemberDocument {
  _id: string;
  group: string;
  kind: Principal['kind'];
  member: string;
}
interface AssignmentDocument {
  _id: string;
  role: string;
  kind: Principal['kind'];
  holder: string;
}
interface AttributeDocument {
  _id: string;
  type: AttributeDefinition['type'];
  description: string;
  createdAt: Date;
}
/** Values as name/value pairs, so an attribute name is never a document key. */
interface AccountAttributesDocument {
  _id: string;
  values: { name: string; value: AttributeValue }[];
  updatedAt: Date;
}

const pairId = (container: string, p: Principal): string =>
  JSON.stringify([container, p.kind, p.id]);

const toNamed = (doc: NamedDocument) => ({
  name: doc._id,
  description: doc.description,
  createdAt: doc.createdAt.getTime(),
  updatedAt: doc.updatedAt.getTime(),
});

function namedStore(collection: Collection<NamedDocument>, label: string) {
  return {
    create: (record: { name: string; description: string; createdAt: number; updatedAt: number }) =>
      guard(`${label}.create`, async () => {
        try {
          await collection.insertOne({
            _id: record.name,
            description: record.description,
            createdAt: new Date(record.createdAt),
            updatedAt: new Date(record.updatedAt),
          });
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('name');
          throw error;
        }
      }),
    find: (name: string) =>
      guard(`${label}.find`, async () => {
        const doc = await collection.findOne({ _id: name });
        return doc === null ? undefined : toNamed(doc);
      }),
    update: (name: string, description: string, updatedAt: number) =>
      guard(`${label}.update`, async () => {
        const doc = await collection.findOneAndUpdate(
          { _id: name },
          { $set: { description, updatedAt: new Date(updatedAt) } },
          { returnDocument: 'after' },
        );
        return doc === null ? undefined : toNamed(doc);
      }),
    remove: (name: string) =>
      guard(
        `${label}.remove`,
        async () => (await collection.deleteOne({ _id: name })).deletedCount > 0,
      ),
    list: (options: ListOptions) =>
      guard(`${label}.list`, async (): Promise<ListPage<ReturnType<typeof toNamed>>> => {
        const after = decodeCursor(options.cursor);
        const docs = await collection
          .find(after === undefined ? {} : { _id: { $gt: after } })
          .sort({ _id: 1 })
          .limit(options.limit + 1)
          .toArray();
        const items = docs.slice(0, options.limit).map(toNamed);
        const last = items.at(-1);
        return {
          items,
          nextCursor:
            docs.length > options.limit && last !== undefined ? encodeCursor(last.name) : undefined,
        };
      }),
  };
}

const byKindThenId = (a: Principal, b: Principal): number =>
  a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.kind === 'account' ? -1 : 1;

export function createMongoAccessControlStore(db: Db): AccessControlStore {
  const roles = namedStore(db.collection<NamedDocument>(RBAC_ROLES_COLLECTION), 'roles');
  const groups = namedStore(db.collection<NamedDocument>(RBAC_GROUPS_COLLECTION), 'groups');
  const members = db.collection<MemberDocument>(RBAC_GROUP_MEMBERS_COLLECTION);
  const assignments = db.collection<AssignmentDocument>(RBAC_ROLE_ASSIGNMENTS_COLLECTION);
  const attributes = db.collection<AttributeDocument>(RBAC_ATTRIBUTES_COLLECTION);
  const values = db.collection<AccountAttributesDocument>(RBAC_ACCOUNT_ATTRIBUTES_COLLECTION);

  const holderExists = async (p: Principal): Promise<boolean> =>
    p.kind === 'account' || (await groups.find(p.id)) !== undefined;

  return {
    createRole: (record) => roles.create(record),
    findRole: (name) => roles.find(name),
    updateRole: (name, patch, updatedAt) => roles.update(name, patch.description, updatedAt),
    removeRole: (name) =>
      guard('roles.remove', async () => {
        const removed = await roles.remove(name);
        await assignments.deleteMany({ role: name });
        return removed;
      }),
    listRoles: (options) => roles.list(options),

    createGroup: (record) => groups.create(record),
    findGroup: (name) => groups.find(name),
    updateGroup: (name, patch, updatedAt) => groups.update(name, patch.description, updatedAt),
    removeGroup: (name) =>
      guard('groups.remove', async () => {
        const removed = await groups.remove(name);
        await members.deleteMany({ $or: [{ group: name }, { kind: 'group', member: name }] });
        await assignments.deleteMany({ kind: 'group', holder: name });
        return removed;
      }),
    listGroups: (options) => groups.list(options),

    addMember: (group, member) =>
      guard('groups.addMember', async () => {
        if (member.kind === 'group' && member.id === group) return false;
        if ((await groups.find(group)) === undefined || !(await holderExists(member))) return false;
        const _id = pairId(group, member);
        await members.updateOne(
          { _id },
          { $setOnInsert: { group, kind: member.kind, member: member.id } },
          { upsert: true },
        );
        // See the module comment: a group removed meanwhile takes the new row with it.
        if ((await groups.find(group)) === undefined || !(await holderExists(member))) {
          await members.deleteOne({ _id });
          return false;
        }
        return true;
      }),
    removeMember: (group, member) =>
      guard(
        'groups.removeMember',
        async () => (await members.deleteOne({ _id: pairId(group, member) })).deletedCount > 0,
      ),
    listMembers: (group) =>
      guard('groups.listMembers', async () =>
        (await members.find({ group }).toArray())
          .map((doc) => ({ kind: doc.kind, id: doc.member }))
          .sort(byKindThenId),
      ),
    groupsOf: (member) =>
      guard('groups.groupsOf', async () =>
        (await members.find({ kind: member.kind, member: member.id }).toArray())
          .map((doc) => doc.group)
          .sort(),
      ),

    assignRole: (role, holder) =>
      guard('roles.assign', async () => {
        if ((await roles.find(role)) === undefined || !(await holderExists(holder))) return false;
        const _id = pairId(role, holder);
        await assignments.updateOne(
          { _id },
          { $setOnInsert: { role, kind: holder.kind, holder: holder.id } },
          { upsert: true },
        );
        // A role (or group) removed meanwhile takes the new row with it (module comment).
        if ((await roles.find(role)) === undefined || !(await holderExists(holder))) {
          await assignments.deleteOne({ _id });
          return false;
        }
        return true;
      }),
    unassignRole: (role, holder) =>
      guard(
        'roles.unassign',
        async () => (await assignments.deleteOne({ _id: pairId(role, holder) })).deletedCount > 0,
      ),
    rolesOf: (holder) =>
      guard('roles.of', async () =>
        (await assignments.find({ kind: holder.kind, holder: holder.id }).toArray())
          .map((doc) => doc.role)
          .sort(),
      ),

    defineAttribute: (definition) =>
      guard('attributes.define', async () => {
        try {
          await attributes.insertOne({
            _id: definition.name,
            type: definition.type,
            description: definition.description,
            createdAt: new Date(definition.createdAt),
          });
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('name');
          throw error;
        }
      }),
    listAttributes: () =>
      guard('attributes.list', async () =>
        (await attributes.find({}).sort({ _id: 1 }).toArray()).map((doc): AttributeDefinition => ({
          name: doc._id,
          type: doc.type,
          description: doc.description,
          createdAt: doc.createdAt.getTime(),
        })),
      ),
    removeAttribute: (name) =>
      guard(
        'attributes.remove',
        async () => (await attributes.deleteOne({ _id: name })).deletedCount > 0,
      ),
    accountAttributes: (accountId) =>
      guard('attributes.ofAccount', async () => {
        const doc = await values.findOne({ _id: accountId });
        return Object.fromEntries((doc?.values ?? []).map((v) => [v.name, v.value]));
      }),
    setAccountAttributes: (accountId, next, updatedAt) =>
      guard('attributes.setOfAccount', async () => {
        await values.replaceOne(
          { _id: accountId },
          {
            values: Object.entries(next).map(([name, value]) => ({ name, value })),
            updatedAt: new Date(updatedAt),
          },
          { upsert: true },
        );
      }),
  };
}
