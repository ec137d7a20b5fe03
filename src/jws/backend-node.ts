/**
 * node:crypto backend. Synchronous where node:crypto is, so the hot path
 * (HS256 issue/validate) costs no extra promise hops.
 *
 * @module
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import type { CryptoBackend, KeyHandle } from './backend.ts';

function asKeyObject(key: KeyHandle): KeyObject {
  return key as KeyObject;
}

/**
 * Node's `'latin1'` decoding keeps only the low byte of each UTF-16 unit, so
 * `'\u014a'` would hash as `'J'`: a presented string other than the signed one
 * would verify. Signing inputs are ASCII; refuse anything above 0xFF (the web
 * backend does the same).
 */
const ABOVE_LATIN1 = /[\u0100-\uffff]/;

function signable(data: string): Buffer {
  if (ABOVE_LATIN1.test(data)) throw new Error('data to sign must be a one-byte-per-character string');
  return Buffer.from(data, 'latin1');
}

function assertP256(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('not a P-256 key');
  }
  return key;
}

/**
 * The node:crypto implementation of {@link CryptoBackend}: the default on Node
 * (synchronous, so HS256 costs no extra promise hops).
 *
 * @example
 * ```ts
 * import { nodeCryptoBackend } from 'ati-client/node';
 * await issueToken({ secret, sub: 'a', scope: '', crypto: nodeCryptoBackend });
 * ```
 */
export const nodeCryptoBackend: CryptoBackend = Object.freeze({
  name: 'node',
  importHmacKey(raw: Uint8Array): KeyHandle {
    return createSecretKey(raw);
  },
  hmacSign(key: KeyHandle, data: string): Uint8Array {
    if (ABOVE_LATIN1.test(data)) throw new Error('data to sign must be a one-byte-per-character string');
    return createHmac('sha256', asKeyObject(key)).update(data, 'latin1').digest();
  },
  hmacVerify(key: KeyHandle, data: string, mac: Uint8Array): boolean {
    if (ABOVE_LATIN1.test(data)) return false;
    const expected = createHmac('sha256', asKeyObject(key)).update(data, 'latin1').digest();
    return mac.length === expected.length && timingSafeEqual(expected, mac);
  },
  importEcPublicKey(spki: Uint8Array): KeyHandle {
    return assertP256(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
  },
  importEcPrivateKey(pkcs8: Uint8Array): KeyHandle {
    return assertP256(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
  },
  ecdsaSign(key: KeyHandle, data: string): Uint8Array {
    return sign('sha256', signable(data), { key: asKeyObject(key), dsaEncoding: 'ieee-p1363' });
  },
  ecdsaVerify(key: KeyHandle, data: string, signature: Uint8Array): boolean {
    if (signature.length !== 64 || ABOVE_LATIN1.test(data)) return false;
    return verify(
      'sha256',
      Buffer.from(data, 'latin1'),
      { key: asKeyObject(key), dsaEncoding: 'ieee-p1363' },
      signature,
    );
  },
  async generateEcKeyPair(): Promise<{ pkcs8: Uint8Array; spki: Uint8Array }> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    return {
      pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
      spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    };
  },
});

export { nodeCryptoBackend as backend };
