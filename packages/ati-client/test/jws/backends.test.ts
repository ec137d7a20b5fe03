/**
 * The two CryptoBackend implementations must hash exactly the same bytes for
 * the same `data` string (STYLE habit 6), checked against node:crypto over
 * raw bytes.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import type { CryptoBackend } from '../../src/jws/backend.ts';
import { nodeCryptoBackend } from '../../src/jws/backend-node.ts';
import { webCryptoBackend } from '../../src/jws/backend-web.ts';

const BACKENDS: readonly CryptoBackend[] = [nodeCryptoBackend, webCryptoBackend];
const KEY = new Uint8Array(32).fill(7);

describe('backends read data as one byte per character', () => {
  for (const backend of BACKENDS) {
    it(`${backend.name}: HMAC of a 0x00-0xFF string equals HMAC of those bytes`, async () => {
      const key = await backend.importHmacKey(KEY);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), async (bytes) => {
          const data = Buffer.from(bytes).toString('latin1');
          const expected = createHmac('sha256', KEY).update(bytes).digest('base64url');
          assert.equal(await backend.hmacSign(key, data), expected);
          assert.equal(await backend.hmacVerify(key, data, expected), true);
        }),
        { numRuns: 200 },
      );
    });

    it(`${backend.name}: ECDSA verifies a signature over the bytes of a 0x00-0xFF string`, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      const handle = await backend.importEcPublicKey(spki);
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const sig = sign('sha256', bytes, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      assert.equal(await backend.ecdsaVerify(handle, Buffer.from(bytes).toString('latin1'), sig), true);
    });

    it(`${backend.name}: a character above 0xFF never verifies and cannot be signed (no aliasing)`, async () => {
      const key = await backend.importHmacKey(KEY);
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const ecPub = await backend.importEcPublicKey(
        new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
      );
      const ecPriv = await backend.importEcPrivateKey(
        new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
      );
      for (const [signed, presented] of [
        ['eyJhIjoxfQ', 'eyJhIjoxfQ'.replace('J', '\u014a')], // U+014A truncates to 'J'
        ['abc', 'ab\u0163'], // U+0163 truncates to 'c'
        ['x?', 'x\ud83d'], // lone surrogate
      ] as const) {
        const mac = createHmac('sha256', KEY).update(signed, 'latin1').digest('base64url');
        assert.equal(await backend.hmacVerify(key, signed, mac), true);
        assert.equal(await backend.hmacVerify(key, presented, mac), false);
        const sig = sign('sha256', Buffer.from(signed, 'latin1'), {
          key: privateKey,
          dsaEncoding: 'ieee-p1363',
        });
        assert.equal(await backend.ecdsaVerify(ecPub, signed, sig), true);
        assert.equal(await backend.ecdsaVerify(ecPub, presented, sig), false);
        await assert.rejects(async () => backend.hmacSign(key, presented));
        await assert.rejects(async () => backend.ecdsaSign(ecPriv, presented));
      }
    });
  }
});

describe('HMAC-SHA256 matches node:crypto createHmac for any key and message length', () => {
  for (const backend of BACKENDS) {
    // Web Crypto refuses an empty HMAC key; node:crypto takes it.
    const minKey = backend.name === 'web' ? 1 : 0;
    it(`${backend.name}: keys of ${minKey}-150 bytes (hashed above the 64-byte block), messages of 0-10,000 bytes`, async () => {
      // 8128 bytes of message fill the node backend's 8 KiB scratch after the 64-byte K ⊕ ipad block.
      const atScratchEdge = fc
        .constantFrom(8127, 8128, 8129, 8192, 8193)
        .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: minKey, maxLength: 150 }),
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }),
            atScratchEdge,
            fc.uint8Array({ minLength: 8000, maxLength: 10_000 }),
          ),
          async (rawKey, bytes) => {
            const key = await backend.importHmacKey(rawKey);
            const data = Buffer.from(bytes).toString('latin1');
            const expected = createHmac('sha256', rawKey).update(bytes).digest('base64url');
            assert.equal(await backend.hmacSign(key, data), expected);
            assert.equal(await backend.hmacVerify(key, data, expected), true);
          },
        ),
        { numRuns: 150 },
      );
    });

    it(`${backend.name}: only the canonical unpadded base64url of the MAC verifies`, async () => {
      const key = await backend.importHmacKey(KEY);
      const data = 'eyJhbGciOiJIUzI1NiJ9.e30';
      const mac = createHmac('sha256', KEY).update(data).digest();
      const good = mac.toString('base64url');
      assert.equal(await backend.hmacVerify(key, data, good), true);
      // The last character carries 2 spare bits: set one and the bytes decode the same.
      const last = good.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const respelled = good.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1]!;
      assert.notEqual(respelled, good);
      for (const bad of [
        `${good}=`,
        respelled,
        good.slice(0, -1),
        mac.toString('base64'),
        mac.subarray(0, 16).toString('base64url'),
        '',
      ]) {
        if (bad === good) continue;
        assert.equal(await backend.hmacVerify(key, data, bad), false, bad);
      }
    });
  }
});

describe('node backend HMAC key handles', () => {
  it('print and serialize without key material, and the key is not copied into the Buffer pool', () => {
    const raw = crypto.getRandomValues(new Uint8Array(32)); // not pooled itself
    const handle = nodeCryptoBackend.importHmacKey(raw);
    // Not through Buffer.from(raw): that copy would itself land in the pool checked below.
    const hexKey = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
    for (const text of [inspect(handle, { showHidden: true, depth: 5 }), JSON.stringify(handle)]) {
      assert.ok(!text.includes(hexKey.slice(0, 8)), text);
      assert.ok(!/\b[0-9a-f]{2}( [0-9a-f]{2}){7}/.test(text), text); // no Buffer byte dump
    }
    assert.equal(JSON.stringify(handle), '{}');
    assert.ok(Object.isFrozen(handle));
    // The slab small Buffers are cut from: any of them exposes it through `.buffer`.
    const pool = Buffer.from(Buffer.from('probe').buffer);
    assert.equal(pool.includes(Buffer.from(raw.buffer, raw.byteOffset, raw.length)), false); // a view, not a copy
  });

  it('refuses a handle it did not make', () => {
    assert.throws(() => nodeCryptoBackend.hmacSign({}, 'a.b'));
    assert.equal(
      (() => {
        try {
          return nodeCryptoBackend.hmacVerify({}, 'a.b', 'x');
        } catch {
          return 'threw';
        }
      })(),
      'threw',
    );
  });
});
