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
          const expected = createHmac('sha256', KEY).update(bytes).digest();
          assert.deepEqual(Buffer.from(await backend.hmacSign(key, data)), expected);
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
        const mac = createHmac('sha256', KEY).update(signed, 'latin1').digest();
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
