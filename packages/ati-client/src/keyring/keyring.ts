/**
 * The local-mode keyring (contract §8): `keyring.enc` is
 * `nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16)` of a JSON object of strings,
 * sealed with a 32-byte key that `ati` reads as standard base64. Seal and open
 * it here with Web Crypto only, so this runs wherever the `.` entry does; the
 * files themselves are written by `writeLocalKeyring` in `ati-client/node`.
 *
 * Upstream: `core/keyring.rs` (`decrypt_keyring`, `Keyring::load*`) and
 * `security/sealed_file.rs` in Parcha-ai/ati 0.7.10.
 *
 * @module
 */
import { KeyringError } from '../errors.ts';
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from '../jws/encoding.ts';
import { rustTrim } from '../text/rust.ts';
import { emitWarning } from '../text/warn.ts';
import { isRecord, setOwn } from '../util/values.ts';

/** Bytes of the AES-256-GCM key. */
export const KEYRING_KEY_BYTES = 32;
/** Bytes of the nonce that opens `keyring.enc`. */
export const KEYRING_NONCE_BYTES = 12;
/** Bytes of the GCM tag that closes `keyring.enc`. */
const TAG_BYTES = 16;

/** Keyring entries: name → secret value. A `Map` keeps nothing extra; order never matters. */
export type KeyringEntries = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

/** Options of {@link sealKeyring}. */
export interface SealKeyringOptions {
  /** The 32-byte AES-256 key. @default 32 fresh random bytes */
  key?: Uint8Array | undefined;
  /**
   * The 12-byte nonce. Only for known-answer tests: a nonce must never be
   * reused with the same key. @default 12 fresh random bytes
   */
  nonce?: Uint8Array | undefined;
}

/** What {@link sealKeyring} returns. */
export interface SealedKeyring {
  /** The bytes of `keyring.enc`: nonce ‖ ciphertext ‖ tag. */
  keyringEnc: Uint8Array;
  /** The 32-byte key; `ati` reads it as {@link encodeKeyringKey} text. */
  key: Uint8Array;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) {
    throw new KeyringError('ERR_KEYRING_KEY_INVALID', 'Web Crypto (crypto.subtle) is not available');
  }
  return s;
}

/** A copy on a fresh ArrayBuffer (Web Crypto's BufferSource typing; callers may reuse theirs). */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function fixedBytes(value: unknown, length: number, what: string): Uint8Array<ArrayBuffer> {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new KeyringError('ERR_KEYRING_KEY_INVALID', `${what} must be a Uint8Array of ${length} bytes`);
  }
  return copy(value);
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}

async function importKey(key: Uint8Array<ArrayBuffer>, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return subtle().importKey('raw', key, { name: 'AES-GCM' }, false, [usage]);
}

/**
 * Compare by Unicode code point, which is UTF-8 byte order: the order of
 * Rust's `BTreeMap<String, _>`, in which `ati key set` and `ati edge
 * bootstrap-keyring` write names. JS's default sort compares UTF-16 units,
 * which puts U+E000–U+FFFF after astral characters.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Entries as `[name, value]` pairs sorted in `BTreeMap` order, checked as the
 * reader needs them: every value a string; names and values well-formed
 * Unicode (a lone surrogate has no UTF-8 form, and serde_json refuses its
 * `\ud800` escape, which would make `ati` drop the whole keyring); names
 * non-empty. A name that is not lower case is kept as given (`ati` looks names
 * up exactly) with an `ATI_KEYRING_NAME_CASE` warning: the proxy's
 * `--env-keys` mode lower-cases names, so such an entry is found in one mode and
 * not the other. Messages name entries, never values. @internal
 */
