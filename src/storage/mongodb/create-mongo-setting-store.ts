/** Shared settings on MongoDB: one document per name, `_id` = name. */
import type { Db } from 'mongodb';
import type { SettingStore } from '../ports.ts';
import { SETTINGS_COLLECTION } from './collection-names.ts';
import { fromMongoSafe, toMongoSafe } from './mongo-safe-value.ts';
import type { SettingDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

export function createMongoSettingStore(db: Db): SettingStore {
  const settings = db.collection<SettingDocument>(SETTINGS_COLLECTION);

  const get = async (name: string): Promise<unknown> => {
    const doc = await settings.findOne({ _id: name });
    return doc === null ? undefined : fromMongoSafe(doc.value);
  };

  return {
    get: (name) => guard('settings.get', () => get(name)),

    setIfAbsent: (name, value) =>
      guard('settings.setIfAbsent', async () => {
        try {
          // $setOnInsert makes this one atomic "insert unless present": processes starting
          // together all get back whichever value was inserted first.
          const doc = await settings.findOneAndUpdate(
            { _id: name },
            { $setOnInsert: { value: toMongoSafe(value) } },
            { upsert: true, returnDocument: 'after' },
          );
          return doc === null ? get(name) : fromMongoSafe(doc.value);
        } catch (error) {
          // Two concurrent upserts of one new _id: one inserts, the other may get E11000.
          if (isDuplicateKeyError(error)) return get(name);
          throw error;
        }
      }),
  };
}
