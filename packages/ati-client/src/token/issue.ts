/**
 * Issue ATI session tokens (HS256 or ES256) that the proxy accepts.
 *
 * @module
 */
import { backend as defaultBackend } from '#crypto';
import { TokenError } from '../errors.ts';
import type { CryptoBackend } from '../jws/backend.ts';
import { base64urlEncode, base64urlEncodeUtf8 } from '../jws/encoding.ts';
import type { PrivateKeyInput } from '../jws/keys.ts';
import { hmacKey, signingKey } from '../jws/resolve.ts';
import { aliasedOption, type Clock, clockSeconds, isPromiseLike } from '../util/values.ts';
import { claimsJson } from './claim-codec.ts';
import { invalid } from './claim-writers.ts';

/** Options of {@link issueToken}. Give exactly one of `secret` and `privateKey`. */
export interface IssueTokenOptions {
  /** HS256 secret: at least 32 bytes as strict hex (64+ characters), the proxy's `ATI_JWT_SECRET`. */
  secret?: string | undefined;
  /** ES256 private key: PKCS#8 PEM or private P-256 JWK. */
  privateKey?: PrivateKeyInput | undefined;
  /** Agent identity (`sub`). Non-empty. */
  sub: string;
  /** Space-delimited scope claim, e.g. from {@link buildScopeString}. May be `''` (grants nothing). */
  scope: string;
  /** Lifetime in whole seconds; `exp = iat + ttlSeconds`. @default 3600 */
  ttlSeconds?: number | undefined;
  /** Audience (`aud`). @default 'ati-proxy' */
  audience?: string | undefined;
  /** Issuer (`iss`); `null` omits the claim. @default 'ati-orchestrator' */
  issuer?: string | null | undefined;
  /** @deprecated Use `audience` (the name {@link validateToken} uses). */
  aud?: string | undefined;
  /** @deprecated Use `issuer` (the name {@link validateToken} uses). */
  iss?: string | null | undefined;
  /** Token id (`jti`). @default a random UUID (also when `''`) */
  jti?: string | undefined;
  /** Rate limits, scope pattern → spec (`10/hour`). Every spec is validated. */
  rate?: Readonly<Record<string, string>> | undefined;
  /** `job_id` claim (logged by the proxy). */
  jobId?: string | undefined;
  /** `sandbox_id` claim (logged by the proxy). */
  sandboxId?: string | undefined;
  /** Current time in epoch seconds (floored to a whole second), or a function returning it. @default the system clock */
  now?: Clock | undefined;
  /** Crypto backend. @default node:crypto on Node, Web Crypto elsewhere */
  crypto?: CryptoBackend | undefined;
}

// The Rust issuer's header: `typ` before `alg` (contract §1.2).
const HS256_HEADER = base64urlEncodeUtf8('{"typ":"JWT","alg":"HS256"}');
const ES256_HEADER = base64urlEncodeUtf8('{"typ":"JWT","alg":"ES256"}');

// Hoisted: an array literal in the call would be allocated on every issue.
const ISSUER_NAMES = ['issuer', 'iss'] as const;
const AUDIENCE_NAMES = ['audience', 'aud'] as const;

/**
 * Build the payload in the Rust proxy's field order, the claims table's order
 * (`iss?, sub, aud, iat, exp, jti?, scope, ati, job_id?, sandbox_id?`).
 */
function payloadJson(o: IssueTokenOptions): string {
  if (typeof o.sub !== 'string' || o.sub === '') throw invalid('sub must be a non-empty string');
  const ttl = o.ttlSeconds ?? 3600;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw invalid('ttlSeconds must be a positive integer');
  const nowRaw: unknown = clockSeconds(o.now);
  if (typeof nowRaw !== 'number' || !Number.isFinite(nowRaw) || nowRaw < 0) {
    throw invalid('now must be a non-negative number of epoch seconds');
  }
  const iat = Math.floor(nowRaw);
  const exp = iat + ttl;
  if (!Number.isSafeInteger(exp)) throw invalid('iat + ttlSeconds exceeds 2^53 - 1');
  const issuer = aliasedOption(o.issuer, o.iss, ISSUER_NAMES, invalid);
  const iss = issuer === undefined ? 'ati-orchestrator' : issuer;
  const aud = aliasedOption(o.audience, o.aud, AUDIENCE_NAMES, invalid) ?? 'ati-proxy';
  const jti = o.jti === undefined || o.jti === '' ? globalThis.crypto.randomUUID() : o.jti;
  // The claims table's encoder (generated: claim-codec.ts). `issuer: null` leaves iss out.
  return claimsJson(
    iss === null ? undefined : iss,
    o.sub,
    aud,
    iat,
    exp,
    jti,
    o.scope,
    o.rate,
    o.jobId,
    o.sandboxId,
  );
}