export function keyringPairs(entries: KeyringEntries, what = 'keyring'): [string, string][] {
  let pairs: [unknown, unknown][];
  if (entries instanceof Map) pairs = [...entries.entries()];
  else if (isRecord(entries)) pairs = Object.entries(entries);
  else throw new KeyringError('ERR_KEYRING_ENTRY_INVALID', `${what} entries must be an object or a Map`);
  const out: [string, string][] = [];
  for (const [name, value] of pairs) {
    if (typeof name !== 'string' || name === '' || !name.isWellFormed()) {
      throw new KeyringError(
        'ERR_KEYRING_ENTRY_INVALID',
        `${what} entry names must be non-empty Unicode text`,
      );
    }
    if (typeof value !== 'string') {
      throw new KeyringError(
        'ERR_KEYRING_ENTRY_INVALID',
        `${what} entry ${JSON.stringify(name)} is not a string`,
      );
    }
    if (!value.isWellFormed()) {
      throw new KeyringError(
        'ERR_KEYRING_ENTRY_INVALID',
        `${what} entry ${JSON.stringify(name)} holds a lone surrogate (not encodable as UTF-8)`,
      );
    }
    if (name !== name.toLowerCase()) {
      emitWarning(
        `${what} entry ${JSON.stringify(name)} is not lower case: ati looks it up exactly, but the proxy's --env-keys mode lower-cases names`,
        'ATI_KEYRING_NAME_CASE',
      );
    }
    out.push([name, value]);
  }
  return out.sort((a, b) => compareCodePoints(a[0], b[0]));
}

/** The entries as one JSON object with own properties only (a name like `__proto__` is kept). */
function toObject(pairs: readonly [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) setOwn(out, name, value);
  return out;
}

/**
 * Seal keyring entries into `keyring.enc` bytes, as `ati` opens them
 * (contract §8): AES-256-GCM over the compact JSON object (names sorted as
 * `ati` sorts them), no AAD, laid out as `nonce ‖ ciphertext ‖ tag`.
 *
 * The sandbox signing secret (`sandbox_signing_shared_secret`, contract §7)
 * can ride in the same keyring.
 *
 * @param entries - Name → value. Values must be strings.
 * @returns The file bytes and the key (fresh unless given).
 * @throws {KeyringError} `ERR_KEYRING_ENTRY_INVALID` for a non-string value, an
 *   empty name or a lone surrogate; `ERR_KEYRING_KEY_INVALID` for a key that is
 *   not 32 bytes or a nonce that is not 12.
 * @example
 * ```ts
 * const { keyringEnc, key } = await sealKeyring({ finnhub_api_key: process.env.FINNHUB_API_KEY! });
 * // keyringEnc → <ati_dir>/keyring.enc; encodeKeyringKey(key) → /run/ati/.key
 * ```
 */
export async function sealKeyring(
  entries: KeyringEntries,
  options: SealKeyringOptions = {},
): Promise<SealedKeyring> {
  const key =
    options.key === undefined
      ? randomBytes(KEYRING_KEY_BYTES)
      : fixedBytes(options.key, KEYRING_KEY_BYTES, 'key');
  const nonce =
    options.nonce === undefined
      ? randomBytes(KEYRING_NONCE_BYTES)
      : fixedBytes(options.nonce, KEYRING_NONCE_BYTES, 'nonce');
  const plaintext = utf8Encode(JSON.stringify(toObject(keyringPairs(entries))));
  const sealed = new Uint8Array(
    await subtle().encrypt(
      { name: 'AES-GCM', iv: nonce, tagLength: TAG_BYTES * 8 },
      await importKey(key, 'encrypt'),
      copy(plaintext),
    ),
  );
  plaintext.fill(0);
  const keyringEnc = new Uint8Array(KEYRING_NONCE_BYTES + sealed.length);
  keyringEnc.set(nonce);
  keyringEnc.set(sealed, KEYRING_NONCE_BYTES);
  return { keyringEnc, key };
}

/**
 * The plaintext as `ati` reads it: strict UTF-8 (no BOM), then a JSON object
 * whose values are all strings (serde's `HashMap<String, String>`; a
 * duplicate name keeps its last value, as serde does). Lone surrogate escapes
 * are refused, as serde_json refuses them.
 */
function parsePlaintext(bytes: Uint8Array): Record<string, string> {
  const text = utf8Decode(bytes);
  let parsed: unknown;
  try {
    if (text === undefined) throw new Error('not UTF-8');
    parsed = JSON.parse(text);
  } catch {
    throw new KeyringError('ERR_KEYRING_FORMAT', 'Keyring plaintext is not a JSON object');
  }
  if (!isRecord(parsed))
    throw new KeyringError('ERR_KEYRING_FORMAT', 'Keyring plaintext is not a JSON object');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') {
      throw new KeyringError('ERR_KEYRING_FORMAT', `Keyring entry ${JSON.stringify(name)} is not a string`);
    }
    if (!name.isWellFormed() || !value.isWellFormed()) {
      throw new KeyringError('ERR_KEYRING_FORMAT', 'Keyring plaintext holds a lone surrogate escape');
    }
    setOwn(out, name, value);
  }
  return out;
}

