/**
 * Replace a file atomically, so a reader that opens it at any moment sees the
 * previous contents or the new ones in full, never an empty or partial file
 * (contract §6: "write the file atomically … never leave it empty/partial").
 * Node only. Internal: `fileSink` and the keyring writers build on it.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of the file, set exactly (the umask does not narrow them). @default 0o600 */
  mode?: number | undefined;
  /** Owner to give the file (needs the privilege to chown). @default the writing process's */
  uid?: number | undefined;
  /** Group to give the file. @default the writing process's */
  gid?: number | undefined;
  /** Create missing parent directories (default mode, as upstream's `create_dir_all`). @default true */
  createParents?: boolean | undefined;
}

/** Whether `mode` is a permission-bits number (0 to 0o777). */
export function isFileMode(mode: unknown): mode is number {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777;
}

/** Whether `id` is a usable uid/gid (a non-negative 32-bit integer). */
export function isOwnerId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffffffff;
}

/**
 * Write `data` to `path` atomically: a fresh temp file in the same directory
 * (`.<name>.tmp-<random>`, created exclusively, so never through a symlink),
 * all bytes written, permissions and owner set, fsync, then `rename` over
 * `path`, then fsync of the directory so the rename survives a crash. On any
 * failure the temp file is removed and `path` is untouched. A symlink at
 * `path` is replaced, not followed.
 *
 * @throws the underlying fs error (its message names the path and syscall, never the data).
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  if (options.createParents !== false) await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  // O_EXCL: fails on anything already at the temp name, a symlink included.
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      // The create mode passes through the umask; set the exact bits, and the owner, before the name appears.
      await handle.chmod(mode);
      if (options.uid !== undefined || options.gid !== undefined) {
        await handle.chown(options.uid ?? -1, options.gid ?? -1);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await syncDirectory(dir);
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

/** fsync a directory so a rename in it is durable; best effort (some filesystems refuse). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Not every platform or filesystem lets a directory be fsynced; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
