/**
 * Virtual key strings (contract §9): their shape and the hash the proxy
 * stores and names them by. Web Crypto only, so this runs on every runtime.
 *
 * @module
 */

import { AtiError } from '../errors.ts';
import { hexEncode } from '../jws/encoding.ts';

/** Every raw virtual key starts with this. */
export const VIRTUAL_KEY_PREFIX = 'ati-key_';

/**
 * `ati-key_` + base64url without padding of 16 random bytes: 22 characters,
 * the last of which carries 2 bits and 4 zero bits (so it is one of `AQgw`).
 */
const CANONICAL_KEY = /^ati-key_[A-Za-z0-9_-]{21}[AQgw]$/;

/**
 * Whether `raw` has the exact shape of a key the proxy issues (contract §9):
 * `ati-key_` followed by the canonical base64url form of 16 bytes (30
 * characters in all). A shape check only: it says nothing about whether the
 * key exists or is active.
 *
 * @example
 * ```ts
 * isVirtualKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA'); // true
 * isVirtualKey('Bearer eyJ…'); // false
 * ```
 */
export function isVirtualKey(raw: unknown): raw is string {
  return typeof raw === 'string' && CANONICAL_KEY.test(raw);
}

/**
 * The lowercase hex SHA-256 of the whole raw key, prefix included: the
 * `token_hash` the proxy stores instead of the key and the `{hash}` of the
 * admin paths (contract §9). Any string is hashed as its UTF-8 bytes, as the
 * proxy hashes whatever follows `Ati-Key `.
 *
 * @returns 64 lowercase hex digits.
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` when `raw` is not a string, or
 *   has lone surrogates (no header could carry it).
 * @example
 * ```ts
 * await hashVirtualKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA');
 * // '26fb797e3c80b913640cab34c13407f667b2c3e45d6a65f0b77a9dc0a0994d76'
 * ```
 */
export async function hashVirtualKey(raw: string): Promise<string> {
  if (typeof raw !== 'string' || !raw.isWellFormed()) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'raw key must be a well-formed string');
  }
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(raw)),
  );
  return hexEncode(digest);
}
