/**
 * Byte/text codecs with the exact strictness the proxy applies (contract
 * §1.1): base64url without padding and with canonical trailing bits, standard
 * base64 for JWKS `x5c`, and fatal UTF-8.
 *
 * @module
 */

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function reverse(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const URL_REV = reverse(URL_ALPHABET);
const STD_REV = reverse(STD_ALPHABET);

/**
 * The runtime's native `Buffer` (Node, Bun), when it has one and its
 * base64url and UTF-8 codecs give exactly our results on a known-answer
 * check; `undefined` elsewhere (browsers, Deno, workerd, or a polyfill that
 * lacks `'base64url'`). Reached through `globalThis`, so this module imports
 * no `node:` module (CONVENTIONS). On Node the native codec is ~10× faster
 * on token-sized input than the loops below (bench/README.md).
 */
const NativeBuffer: typeof Buffer | undefined = (() => {
  const B = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  try {
    if (
      typeof B?.from === 'function' &&
      B.from([0xfb, 0xff, 0xbf, 0x01]).toString('base64url') === '-_-_AQ' &&
      B.from('-_-_AQ', 'base64url').toString('hex') === 'fbffbf01' &&
      // Lone surrogates become U+FFFD, as with TextEncoder.
      B.from('\u00e9\ud800', 'utf8').toString('hex') === 'c3a9efbfbd'
    ) {
      return B;
    }
  } catch {
    // A partial polyfill: use the portable code.
  }
  return undefined;
})();

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = n - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/**
 * Decode without padding, rejecting any character outside `table`, a
 * remainder of one character, and non-zero trailing bits (base64 0.22
 * `URL_SAFE_NO_PAD` with `decode_allow_trailing_bits = false`).
 */
function decodeUnpadded(text: string, table: Int8Array): Uint8Array | undefined {
  const len = text.length;
  const rem = len & 3;
  if (rem === 1) return undefined;
  const out = new Uint8Array((len >> 2) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let i = 0;
  const full = len - rem;
  for (; i < full; i += 4) {
    const a = table[text.charCodeAt(i)] ?? -1;
    const b = table[text.charCodeAt(i + 1)] ?? -1;
    const c = table[text.charCodeAt(i + 2)] ?? -1;
    const d = table[text.charCodeAt(i + 3)] ?? -1;
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (rem === 2) {
    const a = table[text.charCodeAt(i)] ?? -1;
    const b = table[text.charCodeAt(i + 1)] ?? -1;
    if ((a | b) < 0 || (b & 15) !== 0) return undefined;
    out[o++] = (a << 2) | (b >> 4);
  } else if (rem === 3) {
    const a = table[text.charCodeAt(i)] ?? -1;
    const b = table[text.charCodeAt(i + 1)] ?? -1;
    const c = table[text.charCodeAt(i + 2)] ?? -1;
    if ((a | b | c) < 0 || (c & 3) !== 0) return undefined;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}

/** base64url without padding (RFC 7515 §2). */
export function base64urlEncode(bytes: Uint8Array): string {
  if (NativeBuffer !== undefined) {
    // A view, not a copy; Node's 'base64url' output is unpadded, as RFC 7515 wants.
    return NativeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  }
  return encode(bytes, URL_ALPHABET, false);
}

/** base64url without padding of the UTF-8 encoding of `text` (lone surrogates become U+FFFD). */
export function base64urlEncodeUtf8(text: string): string {
  if (NativeBuffer !== undefined) return NativeBuffer.from(text, 'utf8').toString('base64url');
  return encode(encoder.encode(text), URL_ALPHABET, false);
}

/** Strict base64url decode: no padding, canonical trailing bits. `undefined` if invalid. */
export function base64urlDecode(text: string): Uint8Array | undefined {
  return decodeUnpadded(text, URL_REV);
}

/**
 * {@link base64urlDecode} for bytes that are consumed at once and then
 * dropped (a JWS segment on its way to the UTF-8 decoder). Same verdict and
 * same bytes, but on Node the result may be a view into Node's shared Buffer
 * pool: never keep it, return it, or read its `.buffer`.
 *
 * Node's decoder is lenient (it skips foreign characters, ignores padding and
 * trailing bits), so the input is accepted only if re-encoding the bytes gives
 * back exactly `text`: that is precisely "only URL-alphabet characters, no
 * padding, length mod 4 ≠ 1, canonical trailing bits" (contract §1.1).
 */
export function base64urlDecodeTransient(text: string): Uint8Array | undefined {
  if (NativeBuffer === undefined) return decodeUnpadded(text, URL_REV);
  const bytes = NativeBuffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** Standard base64 with padding (RFC 4648 §4). */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, STD_ALPHABET, true);
}

/**
 * Strict standard base64 decode: padding required to a multiple of 4,
 * canonical trailing bits, no whitespace. `undefined` if invalid.
 */
export function base64Decode(text: string): Uint8Array | undefined {
  if ((text.length & 3) !== 0) return undefined;
  let body = text;
  if (body.endsWith('==')) body = body.slice(0, -2);
  else if (body.endsWith('=')) body = body.slice(0, -1);
  if (body.includes('=')) return undefined;
  return decodeUnpadded(body, STD_REV);
}

const encoder = new TextEncoder();
/** UTF-8 with the BOM kept (serde_json rejects a BOM, so must we) and invalid sequences fatal. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 encode. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Fatal UTF-8 decode that keeps a leading BOM. `undefined` if the bytes are not UTF-8. */
export function utf8Decode(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Lowercase hex. */
export function hexEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

/**
 * Strict hex decode as Rust's `hex::decode`: even length, `[0-9a-fA-F]` only,
 * no whitespace, no `0x`. `undefined` if invalid.
 */
export function hexDecode(text: string): Uint8Array | undefined {
  if ((text.length & 1) !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
