import { describe, expect, it } from '@jest/globals';
import { lines, wholeNumber, words } from '../../src/console/console-kit.ts';
import { importFormatOfFileName } from '../../src/import/import-format-of-file-name.ts';
import { attributeText, attributeTextValue } from '../../src/rbac/attribute-text-value.ts';
import { AppError } from '../../src/errors/app-error.ts';

/**
 * How the console (and the CLI) read what an admin typed: lists, numbers, attribute values and an
 * upload's format. Values the schema must judge are passed on as typed, never guessed.
 */

const definition = (type: 'string' | 'number' | 'boolean' | 'string[]') => ({
  name: 'dept',
  type,
  description: '',
  createdAt: 0,
});

describe('form text', () => {
  it('reads lines and words without empty entries', () => {
    expect(lines(' a \r\n\n b\n')).toEqual(['a', 'b']);
    expect(words('x, y  z\nw')).toEqual(['x', 'y', 'z', 'w']);
    expect(lines(undefined)).toEqual([]);
  });

  it('reads a whole number as a number and leaves anything else for the schema to refuse', () => {
    expect(wholeNumber(' 120 ')).toBe(120);
    expect(wholeNumber('')).toBeUndefined();
    expect(wholeNumber('1e3')).toBe('1e3');
    expect(wholeNumber('12.5')).toBe('12.5');
    expect(wholeNumber('9'.repeat(20))).toBe('9'.repeat(20));
  });
});

describe('attribute values as text', () => {
  it('reads each type as the CLI reads --set name=value', () => {
    expect(attributeTextValue(definition('string'), 'a,b')).toBe('a,b');
    expect(attributeTextValue(definition('number'), '42')).toBe(42);
    expect(attributeTextValue(definition('boolean'), 'true')).toBe(true);
    expect(attributeTextValue(definition('string[]'), 'a,b')).toEqual(['a', 'b']);
    expect(attributeTextValue(definition('string[]'), '')).toEqual([]);
  });

  it('refuses a number or boolean that is not one, naming the attribute', () => {
    for (const [type, raw] of [
      ['number', 'many'],
      ['number', ' '],
      ['boolean', 'yes'],
    ] as const) {
      let error: unknown;
      try {
        attributeTextValue(definition(type), raw);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toHaveProperty('dept');
    }
  });

  it('shows a value as the text that reads back to it', () => {
    expect(attributeText(['a', 'b'])).toBe('a,b');
    expect(attributeText(false)).toBe('false');
    expect(attributeTextValue(definition('string[]'), attributeText(['x', 'y']))).toEqual([
      'x',
      'y',
    ]);
  });
});

describe('import format of a file name', () => {
  it('knows .jsonl, .ndjson, .json and .csv in any case, and nothing else', () => {
    expect(importFormatOfFileName('users.JSONL')).toBe('jsonl');
    expect(importFormatOfFileName('a.ndjson')).toBe('jsonl');
    expect(importFormatOfFileName('a.json')).toBe('jsonl');
    expect(importFormatOfFileName('dir/users.csv')).toBe('csv');
    expect(importFormatOfFileName('users.txt')).toBeUndefined();
    expect(importFormatOfFileName('csv')).toBeUndefined();
  });
});