/**
 * Append an ES256 signature (bytes). A synchronous backend answers at once,
 * and then no promise hop is taken.
 */
function finish(signingInput: string, sig: Uint8Array | Promise<Uint8Array>): string | Promise<string> {
  if (sig instanceof Uint8Array) return `${signingInput}.${base64urlEncode(sig)}`;
  return (async () => `${signingInput}.${base64urlEncode(await sig)}`)();
}

const HMAC_SEGMENT = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * A backend's HMAC result must be the base64url signature segment: 43
 * characters of the URL alphabet, canonical in its last one. Bytes, a Buffer,
 * padded or standard base64 from a backend written against another shape
 * fail here. The default backend builds it by construction, so for it the hot
 * path pays two comparisons; a backend passed as `crypto` gets the full check.
 */
function hmacSegment(sig: unknown, trusted: boolean): string {
  if (typeof sig === 'string' && sig.length === 43 && (trusted || HMAC_SEGMENT.test(sig))) return sig;
  throw new TokenError(
    'ERR_INVALID_ARGUMENT',
    'crypto backend hmacSign must return the HMAC as a 43-character unpadded base64url string',
  );
}

/**
 * Append an HS256 signature (already base64url). With a synchronous backend
 * (node:crypto) no promise hop is taken: on the HS256 hot path that hop is a
 * measurable share of the cost (bench/README.md).
 */
function finishEncoded(
  signingInput: string,
  sig: string | PromiseLike<string>,
  trusted: boolean,
): string | Promise<string> {
  if (typeof sig !== 'string' && isPromiseLike(sig)) {
    return (async () => `${signingInput}.${hmacSegment(await sig, trusted)}`)();
  }
  return `${signingInput}.${hmacSegment(sig, trusted)}`;
}

/**
 * Issue a signed ATI session token. With `secret` it is HS256, with
 * `privateKey` ES256. Header and claim order match `ati token issue`
 * byte-for-byte; `iat` is a whole second; `ati` is always `{"v":1}` plus
 * `rate` when given.
 *
 * All input is checked before signing: a malformed or short secret, an empty
 * `sub`, a non-positive or fractional `ttlSeconds`, and any invalid rate spec
 * (named, since the proxy silently drops every limit when one is bad).
 *
 * @returns The compact JWS.
 * @throws {TokenError} `ERR_INVALID_ARGUMENT`, `ERR_KEY_INVALID`, `ERR_RATE_SPEC_INVALID`.
 * @example
 * ```ts
 * const token = await issueToken({
 *   secret: process.env.ATI_JWT_SECRET,
 *   sub: 'agent-7',
 *   scope: 'tool:web_search tool:github:*',
 *   rate: { 'tool:github:*': '10/hour' },
 * });
 * ```
 */
export async function issueToken(options: IssueTokenOptions): Promise<string> {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const { secret, privateKey } = options;
  if ((secret === undefined) === (privateKey === undefined)) {
    throw invalid('give exactly one of secret (HS256) and privateKey (ES256)');
  }
  const backend = options.crypto ?? defaultBackend;
  const payload = base64urlEncodeUtf8(payloadJson(options));
  if (secret !== undefined) {
    const key = hmacKey(backend, secret);
    const input = `${HS256_HEADER}.${payload}`;
    const sig = backend.hmacSign(key instanceof Promise ? await key : key, input);
    return finishEncoded(input, sig, backend === defaultBackend);
  }
  const key = await signingKey(backend, privateKey!);
  const input = `${ES256_HEADER}.${payload}`;
  return finish(input, backend.ecdsaSign(key, input));
}
