/**
 * `fileSink`: the token sink for a file the sandbox reads as
 * `ATI_SESSION_TOKEN_FILE` (contract §6), replaced atomically on every
 * rotation. Node only.
 *
 * @module
 */
import { AtiError, SessionTokenError } from '../errors.ts';
import type { TokenSink } from '../token/rotator.ts';
import { errnoCode } from '../util/values.ts';
import { isFileMode, isOwnerId, writeFileAtomic } from './atomic-file.ts';

/** Options of {@link fileSink}. */
export interface FileSinkOptions {
  /**
   * Permission bits of the token file, set exactly (not narrowed by the
   * umask). The sandbox user must be able to read it: use `0o640` or `0o644`
   * with `gid`/`uid` when the agent runs as another user. @default 0o600
   */
  mode?: number | undefined;
  /** Owner of the token file (needs the privilege to chown). @default the writing process's */
  uid?: number | undefined;
  /** Group of the token file. @default the writing process's */
  gid?: number | undefined;
}

/**
 * A {@link TokenSink} that writes the token, plus a newline, to `path`
 * atomically: a temp file in the same directory, fsync, then `rename`, so a
 * sandbox reading the file at any moment (ATI re-reads it on every call) sees
 * the previous token or the new one, never an empty or partial file. Missing
 * parent directories are created.
 *
 * @param path - The token file, as the orchestrator sees it (for a mounted
 *   sandbox directory, the host side of the mount).
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for an empty path or a bad
 *   mode/uid/gid, at once. The sink itself rejects with {@link SessionTokenError}
 *   `ERR_SESSION_TOKEN_WRITE` (message: the path and errno code, never the token).
 * @example
 * ```ts
 * import { fileSink } from 'ati-client/node';
 * const rotator = orch.rotateSessionToken({ agentId: 'sandbox:1', sink: fileSink('/srv/sb1/run/ati/session_token') });
 * await rotator.start();
 * ```
 */
export function fileSink(path: string, options: FileSinkOptions = {}): TokenSink {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'fileSink needs a non-empty path');
  }
  const { mode = 0o600, uid, gid } = options ?? {};
  if (!isFileMode(mode))
    throw new AtiError('ERR_INVALID_ARGUMENT', 'mode must be an integer from 0 to 0o777');
  if ((uid !== undefined && !isOwnerId(uid)) || (gid !== undefined && !isOwnerId(gid))) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'uid and gid must be non-negative integers');
  }
  return async (token: string) => {
    // An empty token would read as "no token" (contract §6): refuse it rather than write it.
    if (typeof token !== 'string' || token.trim() === '' || /[\r\n]/.test(token)) {
      throw new SessionTokenError(
        'ERR_SESSION_TOKEN_WRITE',
        `Refusing to write an empty or multi-line token to ${path}`,
      );
    }
    try {
      await writeFileAtomic(path, `${token}\n`, { mode, uid, gid });
    } catch (err) {
      const code = errnoCode(err);
      throw new SessionTokenError(
        'ERR_SESSION_TOKEN_WRITE',
        `Cannot write session token file ${path}${code === undefined ? '' : `: ${code}`}`,
        { cause: err },
      );
    }
  };
}
