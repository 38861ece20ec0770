import { describe, expect, it } from '@jest/globals';
import { createGrantReferenceCodec } from '../../src/oidc/grant-reference.ts';

const keyA = 'a'.repeat(32);
const keyB = 'b'.repeat(32);

describe('grant references in JWT access tokens', () => {
  it('opens what it sealed, and seals the same grant differently each time', () => {
    const codec = createGrantReferenceCodec([keyA]);
    const first = codec.seal('grant-123');
    const second = codec.seal('grant-123');
    expect(first).not.toBe(second);
    expect(first).not.toContain('grant-123');
    expect(codec.open(first)).toBe('grant-123');
    expect(codec.open(second)).toBe('grant-123');
  });

  it('opens nothing altered, foreign or malformed', () => {
    const codec = createGrantReferenceCodec([keyA]);
    const sealed = codec.seal('grant-123');
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(codec.open(raw.toString('base64url'))).toBeUndefined();
    expect(codec.open(createGrantReferenceCodec([keyB]).seal('grant-123'))).toBeUndefined();
    for (const junk of ['', 'x', 'A'.repeat(600), '!!!']) expect(codec.open(junk)).toBeUndefined();
  });

  it('rotates with the cookie keys: the first seals, every listed one opens', () => {
    const before = createGrantReferenceCodec([keyA]);
    const sealedBefore = before.seal('g1');
    const rotated = createGrantReferenceCodec([keyB, keyA]);
    expect(rotated.open(sealedBefore)).toBe('g1');
    const sealedAfter = rotated.seal('g2');
    expect(createGrantReferenceCodec([keyB]).open(sealedAfter)).toBe('g2');
    // Once the old key is dropped, what it sealed no longer opens (introspection fails closed).
    expect(createGrantReferenceCodec([keyB]).open(sealedBefore)).toBeUndefined();
  });
});
