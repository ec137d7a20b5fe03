/**
 * Web Crypto backend: browsers, Deno, Bun, workerd, and Node too.
 *
 * @module
 */
import type { CryptoBackend, KeyHandle } from './backend.ts';

const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;
const ECDSA_IMPORT = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new Error('Web Crypto (crypto.subtle) is not available in this runtime');
  return s;
}

function asCryptoKey(key: KeyHandle): CryptoKey {
  return key as CryptoKey;
}

/** Copy into a fresh ArrayBuffer-backed view (Web Crypto's BufferSource typing). */
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** The Web Crypto implementation of {@link CryptoBackend}. */
export const webCryptoBackend: CryptoBackend = Object.freeze({
  name: 'web',
  importHmacKey(raw: Uint8Array): Promise<KeyHandle> {
    return subtle().importKey('raw', buf(raw), HMAC, false, ['sign', 'verify']);
  },
  async hmacSign(key: KeyHandle, data: string): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign('HMAC', asCryptoKey(key), encoder.encode(data)));
  },
  hmacVerify(key: KeyHandle, data: string, mac: Uint8Array): Promise<boolean> {
    // subtle.verify compares in constant time.
    return subtle().verify('HMAC', asCryptoKey(key), buf(mac), encoder.encode(data));
  },
  importEcPublicKey(spki: Uint8Array): Promise<KeyHandle> {
    return subtle().importKey('spki', buf(spki), ECDSA_IMPORT, false, ['verify']);
  },
  importEcPrivateKey(pkcs8: Uint8Array): Promise<KeyHandle> {
    return subtle().importKey('pkcs8', buf(pkcs8), ECDSA_IMPORT, false, ['sign']);
  },
  async ecdsaSign(key: KeyHandle, data: string): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign(ECDSA_SIGN, asCryptoKey(key), encoder.encode(data)));
  },
  async ecdsaVerify(key: KeyHandle, data: string, signature: Uint8Array): Promise<boolean> {
    if (signature.length !== 64) return false;
    return subtle().verify(ECDSA_SIGN, asCryptoKey(key), buf(signature), encoder.encode(data));
  },
  async generateEcKeyPair(): Promise<{ pkcs8: Uint8Array; spki: Uint8Array }> {
    const pair = await subtle().generateKey(ECDSA_IMPORT, true, ['sign', 'verify']);
    const [pkcs8, spki] = await Promise.all([
      subtle().exportKey('pkcs8', pair.privateKey),
      subtle().exportKey('spki', pair.publicKey),
    ]);
    return { pkcs8: new Uint8Array(pkcs8), spki: new Uint8Array(spki) };
  },
});

export { webCryptoBackend as backend };
