/**
 * The local-mode keyring's files (contract §8), written where `ati` looks:
 * `<ati_dir>/keyring.enc` plus its key (the one-time sealed key at
 * `/run/ati/.key` or `ATI_KEY_FILE`, or the persistent `<ati_dir>/.keyring-key`),
 * and the plaintext `<ati_dir>/credentials`. Node only.
 *
 * Upstream: `core/keyring.rs`, `security/sealed_file.rs`, `cli/keys.rs`
 * (`ati key set`) and `cli/edge.rs` (`bootstrap-keyring`) in Parcha-ai/ati 0.7.10.
 *
 * @module
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { AtiError, KeyringError } from '../errors.ts';
import { utf8Decode } from '../jws/encoding.ts';
import {
  decodeKeyringKey,
  encodeKeyringKey,
  type KeyringEntries,
  keyringPairs,
  openKeyring,
  sealKeyring,
} from '../keyring/keyring.ts';
import { errnoCode, setOwn } from '../util/values.ts';
import { isFileMode, isOwnerId, writeFileAtomic } from './atomic-file.ts';

/** Where `ati` reads the one-time sealed key when `ATI_KEY_FILE` is unset (`security/sealed_file.rs`). */
export const DEFAULT_SESSION_KEY_PATH = '/run/ati/.key';

/** Largest keyring file read, in bytes: not an upstream limit, a guard against reading a device or a huge file. */
const MAX_KEYRING_FILE_BYTES = 64 * 1024 * 1024;

/** File permissions and owner shared by the keyring writers. */
export interface KeyringFileOptions {
  /**
   * Permission bits of every file written, set exactly. The user `ati` runs
   * as must be able to read them (and, for the sealed key, to unlink it).
   * @default 0o600
   */
  mode?: number | undefined;
  /** Owner of the files (needs the privilege to chown). @default the writing process's */
  uid?: number | undefined;
  /** Group of the files. @default the writing process's */
  gid?: number | undefined;
}

