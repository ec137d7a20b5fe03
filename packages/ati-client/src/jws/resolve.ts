/**
 * Turn caller key input into backend key handles, once. Handles are cached
 * per backend (bounded), so repeated issue/validate calls with the same
 * secret or PEM skip parsing and import: the hot path is HMAC + JSON only.
 *
 * @module
 */
import { TokenError } from '../errors.ts';
import { isPromiseLike } from '../util/values.ts';
import type { CryptoBackend, KeyHandle } from './backend.ts';
import { base64urlEncode, hexDecode } from './encoding.ts';
import {
  type PrivateKeyInput,
  type PublicKeyInput,
  privateKeyToPkcs8,
  publicKeyToSpki,
  type SpkiKey,
} from './keys.ts';

/** Minimum HS256 secret length in bytes (the 64 hex characters ATI documents). */
export const MIN_SECRET_BYTES = 32;
const CACHE_LIMIT = 64;

/** A verification key with the kid it was published under. */
export interface VerifyKey {
  handle: KeyHandle;
  kid: string | undefined;
}

type Cache = Map<unknown, Promise<unknown> | unknown>;
const caches = new WeakMap<CryptoBackend, Cache>();

function cacheFor(backend: CryptoBackend): Cache {
  let c = caches.get(backend);
  if (c === undefined) {
    c = new Map();
    caches.set(backend, c);
  }
  return c;
}

/**
 * Memoise `make(input)` per backend. String inputs are cached in a bounded
 * map; object inputs (JWKs) are not cached because callers may mutate them.
 * A failed import is never cached; an asynchronous one is replaced by its
 * handle once it settles, so later calls get the handle synchronously.
 */
function memo<T>(backend: CryptoBackend, key: string, make: () => T | Promise<T>): T | Promise<T> {
  const cache = cacheFor(backend);
  const hit = cache.get(key);
  if (hit !== undefined) return hit as T | Promise<T>;
  const made = make();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, made);
  if (made instanceof Promise) {
    const settle = (handle?: T): void => {
      if (cache.get(key) !== made) return;
      if (handle === undefined) cache.delete(key);
      else cache.set(key, handle);
    };
    made.then(settle, () => settle());
  }
  return made;
}

function importFailed(what: string, cause: unknown): TokenError {
  return new TokenError('ERR_KEY_INVALID', `${what} could not be imported`, { cause });
}

/**
 * Decode an HS256 secret exactly like the proxy (`hex::decode`: strict, even
 * length) and refuse anything shorter than 32 bytes.
 *
 * @throws {TokenError} `ERR_KEY_INVALID`.
 */
export function decodeSecret(secret: unknown): Uint8Array {
  if (typeof secret !== 'string')
    throw new TokenError('ERR_KEY_INVALID', 'HS256 secret must be a hex string');
  const bytes = hexDecode(secret);
  if (bytes === undefined) {
    throw new TokenError(
      'ERR_KEY_INVALID',
      'HS256 secret must be strict hex (even length, 0-9a-f only, no whitespace or 0x prefix)',
    );
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new TokenError(
      'ERR_KEY_INVALID',
      `HS256 secret must be at least ${MIN_SECRET_BYTES} bytes (${MIN_SECRET_BYTES * 2} hex characters); got ${bytes.length} bytes`,
    );
  }
  return bytes;
}

/**
 * The last HS256 key resolved synchronously (node:crypto). A process almost
 * always uses one secret, and this skips building the `hs:<secret>` string and
 * hashing it for the Map on every issue/validate (bench/README.md). Only
 * successful synchronous imports land here, as they would in the Map.
 */
let lastHmac: { backend: CryptoBackend; secret: string; handle: KeyHandle } | undefined;

/** HS256 key handle for `secret`. */
export function hmacKey(backend: CryptoBackend, secret: string): KeyHandle | Promise<KeyHandle> {
  const last = lastHmac;
  if (last !== undefined && last.secret === secret && last.backend === backend) return last.handle;
  const handle = hmacKeyMemo(backend, secret);
  if (typeof secret === 'string' && !(handle instanceof Promise)) lastHmac = { backend, secret, handle };
  return handle;
}

