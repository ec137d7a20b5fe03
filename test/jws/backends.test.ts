/**
 * The two CryptoBackend implementations must hash exactly the same bytes for
 * the same `data` string (STYLE habit 6), checked against node:crypto over
 * raw bytes.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
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
    it(`${backend.name}: keys of 1-150 bytes (hashed above the 64-byte block), messages of 0-10,000 bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 150 }),
          fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 8000, maxLength: 10_000 })),
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
