import { describe, expect, it } from '@jest/globals';
import { copyPayload } from '../../src/storage/memory/copy-payload.ts';

describe('copyPayload (the memory store’s copies)', () => {
  it('copies deeply: changing the copy changes nothing of the original', () => {
    const original = { a: { b: [1, { c: 'x' }] }, d: true, e: null };
    const copied = copyPayload(original);
    expect(copied).toEqual(original);
    ((copied.a as { b: unknown[] }).b[1] as { c: string }).c = 'changed';
    expect(original.a.b[1]).toEqual({ c: 'x' });
  });

  it('stores what JSON would, as the durable backends do', () => {
    expect(copyPayload({ kept: 1, gone: undefined, list: [undefined, 2] })).toEqual({
      kept: 1,
      list: [null, 2],
    });
    expect('gone' in copyPayload({ gone: undefined })).toBe(false);
  });

  it('leaves values that are not JSON-shaped to structuredClone', () => {
    const when = new Date(0);
    const copied = copyPayload({ when }) as { when: Date };
    expect(copied.when).toEqual(when);
    expect(copied.when).not.toBe(when);
  });
});
