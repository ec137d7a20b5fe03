/**
 * Sandbox session-token resolution, as the Rust CLI and proxy client do it
 * (contract §6): `ATI_SESSION_TOKEN`, else the token file, re-read on every
 * call so a supervisor can rotate the file under a running agent. Node-only.
 *
 * @module
 */

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { SessionTokenError } from '../errors.ts';
import { rustTrim } from '../text/rust.ts';
import { errnoCode } from '../util/values.ts';

/** Where the token file lives when `ATI_SESSION_TOKEN_FILE` is unset or blank (contract §6). */
export const DEFAULT_SESSION_TOKEN_PATH = '/run/ati/session_token';

/**
 * Largest token file read, in bytes. Not an upstream limit: it keeps a path
 * pointed at a huge file or a device such as `/dev/zero` from exhausting
 * memory. Session JWTs are a few KiB.
 */
export const MAX_SESSION_TOKEN_FILE_BYTES = 1024 * 1024;

/** Options of {@link resolveSessionToken}. */
export interface ResolveSessionTokenOptions {
  /** Environment to read `ATI_SESSION_TOKEN` and `ATI_SESSION_TOKEN_FILE` from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Token file used when `ATI_SESSION_TOKEN_FILE` is unset or blank. @default '/run/ati/session_token' */
  defaultPath?: string;
}

/**
 * Read up to the cap; `undefined` when the file does not exist. `label` is
 * what messages call the file: never a path taken from the environment, which
 * may hold the token itself (a common mistake).
 */
async function readTokenFile(path: string, label: string): Promise<Uint8Array | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO at the path must not hang every request; it is refused below.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    // Only "not found" means "no token"; ENOTDIR, EACCES, ELOOP… are errors, as
    // Rust maps only ErrorKind::NotFound to None (contract §6, §11.8).
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw readError(label, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      // A directory reads as EISDIR (as Rust reports it); FIFOs and devices are refused outright.
      const code = info.isDirectory() ? 'EISDIR' : 'ENOTREG';
      throw readError(label, Object.assign(new Error(`${code}: not a regular file`), { code }));
    }
    // Sized from the file (tokens are ~1 KiB), not the 1 MiB cap, since this runs on every request.
    const buffer = new Uint8Array(Math.min(MAX_SESSION_TOKEN_FILE_BYTES, info.size) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length === buffer.length) {
      throw new SessionTokenError(
        'ERR_SESSION_TOKEN_READ',
        info.size >= MAX_SESSION_TOKEN_FILE_BYTES
          ? `Cannot read ${label}: larger than ${MAX_SESSION_TOKEN_FILE_BYTES} bytes`
          : `Cannot read ${label}: it grew while being read (write it with a rename)`,
      );
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof SessionTokenError) throw error;
    throw readError(label, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function readError(label: string, error: unknown): SessionTokenError {
  const code = errnoCode(error);
  // Node's fs messages quote the path, which may be the token: the cause keeps the code only.
  const cause = Object.assign(new Error(code ?? 'I/O error'), code === undefined ? {} : { code });
  return new SessionTokenError(
    'ERR_SESSION_TOKEN_READ',
    `Cannot read ${label}${code === undefined ? '' : `: ${code}`}`,
    { cause },
  );
}

/**
 * Resolve the sandbox session token exactly as ATI's Rust client does
 * (contract §6), re-reading on every call (no cache) so file rotation is
 * picked up:
 *
 * 1. `ATI_SESSION_TOKEN`, if non-empty after Rust-style trimming.
 * 2. Else the file at `ATI_SESSION_TOKEN_FILE` (trimmed, if non-blank) or
 *    `defaultPath`. An explicit path that does not exist gives `undefined`;
 *    it does **not** fall back to the default path (contract §11.8).
 * 3. The file is decoded as strict UTF-8 (a BOM is kept, as Rust keeps it)
 *    and trimmed; empty → `undefined`.
 *
 * Plug it into the client so each request carries the current token:
 * `new AtiProxyClient({ proxyUrl, getToken: () => resolveSessionToken() })`.
 * To mirror the Rust client, which sends no Authorization when the file is
 * unreadable, use `getToken: () => resolveSessionToken().catch(() => undefined)`.
 *
 * @returns The token, or `undefined` when no source supplies one.
 * @throws {SessionTokenError} `ERR_SESSION_TOKEN_READ` when the file exists but
 * cannot be read (permission, directory, not UTF-8, over 1 MiB). The message
 * names `ATI_SESSION_TOKEN_FILE` (whose value may be the token pasted in the
 * wrong variable) or the default path, never the contents; the `cause` keeps
 * the errno code only.
 * @example
 * ```ts
 * import { resolveSessionToken } from 'ati-client/node';
 * const token = await resolveSessionToken(); // env, then /run/ati/session_token
 * ```
 */
export async function resolveSessionToken(
  options: ResolveSessionTokenOptions = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = env.ATI_SESSION_TOKEN;
  if (fromEnv !== undefined) {
    const token = rustTrim(fromEnv);
    if (token !== '') return token;
  }

  const explicit = env.ATI_SESSION_TOKEN_FILE === undefined ? '' : rustTrim(env.ATI_SESSION_TOKEN_FILE);
  const path = explicit !== '' ? explicit : (options.defaultPath ?? DEFAULT_SESSION_TOKEN_PATH);
  const label =
    explicit !== '' ? 'the session token file named by ATI_SESSION_TOKEN_FILE' : `session token file ${path}`;

  const bytes = await readTokenFile(path, label);
  if (bytes === undefined) return undefined;
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF, as Rust's read_to_string does; Rust's
    // trim then keeps it too (contract §6).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new SessionTokenError('ERR_SESSION_TOKEN_READ', `Cannot read ${label}: not valid UTF-8`, {
      cause: error,
    });
  }
  const token = rustTrim(text);
  return token === '' ? undefined : token;
}
