/**
 * node:crypto backend. Synchronous where node:crypto is, so the hot path
 * (HS256 issue/validate) costs no extra promise hops. Where node:crypto is a
 * partial implementation (workerd with `nodejs_compat`, reached by a bundle
 * built with the `node` condition), EC keys go through Web Crypto.
 *
 * node:crypto is loaded on first use, not by a static import: loading it
 * costs a fresh process ~6 ms, which `import('ati-client')` would otherwise
 * pay before any token is touched (bench suite `cold-import`). Where
 * `process.getBuiltinModule` exists (Node ≥ 20.16 / 22.3, Bun, Deno ≥ 2.1,
 * workerd with `nodejs_compat`) the load is synchronous; elsewhere the first
 * key import awaits `import('node:crypto')` once, and every later call is
 * synchronous again. Where node:crypto cannot be loaded at all, every call
 * goes to the Web Crypto backend: same results, slower HS256.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { CryptoBackend, KeyHandle, MaybePromise } from './backend.ts';
import { webCryptoBackend } from './backend-web.ts';
import { equalStrings } from './constant-time.ts';

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

/**
 * One-shot SHA-256 (`crypto.hash`, Node ≥ 20.12 / 21.7), when present.
 * Typed as optional: older Node 20 releases and some Node-compatible runtimes
 * lack it, and then {@link HmacKey.mac} uses `createHmac`.
 */
type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'binary' | 'base64url') => string;
type NodeCrypto = typeof import('node:crypto');

/** node:crypto once loaded; `null` where it cannot be; `undefined` before the first attempt. */
let nc: NodeCrypto | null | undefined;
/** `crypto.hash` once checked by {@link checkedHash}, else `undefined`. */
let fastHash: OneShotHash | undefined;
/** The one asynchronous load, where there is no `process.getBuiltinModule`. */
let pending: Promise<NodeCrypto | null> | undefined;

/** Settle {@link nc} from what a loader returned (anything but node:crypto counts as none). */
function adopt(m: unknown): NodeCrypto | null {
  const ok = typeof m === 'object' && m !== null && typeof Reflect.get(m, 'createSecretKey') === 'function';
  nc = ok ? (m as NodeCrypto) : null;
  if (nc !== null) fastHash = checkedHash(nc);
  return nc;
}

/**
 * node:crypto: loaded synchronously where `process.getBuiltinModule` exists,
 * else by one `import('node:crypto')` (the promise); `null` where neither
 * gives it (a failing loader counts as none).
 */
function nodeCrypto(): NodeCrypto | null | Promise<NodeCrypto | null> {
  if (nc !== undefined) return nc;
  const proc = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  if (typeof proc?.getBuiltinModule === 'function') {
    try {
      return adopt((proc as { getBuiltinModule(id: string): unknown }).getBuiltinModule('node:crypto'));
    } catch {
      return adopt(undefined);
    }
  }
  pending ??= import('node:crypto').then(adopt, () => adopt(undefined));
  return pending;
}

/** Run `node` with node:crypto, or `web` where it cannot be loaded; asynchronous only on the first, importing call. */
function withNodeCrypto<T>(
  node: (c: NodeCrypto) => MaybePromise<T>,
  web: () => MaybePromise<T>,
): MaybePromise<T> {
  const c = nodeCrypto();
  if (c === null) return web();
  if (c instanceof Promise)
    return c.then((loadedCrypto) => (loadedCrypto === null ? web() : node(loadedCrypto)));
  return node(c);
}

/** node:crypto, for code that runs only on a key this backend made (so it is loaded). */
function loaded(): NodeCrypto {
  return nc!;
}

const BLOCK = 64;

/** Scratch for `(K ⊕ ipad) ‖ m`. Used synchronously only, so one is enough. */
let scratch: Buffer | undefined;

