/**
 * Whether the server applies a conditional update atomically (filter check and write as one
 * step), as MongoDB does for any single-document update.
 *
 * FerretDB 1.x does not: its update command reads the matching documents, applies the update in
 * memory and writes each back by `_id` without re-checking the filter (read in v1.24.2's
 * `msg_update.go` and SQLite `UpdateAll`). Seen here: of 20 concurrent `consume` updates on one
 * entry, 7 reported a modification. Unique indexes, however, are enforced atomically there.
 */
import type { Db, Document } from 'mongodb';

export async function detectAtomicUpdates(db: Db): Promise<boolean> {
  const info: Document = await db.command({ buildInfo: 1 });
  return typeof info['ferretdbVersion'] !== 'string';
}
