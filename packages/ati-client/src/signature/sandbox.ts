/**
 * Sandbox request signatures (contract §7): the `X-Sandbox-Signature`
 * header a sandbox sends with every request, and the proxy's verdict on it.
 *
 * A signature is `t=<unix seconds>,s=<hex HMAC-SHA256>` over
 * `<t as sent>.<METHOD>.<path>` (the URI path as on the wire: no query
 * string, still percent-encoded), keyed by the proxy's keyring entry
 * `sandbox_signing_shared_secret`.
 *
 * @module
 */
import { backend as defaultBackend } from '#crypto';
import { AtiError } from '../errors.ts';
import type { CryptoBackend } from '../jws/backend.ts';
import { equalBytes } from '../jws/constant-time.ts';
import { base64urlDecode, hexDecode, hexEncode, utf8Encode } from '../jws/encoding.ts';
import { type Clock, clockSeconds } from '../util/values.ts';

/** The request header that carries the signature. */
export const SANDBOX_SIGNATURE_HEADER = 'x-sandbox-signature';
/** Optional request header naming the sandbox job (the proxy only logs it). */
export const SANDBOX_JOB_ID_HEADER = 'x-sandbox-job-id';
/** Response header the proxy adds in `warn` mode, carrying the verdict. */
export const SIGNATURE_STATUS_HEADER = 'x-signature-status';

/**
 * The proxy's verdict on a request's signature, spelled as the proxy logs it
 * and as it answers in `warn` (header) and `enforce` (403 body) modes.
 */
export type SandboxSignatureVerdict =
  | 'valid'
  | 'missing_signature'
  | 'malformed_signature'
  | 'invalid_timestamp'
  | `expired_timestamp_drift=${string}s`
  | 'no_signing_secret_configured'
  | 'hmac_mismatch';

/** Options of {@link signSandboxRequest}. */
export interface SignSandboxRequestOptions {
  /**
   * The shared secret, as the proxy's keyring holds it: a string is
   * hex-decoded when it is valid hex (even length, `0-9a-fA-F`), otherwise
   * used as its UTF-8 bytes; bytes are used as they are. Must not be empty.
   */
  secret: string | Uint8Array;
  /** HTTP method as sent, e.g. `'POST'`. */
  method: string;
  /** URI path as sent on the wire: percent-encoded, without the query string. */
  path: string;
  /** Unix seconds to sign (floored): a number or a clock function. @default the system clock */
  timestamp?: Clock | undefined;
  /** Crypto backend. @default node:crypto on Node, Web Crypto elsewhere */
  crypto?: CryptoBackend | undefined;
}

/** Options of {@link verifySandboxSignature}. */
export interface VerifySandboxSignatureOptions {
  /** The shared secret (see {@link SignSandboxRequestOptions.secret}); `undefined`: none configured. */
  secret: string | Uint8Array | undefined;
  /** HTTP method as received. */
  method: string;
  /** URI path as received (percent-encoded, no query string). */
  path: string;
  /** Current time, unix seconds (floored), or a function returning it. @default the system clock */
  now?: Clock | undefined;
  /** Largest accepted |now − t|, in seconds (the proxy's `--sig-drift-seconds`). @default 60 */
  driftSeconds?: number | undefined;
  /** Crypto backend. @default node:crypto on Node, Web Crypto elsewhere */
  crypto?: CryptoBackend | undefined;
}

function invalid(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

/**
 * The secret's bytes as the proxy reads its keyring entry: hex if it decodes,
 * else UTF-8. Bytes are returned as they are.
 *
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for anything but a string or bytes.
 */
export function sandboxSecretBytes(secret: string | Uint8Array): Uint8Array {
  if (secret instanceof Uint8Array) return secret;
  if (typeof secret !== 'string') throw invalid('secret must be a string or bytes');
  return hexDecode(secret) ?? utf8Encode(secret);
}

/**
 * The secret's bytes when it is a usable signing secret (a string or bytes,
 * not empty once read as the proxy reads it), else `undefined`. One check for
 * every place that takes a secret from a caller.
 */
export function usableSandboxSecret(secret: unknown): Uint8Array | undefined {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) return undefined;
  const bytes = sandboxSecretBytes(secret);
  return bytes.length > 0 ? bytes : undefined;
}

/** Whether a header value can be read as text by the proxy (http's `to_str`: visible ASCII, space, tab). */
export function isHeaderText(value: string): boolean {
  return !/[^\t\x20-\x7e]/.test(value);
}

/** `text`'s UTF-8 bytes as a one-byte-per-character string, the form the backends sign. */
function binaryString(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is exactly the range that needs no re-encoding.
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  let out = '';
  for (const b of utf8Encode(text)) out += String.fromCharCode(b);
  return out;
}

async function hmac(backend: CryptoBackend, key: Uint8Array, message: string): Promise<Uint8Array> {
  const handle = await backend.importHmacKey(key);
  const mac = base64urlDecode(await backend.hmacSign(handle, binaryString(message)));
  if (mac === undefined || mac.length !== 32) {
    throw invalid('the crypto backend did not return an HMAC-SHA256 as unpadded base64url');
  }
  return mac;
}

/** `value` (default: the clock) floored to whole seconds; a safe integer, so it prints as digits. */
function wholeSeconds(value: Clock | undefined, name: string): number {
  const v: unknown = clockSeconds(value);
  const s = typeof v === 'number' ? Math.floor(v) : Number.NaN;
  if (!Number.isSafeInteger(s)) throw invalid(`${name} must be a number of seconds within ±(2^53 − 1)`);
  return s;
}