/**
 * Open `keyring.enc` bytes with its key, as `ati` does (contract §8): at
 * least 28 bytes, the first 12 the nonce, then AES-256-GCM ciphertext and
 * tag, no AAD; the plaintext a JSON object of strings.
 *
 * @returns Name → value, as a plain object (own properties only).
 * @throws {KeyringError} `ERR_KEYRING_TOO_SHORT` (under 28 bytes),
 *   `ERR_KEYRING_DECRYPT_FAILED` (wrong key, or any byte of nonce, ciphertext
 *   or tag changed), `ERR_KEYRING_FORMAT` (not a JSON object of strings),
 *   `ERR_KEYRING_KEY_INVALID` (key not 32 bytes). No message holds a value.
 * @example
 * ```ts
 * const entries = await openKeyring(bytes, decodeKeyringKey(keyFileText));
 * entries.finnhub_api_key;
 * ```
 */
export async function openKeyring(keyringEnc: Uint8Array, key: Uint8Array): Promise<Record<string, string>> {
  const rawKey = fixedBytes(key, KEYRING_KEY_BYTES, 'key');
  if (!(keyringEnc instanceof Uint8Array)) {
    throw new KeyringError('ERR_KEYRING_FORMAT', 'keyring.enc must be given as a Uint8Array');
  }
  if (keyringEnc.length < KEYRING_NONCE_BYTES + TAG_BYTES) {
    throw new KeyringError(
      'ERR_KEYRING_TOO_SHORT',
      `keyring.enc is ${keyringEnc.length} bytes; it needs at least ${KEYRING_NONCE_BYTES + TAG_BYTES} (nonce + tag)`,
    );
  }
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await subtle().decrypt(
        { name: 'AES-GCM', iv: copy(keyringEnc.subarray(0, KEYRING_NONCE_BYTES)), tagLength: TAG_BYTES * 8 },
        await importKey(rawKey, 'decrypt'),
        copy(keyringEnc.subarray(KEYRING_NONCE_BYTES)),
      ),
    );
  } catch {
    throw new KeyringError(
      'ERR_KEYRING_DECRYPT_FAILED',
      'Decryption failed: wrong key or corrupted keyring.enc',
    );
  }
  try {
    return parsePlaintext(plaintext);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * A keyring key as `ati` reads it from `/run/ati/.key`, `ATI_KEY_FILE` or
 * `.keyring-key`: standard base64 with padding (44 characters), no newline.
 *
 * @throws {KeyringError} `ERR_KEYRING_KEY_INVALID` when `key` is not 32 bytes.
 * @example
 * ```ts
 * encodeKeyringKey(key); // 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='
 * ```
 */
export function encodeKeyringKey(key: Uint8Array): string {
  return base64Encode(fixedBytes(key, KEYRING_KEY_BYTES, 'key'));
}

/**
 * Read a key file's text as `ati` does: surrounding whitespace trimmed (Rust
 * `trim`, Unicode White_Space), then strict standard base64 with padding
 * (base64 0.22 `STANDARD`: canonical padding and trailing bits), 32 bytes.
 *
 * @throws {KeyringError} `ERR_KEYRING_KEY_INVALID` (the message never quotes the text).
 * @example
 * ```ts
 * decodeKeyringKey('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n').length; // 32
 * ```
 */
export function decodeKeyringKey(text: string): Uint8Array {
  if (typeof text !== 'string') throw new KeyringError('ERR_KEYRING_KEY_INVALID', 'Keyring key must be text');
  const bytes = base64Decode(rustTrim(text));
  if (bytes === undefined) {
    throw new KeyringError('ERR_KEYRING_KEY_INVALID', 'Keyring key is not standard base64 with padding');
  }
  if (bytes.length !== KEYRING_KEY_BYTES) {
    throw new KeyringError(
      'ERR_KEYRING_KEY_INVALID',
      `Keyring key is ${bytes.length} bytes after base64 decoding; expected ${KEYRING_KEY_BYTES}`,
    );
  }
  return bytes;
}
