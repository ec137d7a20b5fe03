/**
 * Key resolution (src/jws/resolve.ts): a key that fails to import is one
 * coded rejection, never a stray promise that rejects later.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import type { CryptoBackend } from '../../src/jws/backend.ts';
import { nodeCryptoBackend } from '../../src/jws/backend-node.ts';
import { webCryptoBackend } from '../../src/jws/backend-web.ts';
import type { JwkLike } from '../../src/jws/keys.ts';
import { hmacKey } from '../../src/jws/resolve.ts';
import { validateToken } from '../../src/token/validate.ts';

const BACKENDS: readonly CryptoBackend[] = [nodeCryptoBackend, webCryptoBackend];
// A token that parses and names ES256, so validation reaches key import.
const TOKEN = `eyJhbGciOiJFUzI1NiJ9.e30.${'A'.repeat(86)}`;

/** Collect unhandled rejections while `fn` runs and for a few turns after it. */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    await fn();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  return seen;
}

describe('public keys that fail to import', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const good = publicKey.export({ format: 'jwk' }) as JwkLike;
  // Right length and prefix, so only the backend's import can refuse it.
  const offCurve: JwkLike = { ...good, y: Buffer.alloc(32, 1).toString('base64url') };
  const inputs: Array<[string, JwkLike | { keys: JwkLike[] }]> = [
    ['a JWK whose point is not on the curve', offCurve],
    ['a JWKS whose first key is not on the curve', { keys: [offCurve, good] }],
    ['a JWKS whose second key is not on the curve', { keys: [good, offCurve] }],
  ];
  for (const backend of BACKENDS) {
    for (const [name, key] of inputs) {
      it(`${backend.name}: ${name} rejects once with ERR_KEY_INVALID and leaves no unhandled rejection`, async () => {
        const stray = await unhandledDuring(async () => {
          await assert.rejects(validateToken(TOKEN, { publicKey: key, crypto: backend }), {
            code: 'ERR_KEY_INVALID',
          });
        });
        assert.deepEqual(stray, []);
      });
    }
  }
});

describe('an asynchronous key import is remembered as its handle', () => {
  it('the first hmacKey on Web Crypto is a promise; once settled, the same secret resolves synchronously', async () => {
    const secret = 'c3'.repeat(32);
    const first = hmacKey(webCryptoBackend, secret);
    assert.ok(first instanceof Promise);
    const handle = await first;
    await new Promise((r) => setImmediate(r));
    const second = hmacKey(webCryptoBackend, secret);
    assert.equal(second instanceof Promise, false);
    assert.equal(second, handle);
  });
});

describe('public keys given as objects are imported once per key', () => {
  it('a JWK or JWKS object, even a fresh copy each call, imports each key only on first use', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as JwkLike), kid: 'k1' };
    let imports = 0;
    const counting: CryptoBackend = {
      ...nodeCryptoBackend,
      name: 'counting',
      importEcPublicKey: (spki) => {
        imports++;
        return nodeCryptoBackend.importEcPublicKey(spki);
      },
    };
    const { issueToken } = await import('../../src/token/issue.ts');
    const token = await issueToken({
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      sub: 'a',
      scope: '',
    });
    for (let i = 0; i < 5; i++) {
      await validateToken(token, { publicKey: { ...jwk }, crypto: counting });
      await validateToken(token, { publicKey: { keys: [{ ...jwk }] }, crypto: counting });
    }
    assert.equal(imports, 1);
  });
});
