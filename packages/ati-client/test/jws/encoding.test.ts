/**
 * The native (Buffer) fast paths of the codecs agree with the portable
 * definitions on every input: same bytes, same verdicts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import {
  base64urlDecode,
  base64urlDecodeTransient,
  base64urlEncode,
  base64urlEncodeUtf8,
  utf8Encode,
} from '../../src/jws/encoding.ts';

it('base64urlEncodeUtf8(text) equals base64urlEncode(utf8Encode(text)) for any well-formed string', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      assert.equal(base64urlEncodeUtf8(text), base64urlEncode(utf8Encode(text)));
    }),
    { numRuns: 2000 },
  );
});

it('base64urlDecodeTransient gives the same verdict and bytes as base64urlDecode', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \n\u00e9';
  const arb = fc.oneof(
    fc.uint8Array({ maxLength: 80 }).map((b) => base64urlEncode(b)),
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 40 }),
    fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => `${base64urlEncode(b)}=`),
  );
  fc.assert(
    fc.property(arb, (text) => {
      const a = base64urlDecode(text);
      const b = base64urlDecodeTransient(text);
      assert.equal(a === undefined, b === undefined, JSON.stringify(text));
      if (a !== undefined && b !== undefined) assert.deepEqual(Uint8Array.from(b), a);
    }),
    { numRuns: 5000 },
  );
});

it('rejects non-canonical trailing bits and padding on both paths', () => {
  for (const bad of ['AB', 'AAB', 'QQ==', 'QQ=', 'A', 'a+b_', 'a/b_']) {
    assert.equal(base64urlDecode(bad), undefined, bad);
    assert.equal(base64urlDecodeTransient(bad), undefined, bad);
  }
  assert.deepEqual(base64urlDecode('QQ'), Uint8Array.of(0x41));
});