function hmacKeyMemo(backend: CryptoBackend, secret: string): KeyHandle | Promise<KeyHandle> {
  // Checked before the template literal below, which would throw a TypeError for a Symbol.
  if (typeof secret !== 'string')
    throw new TokenError('ERR_KEY_INVALID', 'HS256 secret must be a hex string');
  return memo(backend, `hs:${secret}`, () => {
    const raw = decodeSecret(secret);
    // importSync also turns an asynchronous (Web Crypto) rejection into ERR_KEY_INVALID.
    return importSync(() => backend.importHmacKey(raw), 'HS256 secret');
  });
}

async function importAsync(p: () => KeyHandle | Promise<KeyHandle>, what: string): Promise<KeyHandle> {
  try {
    return await p();
  } catch (err) {
    throw importFailed(what, err);
  }
}

function importSync(p: () => KeyHandle | Promise<KeyHandle>, what: string): KeyHandle | Promise<KeyHandle> {
  let r: KeyHandle | Promise<KeyHandle>;
  try {
    r = p();
  } catch (err) {
    throw importFailed(what, err);
  }
  // Any thenable (a backend's promise may come from another realm) becomes one of ours here.
  return isPromiseLike(r) ? importAsync(() => r, what) : r;
}

/** ES256 signing key handle. @throws {TokenError} `ERR_KEY_INVALID`. */
export function signingKey(backend: CryptoBackend, input: PrivateKeyInput): KeyHandle | Promise<KeyHandle> {
  const make = () => {
    const der = privateKeyToPkcs8(input);
    return importSync(() => backend.importEcPrivateKey(der), 'ES256 private key');
  };
  return typeof input === 'string' ? memo(backend, `es-priv:${input}`, make) : make();
}

/**
 * Finish once an import turned out to be asynchronous (Web Crypto): await
 * that pending import rather than dropping it (a dropped promise that
 * rejects is an unhandledRejection, which ends a Node process), then import
 * the rest.
 */
async function verifyKeysAsync(
  backend: CryptoBackend,
  spkis: SpkiKey[],
  done: VerifyKey[],
  pending: Promise<KeyHandle>,
): Promise<VerifyKey[]> {
  const out: VerifyKey[] = [...done, { handle: await pending, kid: spkis[done.length]!.kid }];
  for (const k of spkis.slice(out.length)) {
    out.push({
      handle: await importAsync(() => backend.importEcPublicKey(k.spki), 'ES256 public key'),
      kid: k.kid,
    });
  }
  return out;
}

function verifyKeysSync(backend: CryptoBackend, input: PublicKeyInput): VerifyKey[] | Promise<VerifyKey[]> {
  const spkis = publicKeyToSpki(input);
  const out: VerifyKey[] = [];
  for (const k of spkis) {
    // Keyed by the key's bytes, so a JWK object (not cached by identity: it may be
    // mutated) is imported once too, whatever object carries it next time.
    const h = memo(backend, `es-spki:${base64urlEncode(k.spki)}`, () =>
      importSync(() => backend.importEcPublicKey(k.spki), 'ES256 public key'),
    );
    if (h instanceof Promise) return verifyKeysAsync(backend, spkis, out, h);
    out.push({ handle: h, kid: k.kid });
  }
  return out;
}

/** ES256 verification key handles (one per usable JWKS key). @throws {TokenError} `ERR_KEY_INVALID`. */
export function verifyKeys(
  backend: CryptoBackend,
  input: PublicKeyInput,
): VerifyKey[] | Promise<VerifyKey[]> {
  return typeof input === 'string'
    ? memo(backend, `es-pub:${input}`, () => verifyKeysSync(backend, input))
    : verifyKeysSync(backend, input);
}
