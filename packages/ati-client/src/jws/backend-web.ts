/**
 * Web Crypto backend: the default in browsers, workers (workerd) and any runtime
 * without the `node` import condition; usable on Node, Bun and Deno too.
 *
 * @module
 */
import type { CryptoBackend, KeyHandle } from './backend.ts';
import { base64urlDecode, base64urlEncode } from './encoding.ts';

const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;
const ECDSA_IMPORT = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * `data` as bytes, one per UTF-16 unit, exactly as the node backend reads it
 * (`'latin1'`), so both backends hash the same bytes for every string
 * (STYLE habit 6). `undefined` if a unit is above 0xFF: no signer produced
 * such a string (JWS signing inputs are ASCII), so it must never verify.
 */
function latin1(data: string): Uint8Array<ArrayBuffer> | undefined {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c > 0xff) return undefined;
    out[i] = c;
  }
  return out;
}

function signable(data: string): Uint8Array<ArrayBuffer> {
  const bytes = latin1(data);
  if (bytes === undefined) throw new Error('data to sign must be a one-byte-per-character string');
  return bytes;
}

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

/**
 * The Web Crypto implementation of {@link CryptoBackend}: the default outside
 * Node, and usable on Node too.
 *
 * @example
 * ```ts
 * await validateToken(token, { secret, crypto: webCryptoBackend });
 * ```
 */
export const webCryptoBackend: CryptoBackend = Object.freeze({
  name: 'web',
  importHmacKey(raw: Uint8Array): Promise<KeyHandle> {
    return subtle().importKey('raw', buf(raw), HMAC, false, ['sign', 'verify']);
  },
  async hmacSign(key: KeyHandle, data: string): Promise<string> {
    return base64urlEncode(new Uint8Array(await subtle().sign('HMAC', asCryptoKey(key), signable(data))));
  },
  async hmacVerify(key: KeyHandle, data: string, signature: string): Promise<boolean> {
    const bytes = latin1(data);
    // Strict decode: padding, foreign characters and non-zero trailing bits are refused here.
    const mac = base64urlDecode(signature);
    if (bytes === undefined || mac === undefined || mac.length !== 32) return false;
    // subtle.verify compares in constant time.
    return subtle().verify('HMAC', asCryptoKey(key), buf(mac), bytes);
  },
  importEcPublicKey(spki: Uint8Array): Promise<KeyHandle> {
    return subtle().importKey('spki', buf(spki), ECDSA_IMPORT, false, ['verify']);
  },
  importEcPrivateKey(pkcs8: Uint8Array): Promise<KeyHandle> {
    return subtle().importKey('pkcs8', buf(pkcs8), ECDSA_IMPORT, false, ['sign']);
  },
  async ecdsaSign(key: KeyHandle, data: string): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign(ECDSA_SIGN, asCryptoKey(key), signable(data)));
  },
  async ecdsaVerify(key: KeyHandle, data: string, signature: Uint8Array): Promise<boolean> {
    const bytes = latin1(data);
    if (signature.length !== 64 || bytes === undefined) return false;
    return subtle().verify(ECDSA_SIGN, asCryptoKey(key), buf(signature), bytes);
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
