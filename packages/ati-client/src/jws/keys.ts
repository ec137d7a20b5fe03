/**
 * Key material: PEM and JWK parsing into DER, the proxy's JWKS shape, and key
 * generation. Pure code; the backend only ever sees DER.
 *
 * @module
 */
import { backend as defaultBackend } from '#crypto';
import { TokenError } from '../errors.ts';
import { isRecord } from '../util/values.ts';
import type { CryptoBackend } from './backend.ts';
import { base64Decode, base64Encode, base64urlDecode, base64urlEncode, hexEncode } from './encoding.ts';

/** SPKI DER prefix of an uncompressed P-256 public key (id-ecPublicKey, prime256v1, BIT STRING of 66 bytes). */
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
  0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);
/** PKCS#8 DER prefix of a P-256 private key with its public key (RFC 5915 inside RFC 5208). */
const P256_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
  0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20,
]);
const P256_PKCS8_MIDDLE = Uint8Array.from([0xa1, 0x44, 0x03, 0x42, 0x00]);
/** The algorithm identifier both P-256 SPKI and PKCS#8 carry. */
const P256_ALGORITHM_ID = P256_SPKI_PREFIX.subarray(2, 23);

/** A JSON Web Key set, as `/.well-known/jwks.json` serves it. */
export interface Jwks {
  /** The keys; ES256 verification uses the EC P-256 ones (others are skipped). */
  keys: JwkLike[];
}

/**
 * A JSON Web Key typed as Web Crypto's `JsonWebKey` is (the members ES256 and
 * the proxy's JWKS use, all optional, no index signature), so the result of
 * `crypto.subtle.exportKey('jwk', key)` is accepted as it is, without the DOM
 * lib in the consumer's `tsconfig` (`JsonWebKey` is a DOM global).
 *
 * @example
 * ```ts
 * const jwk: Jwk = await crypto.subtle.exportKey('jwk', publicKey);
 * await validateToken(token, { publicKey: jwk });
 * ```
 */
export interface Jwk {
  /** Key type; `EC` for ES256. */
  kty?: string;
  /** Curve; `P-256` for ES256. */
  crv?: string;
  /** Public point x, 32 bytes base64url. */
  x?: string;
  /** Public point y, 32 bytes base64url. */
  y?: string;
  /** Private scalar, 32 bytes base64url (private JWKs only). */
  d?: string;
  /** Key id; the proxy's is `ati-proxy-1`. */
  kid?: string;
  /** Algorithm; `ES256` (keys naming another are skipped in a JWKS). */
  alg?: string;
  /** Use; `sig` (keys for another use are skipped in a JWKS). */
  use?: string;
  /** Key operations, e.g. `['verify']`. */
  key_ops?: string[];
  /** Extractable (Web Crypto). */
  ext?: boolean;
  /** The proxy's form: `x5c[0]` is standard base64 of the SPKI DER (not a certificate). */
  x5c?: string[];
}

/** A JWK as found in the wild: every member optional and unchecked until parsed. */
export interface JwkLike extends Jwk {
  /** Other members, ignored. */
  [member: string]: unknown;
}

/** An ES256 private key: a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or a private EC P-256 JWK. */
export type PrivateKeyInput = string | JwkLike | Jwk;
/**
 * An ES256 public key: an SPKI PEM (`-----BEGIN PUBLIC KEY-----`), a public EC
 * P-256 JWK (`crv/x/y` or the proxy's `x5c` form), or a JWKS holding such keys.
 */
export type PublicKeyInput = string | JwkLike | Jwk | Jwks;

