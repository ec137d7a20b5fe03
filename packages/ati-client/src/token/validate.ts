/**
 * Validate ATI session tokens with the proxy's verdict (contract §1).
 *
 * @module
 */
import { backend as defaultBackend } from '#crypto';
import { AtiError, TokenError, TokenExpiredError } from '../errors.ts';
import type { CryptoBackend, KeyHandle } from '../jws/backend.ts';
import { base64urlDecode } from '../jws/encoding.ts';
import type { PublicKeyInput } from '../jws/keys.ts';
import { hmacKey, verifyKeys } from '../jws/resolve.ts';
import { type Clock, clockSeconds, isPromiseLike } from '../util/values.ts';
import { claimsFromPayload, type TokenClaims } from './claims.ts';
import { DEFAULT_MAX_TOKEN_LENGTH, decodeSegment, splitToken } from './compact.ts';

/** Options of {@link validateToken}. Give exactly one of `secret` and `publicKey`. */
export interface ValidateTokenOptions {
  /** HS256 secret (strict hex, ≥ 32 bytes). Fixes the algorithm to HS256. */
  secret?: string | undefined;
  /** ES256 public key: SPKI PEM, public JWK, or JWKS (standard or the proxy's `x5c` form). Fixes ES256. */
  publicKey?: PublicKeyInput | undefined;
  /** Required `aud`, compared exactly. @default 'ati-proxy' */
  audience?: string | undefined;
  /** Required `iss`. When set, a token without `iss` is rejected unless `requireIssuer` is `false`. */
  issuer?: string | undefined;
  /**
   * With `issuer` set, reject tokens that carry no `iss`. The proxy accepts
   * them (contract §1.4); set `false` to predict exactly that.
   * @default true
   */
  requireIssuer?: boolean | undefined;
  /** Clock skew allowed on `exp`, in seconds (the proxy's is fixed at 60). @default 60 */
  leeway?: number | undefined;
  /** Current time in epoch seconds (floored), or a function returning it. @default the system clock */
  now?: Clock | undefined;
  /** Longest token accepted, in characters, checked before decoding. @default 65536 */
  maxTokenLength?: number | undefined;
  /** Crypto backend. @default node:crypto on Node, Web Crypto elsewhere */
  crypto?: CryptoBackend | undefined;
}

function invalidOption(message: string): TokenError {
  return new TokenError('ERR_INVALID_ARGUMENT', message);
}

function signatureInvalid(): TokenError {
  return new TokenError('ERR_JWT_SIGNATURE_INVALID', 'Token signature is invalid');
}

function nonNegativeInt(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0) throw invalidOption(`${name} must be a non-negative integer`);
  return v;
}

/**
 * Check the signature. With a synchronous backend (node:crypto) and HS256
 * this returns without creating a promise: three nested async frames were a
 * measurable share of an HS256 validation (bench/README.md).
 */
function verifySignature(
  backend: CryptoBackend,
  o: ValidateTokenOptions,
  alg: string,
  kid: string | undefined,
  signingInput: string,
  signatureB64: string,
): void | Promise<void> {
  const expected = o.secret !== undefined ? 'HS256' : 'ES256';
  // The key decides the algorithm; the header only has to agree (contract §1.2).
  if (alg !== expected) {
    throw new TokenError(
      'ERR_JWT_ALG_NOT_ALLOWED',
      `Token algorithm ${alg} is not allowed; expected ${expected}`,
    );
  }
  if (o.secret !== undefined) {
    const key = hmacKey(backend, o.secret);
    if (key instanceof Promise) {
      return key.then((handle) => verifyHmac(backend, handle, signingInput, signatureB64));
    }
    return verifyHmac(backend, key, signingInput, signatureB64);
  }
  return verifyEcdsa(backend, o.publicKey!, kid, signingInput, base64urlDecode(signatureB64));
}

function verifyHmac(
  backend: CryptoBackend,
  handle: KeyHandle,
  signingInput: string,
  signatureB64: string,
): void | Promise<void> {
  // The backend compares against the canonical encoding: a padded, re-spelled
  // or truncated signature fails there, as in the proxy's strict decoder.
  const ok: unknown = backend.hmacVerify(handle, signingInput, signatureB64);
  if (ok === true) return;
  if (isPromiseLike(ok)) {
    // Promise.resolve: a thenable from another realm becomes one of ours.
    return Promise.resolve(ok).then((valid) => {
      if (valid !== true) throw signatureInvalid();
    });
  }
  // Only `true` verifies: a custom backend answering anything else fails closed.
  if (ok !== true) throw signatureInvalid();
}