/** Options of {@link writeLocalKeyring}. */
export interface WriteLocalKeyringOptions extends KeyringFileOptions {
  /**
   * Where to write the one-time sealed key. `ati` unlinks it when it loads
   * the keyring. @default `env.ATI_KEY_FILE` when non-empty, else `/run/ati/.key`
   */
  sessionKeyPath?: string | undefined;
  /**
   * Write the key to `<atiDir>/.keyring-key` instead, which `ati` reads on
   * every load and never deletes (as `ati edge bootstrap-keyring` does).
   * @default false
   */
  persistentKey?: boolean | undefined;
  /** Seal with this 32-byte key (e.g. to keep a persistent key). @default a fresh random key */
  key?: Uint8Array | undefined;
  /** Environment read for `ATI_KEY_FILE`. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** What {@link writeLocalKeyring} wrote. */
export interface LocalKeyringFiles {
  /** `<atiDir>/keyring.enc`. */
  keyringPath: string;
  /** The key file: the sealed key path or `<atiDir>/.keyring-key`. */
  keyPath: string;
  /** The 32-byte key, for callers that keep it (never logged by ati-client). */
  key: Uint8Array;
}

/** Options of {@link readLocalKeyring}. */
export interface ReadLocalKeyringOptions {
  /** The key file to read (left in place, unlike `ati`'s sealed-key read). @default `<atiDir>/.keyring-key` */
  keyPath?: string | undefined;
}

function argument(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

function checkPath(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw argument(`${name} must be a non-empty path`);
  }
  return value;
}

function fileOptions(options: KeyringFileOptions): { mode: number; uid?: number; gid?: number } {
  const { mode = 0o600, uid, gid } = options;
  if (!isFileMode(mode)) throw argument('mode must be an integer from 0 to 0o777');
  if ((uid !== undefined && !isOwnerId(uid)) || (gid !== undefined && !isOwnerId(gid))) {
    throw argument('uid and gid must be non-negative integers');
  }
  return { mode, ...(uid === undefined ? {} : { uid }), ...(gid === undefined ? {} : { gid }) };
}

/** Write one file atomically; fs failures become `ERR_KEYRING_WRITE_FAILED` naming the path only. */
async function writeKeyringFile(
  path: string,
  data: Uint8Array | string,
  options: { mode: number; uid?: number; gid?: number },
): Promise<void> {
  try {
    await writeFileAtomic(path, data, options);
  } catch (err) {
    throw fsFailure('ERR_KEYRING_WRITE_FAILED', 'write', path, err);
  }
}

/** A filesystem failure as a coded error naming the path and errno code only. */
function fsFailure(
  code: 'ERR_KEYRING_READ_FAILED' | 'ERR_KEYRING_WRITE_FAILED',
  verb: string,
  path: string,
  err: unknown,
): KeyringError {
  const errno = errnoCode(err);
  return new KeyringError(code, `Cannot ${verb} ${path}${errno === undefined ? '' : `: ${errno}`}`, {
    cause: err,
  });
}

/**
 * Seal `entries` and write them for `ati`'s local mode (contract §8):
 * `<atiDir>/keyring.enc` first, then its key as standard base64 without a
 * newline, both atomically (temp file, fsync, rename) with mode 0600. The key
 * goes to the one-time sealed key file (`sessionKeyPath`, default
 * `ATI_KEY_FILE` or `/run/ati/.key`), or to `<atiDir>/.keyring-key` with
 * `persistentKey`.
 *
 * The order matters: a reader that runs between the two writes finds a key
 * that does not open the new keyring and moves down its cascade (persistent
 * key, `credentials`); the other order could let it consume the new one-time
 * key against the old keyring.
 *
 * The sealed key serves one load: `ati` unlinks it before reading, even if
 * decryption then fails. A long-running proxy loads once; a sandbox that runs
 * `ati` in local mode call after call wants `persistentKey`.
 *
 * @param atiDir - The sandbox's ATI directory (`ATI_DIR`, else `$HOME/.ati`), as the orchestrator sees it.
 * @throws {KeyringError} `ERR_KEYRING_ENTRY_INVALID`, `ERR_KEYRING_KEY_INVALID`,
 *   `ERR_KEYRING_WRITE_FAILED`; {@link AtiError} `ERR_INVALID_ARGUMENT` for bad paths or modes.
 * @example
 * ```ts
 * import { writeLocalKeyring } from 'ati-client/node';
 * await writeLocalKeyring('/srv/sb1/home/agent/.ati', {
 *   finnhub_api_key: process.env.FINNHUB_API_KEY!,
 *   sandbox_signing_shared_secret: signingSecret,
 * }, { sessionKeyPath: '/srv/sb1/run/ati/.key' });
 * ```
 */
export async function writeLocalKeyring(
  atiDir: string,
  entries: KeyringEntries,
  options: WriteLocalKeyringOptions = {},
): Promise<LocalKeyringFiles> {
  checkPath(atiDir, 'atiDir');
  const o = options ?? {};
  const files = fileOptions(o);
  if (o.persistentKey === true && o.sessionKeyPath !== undefined) {
    throw argument('give sessionKeyPath or persistentKey, not both');
  }
  const envKeyFile = (o.env ?? process.env).ATI_KEY_FILE;
  const keyPath =
    o.persistentKey === true
      ? join(atiDir, '.keyring-key')
      : checkPath(o.sessionKeyPath ?? (envKeyFile || DEFAULT_SESSION_KEY_PATH), 'sessionKeyPath');
  const { keyringEnc, key } = await sealKeyring(entries, { key: o.key });
  const keyringPath = join(atiDir, 'keyring.enc');
  await writeKeyringFile(keyringPath, keyringEnc, files);
  await writeKeyringFile(keyPath, encodeKeyringKey(key), files);
  return { keyringPath, keyPath, key };
}

/**
 * Write `<atiDir>/credentials`, the plaintext fallback of `ati`'s keyring
 * cascade, byte for byte as `ati key set` writes it: serde_json's pretty
 * form (two-space indent, no trailing newline), names sorted by code point as
 * in a `BTreeMap`, mode 0600; atomically here, where `ati` writes in place. A
 * value `@file:<path>` is read by `ati` as that file's trimmed contents.
 *
 * @returns The path written.
 * @throws {KeyringError} `ERR_KEYRING_ENTRY_INVALID`, `ERR_KEYRING_WRITE_FAILED`;
 *   {@link AtiError} `ERR_INVALID_ARGUMENT`.
 * @example
 * ```ts
 * await writeCredentials(`${process.env.HOME}/.ati`, { github_token: token });
 * ```
 */
export async function writeCredentials(
  atiDir: string,
  entries: KeyringEntries,
  options: KeyringFileOptions = {},
): Promise<string> {
  checkPath(atiDir, 'atiDir');
  const files = fileOptions(options ?? {});
  const sorted: Record<string, string> = {};
  for (const [name, value] of keyringPairs(entries, 'credentials')) setOwn(sorted, name, value);
  // JSON.stringify(…, 2) and serde_json's to_string_pretty agree for an object of
  // well-formed strings: same indent, separators and escapes (\b \f \n \r \t, else \u00xx).
  const path = join(atiDir, 'credentials');
  await writeKeyringFile(path, JSON.stringify(sorted, null, 2), files);
  return path;
}

/** Read a whole file (capped); `ERR_KEYRING_READ_FAILED` naming the path only. */
async function readCapped(path: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NONBLOCK: a FIFO at the path must not hang the read; it is refused below, as the token file's is.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    if (info.size > MAX_KEYRING_FILE_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    return new Uint8Array(await handle.readFile());
  } catch (err) {
    throw fsFailure('ERR_KEYRING_READ_FAILED', 'read', path, err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Open `<atiDir>/keyring.enc` with a key file, for checking what an
 * orchestrator wrote. Unlike `ati`, it leaves the key file in place.
 *
 * @returns Name → value.
 * @throws {KeyringError} `ERR_KEYRING_READ_FAILED`, `ERR_KEYRING_KEY_INVALID`
 *   (the key file is not UTF-8 base64 of 32 bytes), and the codes of {@link openKeyring}.
 * @example
 * ```ts
 * const entries = await readLocalKeyring('/srv/sb1/home/agent/.ati'); // with its .keyring-key
 * ```
 */
export async function readLocalKeyring(
  atiDir: string,
  options: ReadLocalKeyringOptions = {},
): Promise<Record<string, string>> {
  checkPath(atiDir, 'atiDir');
  const keyPath = checkPath(options?.keyPath ?? join(atiDir, '.keyring-key'), 'keyPath');
  const keyText = utf8Decode(await readCapped(keyPath));
  if (keyText === undefined)
    throw new KeyringError('ERR_KEYRING_KEY_INVALID', `Key file ${keyPath} is not UTF-8`);
  const key = decodeKeyringKey(keyText);
  return openKeyring(await readCapped(join(atiDir, 'keyring.enc')), key);
}