function keyError(message: string): TokenError {
  return new TokenError('ERR_KEY_INVALID', message);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Decode the single PEM block labelled `label`. The body must be standard
 * base64 split over lines; anything else is an error. The message never
 * quotes the input.
 */
export function pemDecode(pem: string, label: string): Uint8Array {
  const lines = pem.replace(/\r/g, '').trim().split('\n');
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  if (lines.length < 3 || lines[0]!.trim() !== begin || lines[lines.length - 1]!.trim() !== end) {
    const found = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
    throw keyError(found ? `Expected a ${label} PEM, got ${found}` : `Expected a ${label} PEM`);
  }
  const der = base64Decode(
    lines
      .slice(1, -1)
      .map((l) => l.trim())
      .join(''),
  );
  if (der === undefined || der.length === 0) throw keyError(`The ${label} PEM body is not valid base64`);
  return der;
}

/** PEM-encode DER with 64-character lines and a final newline, as OpenSSL and the Rust CLI write it. */
export function pemEncode(der: Uint8Array, label: string): string {
  const b64 = base64Encode(der);
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

function coordinate(value: unknown, name: string): Uint8Array {
  const bytes = typeof value === 'string' ? base64urlDecode(value) : undefined;
  if (bytes === undefined || bytes.length !== 32)
    throw keyError(`JWK member "${name}" must be 32 bytes of base64url`);
  return bytes;
}

function checkSpki(der: Uint8Array): Uint8Array {
  if (der.length !== 91 || !startsWith(der, P256_SPKI_PREFIX) || der[26] !== 0x04) {
    throw keyError('Public key must be an uncompressed P-256 (prime256v1) SPKI key');
  }
  return der;
}

function jwkToSpki(jwk: JwkLike): Uint8Array {
  if (Array.isArray(jwk.x5c) && jwk.x === undefined) {
    // The proxy's JWKS form: x5c[0] is standard base64 of the SPKI DER (contract §1.6).
    const first = jwk.x5c[0];
    const der = typeof first === 'string' ? base64Decode(first) : undefined;
    if (der === undefined) throw keyError('JWK x5c[0] must be standard base64 of a SPKI key');
    return checkSpki(der);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw keyError('JWK must be kty "EC" with crv "P-256"');
  return concat(P256_SPKI_PREFIX, Uint8Array.of(4), coordinate(jwk.x, 'x'), coordinate(jwk.y, 'y'));
}

/** A public key resolved to DER, with the `kid` it was published under. */
export interface SpkiKey {
  spki: Uint8Array;
  kid: string | undefined;
}

const MAX_JWKS_KEYS = 16;

/**
 * Resolve any {@link PublicKeyInput} to P-256 SPKI DER keys.
 *
 * @throws {TokenError} `ERR_KEY_INVALID`.
 */
export function publicKeyToSpki(input: PublicKeyInput): SpkiKey[] {
  if (typeof input === 'string') {
    if (input.includes('PRIVATE KEY')) {
      throw keyError('A private key was given where a public key is required (the proxy rejects this too)');
    }
    return [{ spki: checkSpki(pemDecode(input, 'PUBLIC KEY')), kid: undefined }];
  }
  if (!isRecord(input)) throw keyError('Public key must be a PEM string, a JWK or a JWKS');
  if ('keys' in input) {
    const keys = input.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_JWKS_KEYS) {
      throw keyError(`JWKS must hold between 1 and ${MAX_JWKS_KEYS} keys`);
    }
    const out: SpkiKey[] = [];
    for (const k of keys) {
      if (!isRecord(k)) throw keyError('JWKS keys must be objects');
      if (k.alg !== undefined && k.alg !== 'ES256') continue;
      // Other key types may share a set (an RSA key for another service): skip them, as jose does.
      if (k.kty !== undefined && k.kty !== 'EC') continue;
      if (k.crv !== undefined && k.crv !== 'P-256') continue;
      if (k.use !== undefined && k.use !== 'sig') continue;
      out.push({ spki: jwkToSpki(k), kid: typeof k.kid === 'string' ? k.kid : undefined });
    }
    if (out.length === 0) throw keyError('JWKS holds no ES256 signing key');
    return out;
  }
  if ('d' in input) throw keyError('A private JWK was given where a public key is required');
  return [{ spki: jwkToSpki(input), kid: typeof input.kid === 'string' ? input.kid : undefined }];
}

/**
 * Resolve a {@link PrivateKeyInput} to PKCS#8 DER. SEC1 `EC PRIVATE KEY` PEMs
 * are refused, as the proxy refuses them (contract §1.6).
 *
 * @throws {TokenError} `ERR_KEY_INVALID`.
 */
export function privateKeyToPkcs8(input: PrivateKeyInput): Uint8Array {
  if (typeof input === 'string') {
    if (input.includes('BEGIN EC PRIVATE KEY')) {
      throw keyError('SEC1 "EC PRIVATE KEY" PEMs are not accepted; convert to PKCS#8 ("PRIVATE KEY")');
    }
    const der = pemDecode(input, 'PRIVATE KEY');
    if (!startsWith(der, P256_ALGORITHM_ID, der[1] === 0x81 ? 6 : 5)) {
      throw keyError('Private key must be a P-256 (prime256v1) PKCS#8 key');
    }
    return der;
  }
  if (!isRecord(input) || input.kty !== 'EC' || input.crv !== 'P-256') {
    throw keyError('Private JWK must be kty "EC" with crv "P-256"');
  }
  return concat(
    P256_PKCS8_PREFIX,
    coordinate(input.d, 'd'),
    P256_PKCS8_MIDDLE,
    Uint8Array.of(4),
    coordinate(input.x, 'x'),
    coordinate(input.y, 'y'),
  );
}

/**
 * The SPKI public key inside a PKCS#8 P-256 private key, when the key carries
 * its public point (OpenSSL, Web Crypto and `generateKeyPair` always write
 * it). `undefined` otherwise.
 */
export function publicKeyFromPrivate(input: PrivateKeyInput): string | undefined {
  const der = privateKeyToPkcs8(input);
  const at = der.length - 65 - P256_PKCS8_MIDDLE.length;
  if (der.length !== 138 || !startsWith(der, P256_PKCS8_MIDDLE, at) || der[at + 5] !== 0x04) return undefined;
  return pemEncode(concat(P256_SPKI_PREFIX, der.subarray(at + 5)), 'PUBLIC KEY');
}

/** Options of {@link toJwks}. */
export interface ToJwksOptions {
  /** Key id. @default 'ati-proxy-1' (the proxy's fixed kid) */
  kid?: string;
  /**
   * `'ati'`: exactly the proxy's shape (`alg, kid, kty, use, x5c`);
   * `'standard'`: RFC 7517 (`alg, crv, kid, kty, use, x, y`);
   * `'both'`: every member, readable by ATI and standard consumers.
   * @default 'both'
   */
  format?: 'ati' | 'standard' | 'both';
}

/**
 * Publish an ES256 public key as a JWKS. Members are sorted by name, as the
 * proxy's serde_json output is. `x5c[0]` is standard base64 of the SPKI DER
 * (not a certificate), exactly as the proxy serves it (contract §1.6).
 *
 * @param publicKey - SPKI PEM or public JWK.
 * @throws {TokenError} `ERR_KEY_INVALID`.
 * @example
 * ```ts
 * const { publicKey } = await generateKeyPair();
 * const jwks = toJwks(publicKey); // { keys: [{ alg: 'ES256', crv: 'P-256', kid: 'ati-proxy-1', ... }] }
 * ```
 */
export function toJwks(publicKey: string | JwkLike | Jwk, options: ToJwksOptions = {}): Jwks {
  const [first] = publicKeyToSpki(publicKey);
  const spki = first!.spki;
  const kid = options.kid ?? 'ati-proxy-1';
  const format = options.format ?? 'both';
  const x = base64urlEncode(spki.subarray(27, 59));
  const y = base64urlEncode(spki.subarray(59, 91));
  const x5c = [base64Encode(spki)];
  let key: JwkLike;
  if (format === 'ati') key = { alg: 'ES256', kid, kty: 'EC', use: 'sig', x5c };
  else if (format === 'standard') key = { alg: 'ES256', crv: 'P-256', kid, kty: 'EC', use: 'sig', x, y };
  else key = { alg: 'ES256', crv: 'P-256', kid, kty: 'EC', use: 'sig', x, x5c, y };
  return { keys: [key] };
}

/**
 * A new HS256 secret: 32 random bytes as 64 lowercase hex characters, the
 * format `ATI_JWT_SECRET` takes and `ati token keygen --algorithm HS256` prints.
 *
 * @example
 * ```ts
 * const secret = generateSecret(); // '17332cf1…' (64 chars)
 * ```
 */
export function generateSecret(): string {
  return hexEncode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** An ES256 key pair as PEM. */
export interface KeyPairPem {
  /** PKCS#8 PEM (`ATI_JWT_PRIVATE_KEY` file content). */
  privateKey: string;
  /** SPKI PEM (`ATI_JWT_PUBLIC_KEY` file content). */
  publicKey: string;
}

/**
 * A new ES256 (P-256) key pair as PKCS#8 and SPKI PEM, the formats the
 * proxy loads from `ATI_JWT_PRIVATE_KEY` / `ATI_JWT_PUBLIC_KEY` (64-column
 * lines, final newline).
 *
 * @param options.crypto - Crypto backend. @default node:crypto on Node, Web Crypto elsewhere
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateKeyPair();
 * ```
 */
export async function generateKeyPair(options: { crypto?: CryptoBackend } = {}): Promise<KeyPairPem> {
  const { pkcs8, spki } = await (options.crypto ?? defaultBackend).generateEcKeyPair();
  return { privateKey: pemEncode(pkcs8, 'PRIVATE KEY'), publicKey: pemEncode(spki, 'PUBLIC KEY') };
}
