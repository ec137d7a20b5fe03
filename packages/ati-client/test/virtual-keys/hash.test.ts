/**
 * hashVirtualKey against the contract's vector and node:crypto; isVirtualKey
 * against the exact shape the proxy issues (contract §9).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AtiError } from '../../src/errors.ts';
import { hashVirtualKey, isVirtualKey, VIRTUAL_KEY_PREFIX } from '../../src/virtual-keys/hash.ts';

describe('hashVirtualKey', () => {
  it('matches the contract §9 vector (the prefix is hashed too)', async () => {
    assert.equal(
      await hashVirtualKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA'),
      '26fb797e3c80b913640cab34c13407f667b2c3e45d6a65f0b77a9dc0a0994d76',
    );
  });

  it('is the lowercase hex SHA-256 of the UTF-8 bytes, for any well-formed string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 64 }), async (raw) => {
        assert.equal(await hashVirtualKey(raw), createHash('sha256').update(raw, 'utf8').digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('hashes the raw string untrimmed: a space changes the hash', async () => {
    assert.notEqual(
      await hashVirtualKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA '),
      await hashVirtualKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA'),
    );
  });

  for (const [name, value] of [
    ['a number', 42],
    ['undefined', undefined],
    ['a lone surrogate', 'ati-key_\ud800'],
  ] as const) {
    it(`refuses ${name} with ERR_INVALID_ARGUMENT`, async () => {
      await assert.rejects(
        hashVirtualKey(value as string),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
      );
    });
  }
});

describe('isVirtualKey', () => {
  it('accepts every key of the proxy shape: ati-key_ + base64url(16 random bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const raw = `${VIRTUAL_KEY_PREFIX}${Buffer.from(bytes).toString('base64url')}`;
        assert.equal(raw.length, 30);
        assert.ok(isVirtualKey(raw), raw);
      }),
    );
    assert.ok(isVirtualKey(`ati-key_${randomBytes(16).toString('base64url')}`));
  });

  const rejected: [string, unknown][] = [
    ['empty', ''],
    ['prefix only', 'ati-key_'],
    ['wrong prefix case', 'ATI-KEY_AAAAAAAAAAAAAAAAAAAAAA'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ['21 characters', 'ati-key_AAAAAAAAAAAAAAAAAAAAA'],
    ['23 characters', 'ati-key_AAAAAAAAAAAAAAAAAAAAAAA'],
    ['padding', 'ati-key_AAAAAAAAAAAAAAAAAAAAAA=='],
    ['standard base64 characters', 'ati-key_+AAAAAAAAAAAAAAAAAAAAA'],
    ['non-canonical last character (stray low bits)', 'ati-key_AAAAAAAAAAAAAAAAAAAAAB'],
    ['surrounding space', ' ati-key_AAAAAAAAAAAAAAAAAAAAAA'],
    ['trailing newline', 'ati-key_AAAAAAAAAAAAAAAAAAAAAA\n'],
    ['the Authorization value', 'Ati-Key ati-key_AAAAAAAAAAAAAAAAAAAAAA'],
    ['not a string', 123],
    ['null', null],
  ];
  for (const [name, value] of rejected) {
    it(`rejects ${name}`, () => assert.equal(isVirtualKey(value), false));
  }
});
