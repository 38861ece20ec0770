import type { DatabaseSync } from 'node:sqlite';
import type { SettingStore } from '../ports.ts';
import { guarded } from './map-sqlite-error.ts';

/** Named JSON values in the `settings` table. */
export function createSqliteSettingStore(db: DatabaseSync): SettingStore {
  const get = db.prepare('SELECT value FROM settings WHERE name = ?');
  // The insert either wins or does nothing; the read that follows returns whichever value won,
  // so processes starting together on one file agree.
  const insertIfAbsent = db.prepare(
    'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  );

  const read = (name: string): unknown => {
    const row = get.get(name);
    return row === undefined ? undefined : (JSON.parse(row.value as string) as unknown);
  };

  return {
    async get(name) {
      return guarded(() => read(name));
    },

    async setIfAbsent(name, value) {
      return guarded(() => {
        // JSON has no `undefined`; store it as null rather than fail.
        insertIfAbsent.run(name, JSON.stringify(value) ?? 'null');
        return read(name);
      });
    },
  };
}