/**
 * The `X-Sandbox-Signature` header value for one request, as a sandbox
 * sends it to a proxy that verifies signatures (`--sig-verify-mode`).
 *
 * @returns `t=<unix seconds>,s=<64 lowercase hex>`.
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for an empty secret, a method or path that could not be on the wire,
 *   or a timestamp that is not a number of seconds within ±(2^53 − 1).
 * @example
 * ```ts
 * const value = await signSandboxRequest({ secret: process.env.ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET!, method: 'POST', path: '/call' });
 * await fetch(`${proxyUrl}/call`, { method: 'POST', headers: { 'x-sandbox-signature': value, ... }, body });
 * ```
 */
export async function signSandboxRequest(options: SignSandboxRequestOptions): Promise<string> {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const key = sandboxSecretBytes(options.secret);
  if (key.length === 0) throw invalid('secret must not be empty');
  const { method, path } = options;
  if (typeof method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw invalid('method must be an HTTP method token');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters cannot be in a request line.
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s\x00-\x1f\x7f]/.test(path)) {
    throw invalid(
      'path must be the URI path as sent: starting with "/", no query string, fragment or whitespace',
    );
  }
  const t = wholeSeconds(options.timestamp, 'timestamp');
  const mac = await hmac(options.crypto ?? defaultBackend, key, `${t}.${method}.${path}`);
  return `t=${t},s=${hexEncode(mac)}`;
}

/** Rust `str::trim` over what a header can hold (visible ASCII, space, tab). */
function trimHeader(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** `t` and `s` of a header, or `undefined` when a segment has no `=` or either is missing. */
function parseHeader(header: string): { t: string; s: string } | undefined {
  let t: string | undefined;
  let s: string | undefined;
  for (const segment of header.split(',')) {
    const trimmed = trimHeader(segment);
    const eq = trimmed.indexOf('=');
    if (eq < 0) return undefined;
    const k = trimHeader(trimmed.slice(0, eq));
    const v = trimHeader(trimmed.slice(eq + 1));
    // Last one wins; unknown keys are ignored (forward compatibility).
    if (k === 't') t = v;
    else if (k === 's') s = v;
  }
  return t === undefined || s === undefined ? undefined : { t, s };
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Rust `i64::from_str`: optional sign, ASCII digits, in range. */
function parseI64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  return v < I64_MIN || v > I64_MAX ? undefined : v;
}

/**
 * The proxy's verdict on a request's `X-Sandbox-Signature` header, step by
 * step as `core/sig_verify.rs` takes them: header present and readable →
 * `t` and `s` parsed → `t` an i64 → drift within `driftSeconds` → secret
 * configured → `s` hex → HMAC compared in constant time.
 *
 * A header holding anything but visible ASCII, space or tab counts as
 * missing, as in the proxy (the header cannot be read as text there). The
 * drift is the proxy's: `|now − t|` in wrapping 64-bit arithmetic, so for
 * `t` more than 2^63 s before `now` it wraps as it does there (and at exactly
 * `now − 2^63` the proxy's `abs` stays negative and the drift check passes).
 *
 * @param header - The header's value, or `undefined`/`null` when absent.
 * @returns The verdict, spelled as the proxy spells it.
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for invalid options (or a backend that returns no HMAC); any header gets a verdict.
 * @example
 * ```ts
 * const verdict = await verifySandboxSignature(req.headers.get('x-sandbox-signature'), { secret, method: 'POST', path: '/call' });
 * if (verdict !== 'valid') throw new Error(`refused: ${verdict}`);
 * ```
 */
export async function verifySandboxSignature(
  header: string | null | undefined,
  options: VerifySandboxSignatureOptions,
): Promise<SandboxSignatureVerdict> {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const drift = options.driftSeconds ?? 60;
  if (!Number.isSafeInteger(drift) || drift < 0) throw invalid('driftSeconds must be a non-negative integer');
  const now = BigInt(wholeSeconds(options.now, 'now'));
  const key = options.secret === undefined ? undefined : sandboxSecretBytes(options.secret);
  if (typeof options.method !== 'string' || typeof options.path !== 'string') {
    throw invalid('method and path must be strings');
  }

  if (typeof header !== 'string' || header === '' || !isHeaderText(header)) return 'missing_signature';
  const parts = parseHeader(header);
  if (parts === undefined || parts.t === '' || parts.s === '') return 'malformed_signature';
  const t = parseI64(parts.t);
  if (t === undefined) return 'invalid_timestamp';
  // Release-mode Rust: `(now - t)` wraps in i64, and `i64::MIN.abs()` wraps to itself.
  const diff = BigInt.asIntN(64, now - t);
  const off = diff < 0n && diff !== I64_MIN ? -diff : diff;
  if (off > BigInt(drift)) return `expired_timestamp_drift=${off}s`;
  // An empty key: the proxy's keyring would need an empty entry; treated as none.
  if (key === undefined || key.length === 0) return 'no_signing_secret_configured';
  const provided = hexDecode(parts.s);
  if (provided === undefined) return 'malformed_signature';
  const expected = await hmac(
    options.crypto ?? defaultBackend,
    key,
    `${parts.t}.${options.method}.${options.path}`,
  );
  if (provided.length !== expected.length) return 'hmac_mismatch';
  return equalBytes(provided, expected) ? 'valid' : 'hmac_mismatch';
}
