/**
 * sealKeyring / openKeyring / the key codec against contract §8: the vector
 * byte for byte, round trips, every tampered byte, hostile plaintexts and
 * keys, and no value in any message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compareCodePoints,
  decodeKeyringKey,
  encodeKeyringKey,
  openKeyring,
  sealKeyring,
} from '../../src/keyring/keyring.ts';
import { rejectsCoded, sealRaw, throwsCoded, VECTOR, warningsDuring } from '../helpers/keyring.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('the §8 vector', () => {
  it('sealKeyring reproduces keyring.enc byte for byte', async () => {
    const { keyringEnc, key } = await sealKeyring(VECTOR.entries, { key: VECTOR.key, nonce: VECTOR.nonce });
    assert.equal(hex(keyringEnc), VECTOR.keyringEncHex);
    assert.equal(keyringEnc.length, 56);
    assert.deepEqual(key, VECTOR.key);
  });

  it('encodeKeyringKey gives the key file content, decodeKeyringKey reads it back', () => {
    assert.equal(encodeKeyringKey(VECTOR.key), VECTOR.keyText);
    assert.deepEqual(decodeKeyringKey(VECTOR.keyText), VECTOR.key);
  });

  it('openKeyring opens it', async () => {
    const bytes = Buffer.from(VECTOR.keyringEncHex, 'hex');
    assert.deepEqual(await openKeyring(bytes, VECTOR.key), VECTOR.entries);
  });
});

describe('round trips', () => {
  it('any entries come back equal, with a fresh key and nonce each time', async () => {
    const name = fc.string({ unit: 'binary', minLength: 1 }).map((s) => s.toLowerCase());
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, fc.string({ unit: 'binary' })), async (entries) => {
        const sealed = await sealKeyring(entries);
        assert.equal(sealed.key.length, 32);
        assert.deepEqual({ ...(await openKeyring(sealed.keyringEnc, sealed.key)) }, { ...entries });
      }),
      { numRuns: 100 },
    );
  });

  it('a Map works as well as an object, and a __proto__ name stays an own entry', async () => {
    const entries = new Map([
      ['__proto__', 'p'],
      ['b', 'two'],
    ]);
    const { keyringEnc, key } = await sealKeyring(entries);
    const opened = await openKeyring(keyringEnc, key);
    assert.deepEqual(Object.keys(opened).sort(), ['__proto__', 'b']);
    assert.equal(Object.getOwnPropertyDescriptor(opened, '__proto__')?.value, 'p');
    assert.equal(Object.getPrototypeOf(opened), Object.prototype);
  });

  it('names are sealed in code point order (BTreeMap order), whatever the input order', async () => {
    const entries = { '\u{1F600}': 'a', '\uFFFD': 'b', z: 'c', a: 'd' };
    const { keyringEnc } = await sealKeyring(entries, { key: VECTOR.key, nonce: VECTOR.nonce });
    const expected = await sealRaw(
      utf8('{"a":"d","z":"c","\uFFFD":"b","\u{1F600}":"a"}'),
      VECTOR.key,
      VECTOR.nonce,
    );
    assert.equal(hex(keyringEnc), hex(expected));
  });

  it('compareCodePoints is UTF-8 byte order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
        assert.equal(Math.sign(compareCodePoints(a, b)), bytes);
      }),
    );
  });
});

describe('tampering', () => {
  it('changing any byte (nonce, ciphertext or tag) fails with ERR_KEYRING_DECRYPT_FAILED', async () => {
    const good = Buffer.from(VECTOR.keyringEncHex, 'hex');
    const regions = new Set<string>();
    for (let i = 0; i < good.length; i++) {
      const bad = new Uint8Array(good);
      bad[i]! ^= 0x01;
      await rejectsCoded(openKeyring(bad, VECTOR.key), 'ERR_KEYRING_DECRYPT_FAILED', ['abc123']);
      regions.add(i < 12 ? 'nonce' : i < good.length - 16 ? 'ciphertext' : 'tag');
    }
    assert.deepEqual([...regions].sort(), ['ciphertext', 'nonce', 'tag']);
  });

  it('a wrong key, a truncated tag or an extra byte fails the same way', async () => {
    const good = Buffer.from(VECTOR.keyringEncHex, 'hex');
    const wrongKey = new Uint8Array(VECTOR.key);
    wrongKey[31]! ^= 0x80;
    await rejectsCoded(openKeyring(good, wrongKey), 'ERR_KEYRING_DECRYPT_FAILED');
    await rejectsCoded(
      openKeyring(good.subarray(0, good.length - 1), VECTOR.key),
      'ERR_KEYRING_DECRYPT_FAILED',
    );
    await rejectsCoded(
      openKeyring(Buffer.concat([good, Buffer.of(0)]), VECTOR.key),
      'ERR_KEYRING_DECRYPT_FAILED',
    );
  });

  it('a file shorter than nonce + tag (28 bytes) fails with ERR_KEYRING_TOO_SHORT', async () => {
    for (let n = 0; n < 28; n++) {
      await rejectsCoded(openKeyring(new Uint8Array(n), VECTOR.key), 'ERR_KEYRING_TOO_SHORT');
    }
    // 28 bytes is long enough to try: an empty plaintext, then not a JSON object.
    await rejectsCoded(openKeyring(await sealRaw(new Uint8Array(0)), VECTOR.key), 'ERR_KEYRING_FORMAT');
  });
});

describe('hostile plaintexts (what ati refuses to load)', () => {
  const refused: [string, Uint8Array][] = [
    ['a number value', utf8('{"a":1}')],
    ['a null value', utf8('{"secret_name":null}')],
    ['an object value', utf8('{"a":{"b":"c"}}')],
    ['an array', utf8('["a"]')],
    ['a string', utf8('"a"')],
    ['null', utf8('null')],
    ['not JSON', utf8('a=b')],
    ['trailing garbage', utf8('{"a":"b"}x')],
    ['a BOM (serde_json refuses it)', utf8('\ufeff{"a":"b"}')],
    ['invalid UTF-8', Uint8Array.of(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d)],
    ['a lone surrogate escape in a value', utf8('{"a":"\\ud800"}')],
    ['a lone surrogate escape in a name', utf8('{"\\udc00":"x"}')],
  ];
  for (const [what, plaintext] of refused) {
    it(`${what} → ERR_KEYRING_FORMAT`, async () => {
      await rejectsCoded(openKeyring(await sealRaw(plaintext), VECTOR.key), 'ERR_KEYRING_FORMAT', [
        '"b"',
        '\\ud800',
      ]);
    });
  }

  it('accepts what serde accepts: surrounding whitespace, a duplicate name (last wins), an empty object', async () => {
    assert.deepEqual(await openKeyring(await sealRaw(utf8(' \n{"a":"1","a":"2"}\t')), VECTOR.key), {
      a: '2',
    });
    assert.deepEqual(await openKeyring(await sealRaw(utf8('{}')), VECTOR.key), {});
  });

  it('the error for a non-string value names the entry, never a value', async () => {
    const err = await rejectsCoded(
      openKeyring(await sealRaw(utf8('{"ok":"sk-live-123","bad":4242}')), VECTOR.key),
      'ERR_KEYRING_FORMAT',
      ['sk-live-123', '4242'],
    );
    assert.match(err.message, /"bad"/);
  });
});

describe('sealKeyring input checks', () => {
  const secret = 'sk-live-do-not-print';
  const bad: [string, unknown][] = [
    ['a number value', { a: 1 }],
    ['a null value', { a: null }],
    ['an undefined value', { a: undefined }],
    ['an object value', { a: { secret } }],
    ['an empty name', { '': secret }],
    ['a lone surrogate in a value', { a: `${secret}\ud800` }],
    ['a lone surrogate in a name', { '\udfff': secret }],
    ['a Map with a non-string name', new Map<unknown, string>([[1, secret]])],
    ['null entries', null],
    ['an array', [secret]],
    ['a string', secret],
  ];
  for (const [what, entries] of bad) {
    it(`${what} → ERR_KEYRING_ENTRY_INVALID without the value`, async () => {
      await rejectsCoded(sealKeyring(entries as Record<string, string>), 'ERR_KEYRING_ENTRY_INVALID', [
        secret,
      ]);
    });
  }

  it('a key that is not 32 bytes or a nonce that is not 12 → ERR_KEYRING_KEY_INVALID', async () => {
    for (const key of [
      new Uint8Array(31),
      new Uint8Array(33),
      new Uint8Array(0),
      'k'.repeat(32),
      [...VECTOR.key],
    ]) {
      await rejectsCoded(sealKeyring({ a: 'b' }, { key: key as Uint8Array }), 'ERR_KEYRING_KEY_INVALID');
      await rejectsCoded(openKeyring(new Uint8Array(56), key as Uint8Array), 'ERR_KEYRING_KEY_INVALID');
    }
    for (const nonce of [new Uint8Array(11), new Uint8Array(16)]) {
      await rejectsCoded(sealKeyring({ a: 'b' }, { nonce }), 'ERR_KEYRING_KEY_INVALID');
    }
  });

  it('a name that is not lower case is kept and warned about (ATI_KEYRING_NAME_CASE), naming no value', async () => {
    let opened: Record<string, string> = {};
    const warnings = await warningsDuring('ATI_KEYRING_NAME_CASE', async () => {
      const { keyringEnc, key } = await sealKeyring({ GitHub_Token: secret, plain: 'x' });
      opened = await openKeyring(keyringEnc, key);
    });
    assert.deepEqual(opened, { GitHub_Token: secret, plain: 'x' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /"GitHub_Token"/);
    assert.ok(!warnings[0]!.includes(secret));
  });

  it("doesn't keep a reference to the caller's key", async () => {
    const key = new Uint8Array(VECTOR.key);
    const sealed = await sealKeyring({ a: 'b' }, { key });
    key.fill(0);
    assert.deepEqual(await openKeyring(sealed.keyringEnc, sealed.key), { a: 'b' });
  });
});

describe('decodeKeyringKey (the reader: trim, then strict standard base64 of 32 bytes)', () => {
  it('trims surrounding whitespace as Rust trim() does', () => {
    for (const pad of ['\n', ' \t\r\n', '\x85', '\u3000', '\u2028']) {
      assert.deepEqual(decodeKeyringKey(`${pad}${VECTOR.keyText}${pad}`), VECTOR.key);
    }
  });

  const refused: [string, string][] = [
    ['a BOM (not whitespace to Rust)', `\ufeff${VECTOR.keyText}`],
    ['no padding', VECTOR.keyText.slice(0, -1)],
    ['extra padding', `${VECTOR.keyText}=`],
    ['non-canonical trailing bits', `${VECTOR.keyText.slice(0, -2)}9=`],
    ['the URL-safe alphabet', '-_' + VECTOR.keyText.slice(2)],
    ['inner whitespace', `${VECTOR.keyText.slice(0, 10)} ${VECTOR.keyText.slice(10)}`],
    ['31 bytes', Buffer.alloc(31, 7).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['hex', Buffer.from(VECTOR.key).toString('hex')],
    ['empty', ''],
  ];
  for (const [what, text] of refused) {
    it(`${what} → ERR_KEYRING_KEY_INVALID, not quoting the text`, () => {
      throwsCoded(
        () => decodeKeyringKey(text),
        'ERR_KEYRING_KEY_INVALID',
        text.trim() === '' ? [] : [text.trim()],
      );
    });
  }

  it('round-trips any 32 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const text = encodeKeyringKey(key);
        assert.equal(text, Buffer.from(key).toString('base64'));
        assert.deepEqual(decodeKeyringKey(text), key);
      }),
    );
  });
});
