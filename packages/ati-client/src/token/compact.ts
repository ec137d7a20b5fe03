/**
 * JWS compact serialization, parsed with the proxy's strictness (contract
 * §1.1–1.2).
 *
 * @module
 */
import { TokenError } from '../errors.ts';
import { base64urlDecodeTransient, utf8Decode } from '../jws/encoding.ts';
import { isJsonObject, type ParsedJson, parseJson } from '../jws/json.ts';

/** Default cap on token length, in characters, checked before any decoding. */
export const DEFAULT_MAX_TOKEN_LENGTH = 65_536;

/** The algorithms jsonwebtoken's closed `Algorithm` enum knows; anything else is a JSON error there. */
const KNOWN_ALGS = new Set([
  'HS256',
  'HS384',
  'HS512',
  'ES256',
  'ES384',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
]);
const STRING_HEADERS = ['typ', 'cty', 'jku', 'kid', 'x5u', 'x5t', 'x5t#S256'] as const;

/** A split, header-checked token: the header's `alg` and `kid`, and the raw segments. */
export interface CompactParts {
  alg: string;
  kid: string | undefined;
  payloadB64: string;
  signatureB64: string;
  /** `<header>.<payload>` as received: the bytes that were signed. */
  signingInput: string;
}

function malformed(message: string, cause?: unknown): TokenError {
  return new TokenError('ERR_JWT_MALFORMED', message, cause === undefined ? undefined : { cause });
}

/** base64url → UTF-8 → strict JSON. */
export function decodeSegment(segment: string, what: string): ParsedJson {
  // The bytes only live until utf8Decode has copied them into a string.
  const bytes = base64urlDecodeTransient(segment);
  if (bytes === undefined) throw malformed(`Token ${what} is not unpadded canonical base64url`);
  const text = utf8Decode(bytes);
  if (text === undefined) throw malformed(`Token ${what} is not valid UTF-8`);
  try {
    return parseJson(text);
  } catch (err) {
    throw malformed(`Token ${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** What validation reads from a header that passed {@link checkHeader}. */
interface CheckedHeader {
  readonly alg: string;
  readonly kid: string | undefined;
}

function checkHeader(header: ParsedJson): CheckedHeader {
  if (!isJsonObject(header)) throw malformed('Token header must be a JSON object');
  const alg = header.alg;
  if (typeof alg !== 'string' || !KNOWN_ALGS.has(alg))
    throw malformed('Token header "alg" is missing or unknown');
  for (const name of STRING_HEADERS) {
    const v = header[name];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw malformed(`Token header "${name}" must be a string`);
    }
  }
  const x5c = header.x5c;
  if (x5c !== undefined && x5c !== null && !(Array.isArray(x5c) && x5c.every((s) => typeof s === 'string'))) {
    throw malformed('Token header "x5c" must be an array of strings');
  }
  if (header.jwk !== undefined && header.jwk !== null) {
    // The proxy accepts a parseable embedded JWK and ignores it; we refuse it (README, Compatibility).
    throw malformed('Token header "jwk" is not supported');
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  return { alg, kid };
}

/** Headers longer than this are never remembered. */
const MEMO_MAX_HEADER = 256;
/**
 * The last well-formed header segment and what it gave. Tokens from one
 * issuer share the header byte-for-byte, so decoding is pure repeated work
 * (about a tenth of an HS256 validation, bench/README.md). The check depends
 * on the segment alone, so a hit gives exactly what a fresh decode would.
 */
let lastHeader: { segment: string; checked: CheckedHeader } | undefined;

function decodeHeader(segment: string): CheckedHeader {
  if (lastHeader !== undefined && lastHeader.segment === segment) return lastHeader.checked;
  const checked = checkHeader(decodeSegment(segment, 'header'));
  if (segment.length <= MEMO_MAX_HEADER) lastHeader = { segment, checked };
  return checked;
}

/**
 * Split a compact JWS into exactly three segments and decode its header.
 *
 * @throws {TokenError} `ERR_JWT_TOO_LARGE` or `ERR_JWT_MALFORMED`.
 */
export function splitToken(token: unknown, maxLength: number): CompactParts {
  if (typeof token !== 'string') throw malformed('Token must be a string');
  if (token.length > maxLength) {
    throw new TokenError('ERR_JWT_TOO_LARGE', `Token is longer than ${maxLength} characters`);
  }
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  if (first < 0 || first === last || token.indexOf('.', first + 1) !== last) {
    throw malformed('Token must have exactly three dot-separated segments');
  }
  const headerB64 = token.slice(0, first);
  const { alg, kid } = decodeHeader(headerB64);
  return {
    alg,
    kid,
    payloadB64: token.slice(first + 1, last),
    signatureB64: token.slice(last + 1),
    signingInput: token.slice(0, last),
  };
}
