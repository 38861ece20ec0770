import { extname } from 'node:path';
import type { ImportFormat } from './parse-user-import.ts';

const FORMAT_OF_EXTENSION: Record<string, ImportFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
  '.csv': 'csv',
};

/**
 * The import format a file's name says (.jsonl, .ndjson, .json, .csv), for the CLI's
 * `user import FILE` and the console's upload alike; `undefined` when the name does not say.
 */
export function importFormatOfFileName(name: string): ImportFormat | undefined {
  return FORMAT_OF_EXTENSION[extname(name).toLowerCase()];
}