async function verifyEcdsa(
  backend: CryptoBackend,
  publicKey: PublicKeyInput,
  kid: string | undefined,
  signingInput: string,
  sig: Uint8Array | undefined,
): Promise<void> {
  const keys = await verifyKeys(backend, publicKey);
  if (sig === undefined || sig.length !== 64) throw signatureInvalid();
  const byKid = kid === undefined ? [] : keys.filter((k) => k.kid === kid);
  for (const k of byKid.length > 0 ? byKid : keys) {
    if ((await backend.ecdsaVerify(k.handle, signingInput, sig)) === true) return;
  }
  throw signatureInvalid();
}

function run(token: string, o: ValidateTokenOptions): TokenClaims | Promise<TokenClaims> {
  if (o === null || typeof o !== 'object') throw invalidOption('options must be an object');
  if ((o.secret === undefined) === (o.publicKey === undefined)) {
    throw invalidOption('give exactly one of secret (HS256) and publicKey (ES256)');
  }
  const leeway = nonNegativeInt(o.leeway, 60, 'leeway');
  const maxLength = nonNegativeInt(o.maxTokenLength, DEFAULT_MAX_TOKEN_LENGTH, 'maxTokenLength');
  const audience = o.audience ?? 'ati-proxy';
  const nowRaw: unknown = clockSeconds(o.now);
  if (typeof nowRaw !== 'number' || !Number.isFinite(nowRaw))
    throw invalidOption('now must be a finite number');
  const now = Math.floor(nowRaw);
  const backend = o.crypto ?? defaultBackend;

  // Order as jsonwebtoken 9.3.1: header, algorithm, signature, then claims types, then exp/iss/aud.
  const parts = splitToken(token, maxLength);
  const verified = verifySignature(backend, o, parts.alg, parts.kid, parts.signingInput, parts.signatureB64);
  if (verified instanceof Promise) {
    return verified.then(() => checkClaims(parts.payloadB64, o, now, leeway, audience));
  }
  return checkClaims(parts.payloadB64, o, now, leeway, audience);
}

/** Decode the (now authenticated) payload and apply the proxy's claim checks. */
function checkClaims(
  payloadB64: string,
  o: ValidateTokenOptions,
  now: number,
  leeway: number,
  audience: string,
): TokenClaims {
  const claims = claimsFromPayload(decodeSegment(payloadB64, 'payload'));
  if (claims.exp < now - leeway) throw new TokenExpiredError(claims.exp, now);
  if (o.issuer !== undefined) {
    if (claims.iss === undefined) {
      if (o.requireIssuer !== false) {
        throw new TokenError('ERR_JWT_ISSUER_MISSING', 'Token has no "iss" claim but an issuer is required');
      }
    } else if (claims.iss !== o.issuer) {
      throw new TokenError('ERR_JWT_ISSUER_MISMATCH', 'Token issuer does not match');
    }
  }
  if (claims.aud !== audience)
    throw new TokenError('ERR_JWT_AUDIENCE_MISMATCH', 'Token audience does not match');
  return claims;
}

/**
 * Verify a token and check its claims, predicting the ATI proxy's verdict:
 * what this accepts the proxy accepts (with the same key, audience and
 * issuer), and what the proxy rejects this rejects. It is stricter in a few
 * documented places (README, Compatibility), never looser.
 *
 * The algorithm comes from the key (secret → HS256, public key → ES256);
 * the token's header only has to agree. Expired iff `exp < now − leeway`.
 * `nbf` and `iat` values are ignored, as by the proxy.
 *
 * It only ever throws {@link AtiError}s, whatever it is given.
 *
 * @throws {TokenError} `ERR_JWT_TOO_LARGE`, `ERR_JWT_MALFORMED`, `ERR_JWT_ALG_NOT_ALLOWED`,
 *   `ERR_JWT_SIGNATURE_INVALID`, `ERR_JWT_CLAIMS_INVALID`, `ERR_JWT_EXPIRED` ({@link TokenExpiredError}),
 *   `ERR_JWT_AUDIENCE_MISMATCH`, `ERR_JWT_ISSUER_MISMATCH`, `ERR_JWT_ISSUER_MISSING`,
 *   `ERR_KEY_INVALID`, `ERR_INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const claims = await validateToken(token, { secret: process.env.ATI_JWT_SECRET });
 * claims.scopes(); // ['tool:web_search']
 * ```
 */
export async function validateToken(token: string, options: ValidateTokenOptions): Promise<TokenClaims> {
  try {
    return await run(token, options);
  } catch (err) {
    if (err instanceof AtiError) throw err;
    // A backend or runtime surprise: still a coded error, never the raw input.
    throw new TokenError('ERR_JWT_MALFORMED', 'Token could not be validated', { cause: err });
  }
}