/**
 * An HS256 key, prepared for HMAC built from two one-shot hashes (RFC 2104):
 * `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))`. `createHmac` builds a stream object
 * per call and `digest()` a Buffer; two `crypto.hash` calls with string
 * output do the same work at ~1.6× the throughput (bench suite `parts`).
 *
 * The padded keys are as secret as the key, so they live in private fields
 * of a frozen instance: `util.inspect` shows `HmacKey {}`, `JSON.stringify`
 * `{}`, and no caller can reach or change them. Their buffers are allocated
 * outside Node's shared pool (no other Buffer's `.buffer` exposes them), and
 * the raw key is kept only as a `KeyObject` (native memory) for `createHmac`.
 */
class HmacKey {
  readonly #key: KeyObject;
  /** `K ⊕ ipad`, 64 bytes. */
  readonly #ipad: Buffer;
  /** `K ⊕ opad` followed by room for the 32-byte inner digest. */
  readonly #outer: Buffer;

  constructor(raw: Uint8Array) {
    const c = loaded();
    this.#key = c.createSecretKey(raw);
    // RFC 2104: a key longer than the block is hashed first, a shorter one zero-padded.
    const k = raw.length > BLOCK ? c.createHash('sha256').update(raw).digest() : raw;
    this.#ipad = Buffer.alloc(BLOCK, 0x36);
    this.#outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.#ipad[i]! ^= k[i]!;
      this.#outer[i]! ^= k[i]!;
    }
    if (k !== raw) k.fill(0);
    Object.freeze(this);
  }

  /**
   * HMAC-SHA256 of `data` (already checked to be ≤ 0xFF per unit) as
   * unpadded base64url: two calls of `hash` when given, else `createHmac`.
   */
  mac(data: string, hash: OneShotHash | undefined): string {
    if (hash === undefined) {
      return loaded().createHmac('sha256', this.#key).update(data, 'latin1').digest('base64url');
    }
    const need = BLOCK + data.length;
    scratch ??= Buffer.alloc(BLOCK + 8192);
    const inner = need <= scratch.length ? scratch : Buffer.alloc(need);
    inner.set(this.#ipad, 0);
    inner.write(data, BLOCK, 'latin1');
    const innerDigest = hash('sha256', inner.subarray(0, need), 'binary');
    // Do not leave K ⊕ ipad behind in the shared scratch.
    inner.fill(0, 0, BLOCK);
    this.#outer.write(innerDigest, BLOCK, 'latin1');
    return hash('sha256', this.#outer, 'base64url');
  }
}

/**
 * `crypto.hash`, if it reproduces RFC 4231 test case 2 through
 * {@link HmacKey.mac}; otherwise (absent, or a runtime whose `hash` differs
 * or throws) `undefined`, and `createHmac` is used.
 */
function checkedHash(c: NodeCrypto): OneShotHash | undefined {
  const oneShot = (c as { hash?: OneShotHash }).hash;
  if (oneShot === undefined) return undefined;
  try {
    const mac = new HmacKey(new TextEncoder().encode('Jefe')).mac('what do ya want for nothing?', oneShot);
    return mac === 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM' ? oneShot : undefined;
  } catch {
    return undefined;
  }
}

function asHmacKey(key: KeyHandle): HmacKey {
  if (!(key instanceof HmacKey)) throw new Error('not an HMAC key of this backend');
  return key;
}

function assertP256(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('not a P-256 key');
  }
  return key;
}

const EMPTY = new Uint8Array(0);
const NO_SIGNATURE = new Uint8Array(64);

/**
 * Whether `sign`/`verify` take a `KeyObject` inside an options object
 * (`{ key, dsaEncoding }`). Node, Bun and Deno do; workerd's node:crypto
 * (`nodejs_compat`) refuses it with `ERR_INVALID_ARG_TYPE`, so a bundle built
 * with the `node` condition and run there imports its EC keys through Web
 * Crypto instead. Probed once, with the first EC key imported; only that
 * refusal counts (any other failure of the probe leaves the node path on,
 * and the real call reports it).
 */
let keyObjectOptions: boolean | undefined;

function keyObjectsUsable(probe: () => unknown): boolean {
  if (keyObjectOptions === undefined) {
    try {
      probe();
      keyObjectOptions = true;
    } catch (err) {
      keyObjectOptions = (err as { code?: unknown } | null)?.code !== 'ERR_INVALID_ARG_TYPE';
    }
  }
  return keyObjectOptions;
}

/**
 * Whether `key` is a node:crypto `KeyObject`. Handles come from this
 * backend's own imports, which load node:crypto first; a `KeyObject` made
 * elsewhere and passed in before that is not one here (handles are opaque).
 */
function isKeyObject(key: KeyHandle): key is KeyObject {
  return nc != null && key instanceof nc.KeyObject;
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
  importHmacKey(raw: Uint8Array): MaybePromise<KeyHandle> {
    return withNodeCrypto(
      () => new HmacKey(raw),
      () => webCryptoBackend.importHmacKey(raw),
    );
  },
  hmacSign(key: KeyHandle, data: string): MaybePromise<string> {
    // Web Crypto's handles exactly where node:crypto cannot load; else only this backend's own.
    if (nc === null) return webCryptoBackend.hmacSign(key, data);
    if (ABOVE_LATIN1.test(data)) throw new Error('data to sign must be a one-byte-per-character string');
    return asHmacKey(key).mac(data, fastHash);
  },
  hmacVerify(key: KeyHandle, data: string, signature: string): MaybePromise<boolean> {
    if (nc === null) return webCryptoBackend.hmacVerify(key, data, signature);
    if (ABOVE_LATIN1.test(data)) return false;
    return equalStrings(asHmacKey(key).mac(data, fastHash), signature);
  },
  importEcPublicKey(spki: Uint8Array): MaybePromise<KeyHandle> {
    return withNodeCrypto(
      (c) => {
        const key = assertP256(c.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
        const probe = () => c.verify('sha256', EMPTY, { key, dsaEncoding: 'ieee-p1363' }, NO_SIGNATURE);
        return keyObjectsUsable(probe) ? key : webCryptoBackend.importEcPublicKey(spki);
      },
      () => webCryptoBackend.importEcPublicKey(spki),
    );
  },
  importEcPrivateKey(pkcs8: Uint8Array): MaybePromise<KeyHandle> {
    return withNodeCrypto(
      (c) => {
        const key = assertP256(c.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
        const probe = () => c.sign('sha256', EMPTY, { key, dsaEncoding: 'ieee-p1363' });
        return keyObjectsUsable(probe) ? key : webCryptoBackend.importEcPrivateKey(pkcs8);
      },
      () => webCryptoBackend.importEcPrivateKey(pkcs8),
    );
  },
  ecdsaSign(key: KeyHandle, data: string): MaybePromise<Uint8Array> {
    if (!isKeyObject(key)) return webCryptoBackend.ecdsaSign(key, data);
    return loaded().sign('sha256', signable(data), { key, dsaEncoding: 'ieee-p1363' });
  },
  ecdsaVerify(key: KeyHandle, data: string, signature: Uint8Array): MaybePromise<boolean> {
    if (!isKeyObject(key)) return webCryptoBackend.ecdsaVerify(key, data, signature);
    if (signature.length !== 64 || ABOVE_LATIN1.test(data)) return false;
    return loaded().verify(
      'sha256',
      Buffer.from(data, 'latin1'),
      { key, dsaEncoding: 'ieee-p1363' },
      signature,
    );
  },
  async generateEcKeyPair(): Promise<{ pkcs8: Uint8Array; spki: Uint8Array }> {
    return withNodeCrypto(
      (c) => {
        const { privateKey, publicKey } = c.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        return {
          pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
          spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
        };
      },
      () => webCryptoBackend.generateEcKeyPair(),
    );
  },
});

export { nodeCryptoBackend as backend };
