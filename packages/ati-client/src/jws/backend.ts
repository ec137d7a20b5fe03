/**
 * The one interface both crypto backends implement (STYLE habit 6): node:crypto
 * on Node, Bun and Deno (the `node` condition), Web Crypto everywhere else. `package.json#imports` picks one for
 * `#crypto`; both pass the same test suite.
 *
 * @module
 */

/** An imported key, opaque outside its backend. */
export type KeyHandle = object;

/** Sync-or-async result: node:crypto answers synchronously, Web Crypto with a promise. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The crypto primitives ati-client needs. All `data` arguments are the ASCII
 * JWS signing input (`<header>.<payload>`), read as one byte per UTF-16 unit;
 * a string with a unit above 0xFF never verifies and cannot be signed.
 */
export interface CryptoBackend {
  /** `'node'` or `'web'`. */
  readonly name: string;
  /** Import raw HMAC-SHA256 key bytes. */
  importHmacKey(raw: Uint8Array): MaybePromise<KeyHandle>;
  /**
   * HMAC-SHA256 of `data` as unpadded base64url (43 characters): the JWS
   * signature segment itself, so the HS256 hot path never holds the MAC as
   * bytes.
   */
  hmacSign(key: KeyHandle, data: string): MaybePromise<string>;
  /**
   * Constant-time check that `signature` is exactly the unpadded, canonical
   * base64url of the HMAC-SHA256 of `data` (any other spelling of the same
   * bytes is `false`, as in the proxy's strict base64url decoder).
   */
  hmacVerify(key: KeyHandle, data: string, signature: string): MaybePromise<boolean>;
  /** Import a P-256 SPKI DER public key; throws if it is not one. */
  importEcPublicKey(spki: Uint8Array): MaybePromise<KeyHandle>;
  /** Import a P-256 PKCS#8 DER private key; throws if it is not one. */
  importEcPrivateKey(pkcs8: Uint8Array): MaybePromise<KeyHandle>;
  /** ECDSA P-256 SHA-256 signature in IEEE P1363 form (`r‖s`, 64 bytes). */
  ecdsaSign(key: KeyHandle, data: string): MaybePromise<Uint8Array>;
  /** Verify an IEEE P1363 signature; any other length is `false`. */
  ecdsaVerify(key: KeyHandle, data: string, signature: Uint8Array): MaybePromise<boolean>;
  /** A fresh P-256 key pair as DER. */
  generateEcKeyPair(): Promise<{
    /** The private key, PKCS#8 DER. */
    pkcs8: Uint8Array;
    /** The public key, SPKI DER. */
    spki: Uint8Array;
  }>;
}
