/**
 * Writes a skill bundle (the `files` map of `GET /skills/{name}/bundle` or one
 * skill of `POST /skills/bundle`, contract §4.1) to disk, atomically and never
 * outside the destination directory. Node only.
 *
 * Stricter than the Python SDK, which trusts the skill name, silently skips
 * unsafe paths and writes file by file in place (contract §4.1, §11.9, §12.10):
 * here every name, path and value is validated before the disk is touched, any
 * invalid entry rejects the whole bundle, and the skill directory is replaced
 * in one rename.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SkillError } from '../errors.ts';
import { errnoCode } from '../util/values.ts';

/** Longest file name most filesystems accept (NAME_MAX), in UTF-8 bytes. */
const NAME_MAX_BYTES = 255;

/**
 * Characters refused in names and paths: controls (`\p{Cc}`: C0 with NUL,
 * DEL, C1), backslash (a separator on Windows, an ordinary character on POSIX) and
 * lone surrogates (no UTF-8 form; Node would write U+FFFD instead).
 */
const UNSAFE_CHAR = /[\\\p{Cc}\p{Cs}]/u;

/** A lone surrogate: text that has no UTF-8 encoding. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A Windows drive prefix (`C:`), absolute or drive-relative there. */
const DRIVE_PREFIX = /^[A-Za-z]:/;

/**
 * Where a `:` in a bundle path is a hazard: on Windows it makes a drive
 * prefix (`C:notes.md`) or an alternate data stream (`notes.md:x`). On POSIX
 * it is an ordinary character, and the proxy serves such files.
 */
const COLON_UNSAFE = process.platform === 'win32';

/** Strict, padded standard base64 (RFC 4648 §4); canonical form is checked by re-encoding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bundle contents: relative path → UTF-8 text, or `{ base64 }` for binary files (contract §4.1). */
export type SkillBundleFiles = Readonly<Record<string, unknown>>;

/**
 * Whether `name` can be used as a skill directory name: not empty, not `.` or
 * `..`, no `/`, `\`, NUL or other control character, no drive prefix, at most
 * 255 UTF-8 bytes.
 *
 * @example
 * ```ts
 * isSafeSkillName('finnhub-methodology'); // true
 * isSafeSkillName('../escape');           // false
 * ```
 */
export function isSafeSkillName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !UNSAFE_CHAR.test(name) &&
    !DRIVE_PREFIX.test(name) &&
    Buffer.byteLength(name, 'utf8') <= NAME_MAX_BYTES
  );
}

/**
 * Whether `path` is a safe relative path inside a skill directory:
 * `/`-separated segments, none empty (no leading, trailing or doubled `/`),
 * none `.` or `..`, and no `\`, NUL or other control character; on Windows
 * no `:` (a drive prefix or an alternate data stream), while on POSIX
 * `C:notes.md` is an ordinary name, as the proxy serves it. Segment length is
 * left to the filesystem.
 *
 * Python allows `./x` and skips any path with a `..` substring; here
 * `notes..md` and `v1..2/x.md` are written (only a whole `..` segment climbs).
 *
 * @example
 * ```ts
 * isSafeBundlePath('scripts/run.sh'); // true
 * isSafeBundlePath('a/../../etc');     // false
 * ```
 */
export function isSafeBundlePath(path: string): boolean {
  if (typeof path !== 'string' || path === '' || UNSAFE_CHAR.test(path)) return false;
  if (COLON_UNSAFE && path.includes(':')) return false;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}

/**
 * Write a skill bundle to `<destDir>/<name>` and return that directory's real
 * path. The write is atomic with respect to crashes of this process: the files
 * go to a fresh `<destDir>/.<name>.tmp-<random>` directory, a previous skill
 * directory is moved aside to `.<name>.old-<random>`, the new one is renamed
 * into place and the old one removed. Readers see the previous skill or the
 * complete new one, except that `<name>` is briefly absent between the two
 * renames (a kill there leaves the previous skill in `.old-`; see
 * {@link cleanupStaleTemps}). Files are not fsynced, so power loss is not covered.
 *
 * Everything is validated before the disk is touched. `destDir` is created if
 * missing and resolved with `realpath` once, so a symlink in `destDir` itself is
 * followed; nothing below it is. An empty `files` map creates an empty skill
 * directory (Python creates none but still returns the path). Text files are
 * written as UTF-8, `{ base64 }` values as the decoded bytes; any other keys of
 * such an object are ignored. Names longer than 233 bytes get hashed temporary
 * names so those stay within 255 bytes. Paths differing only in case collide on
 * a case-insensitive filesystem; the write then fails with
 * `ERR_SKILL_WRITE_FAILED` and the previous skill stays.
 *
 * @param destDir - Parent directory of the skills, e.g. `.claude/skills`.
 * @param name - The skill name, one path segment (see {@link isSafeSkillName}).
 * @param files - Relative path → file content (see {@link isSafeBundlePath}).
 * @returns The absolute, real path of the skill directory.
 * @throws {SkillError} `ERR_SKILL_NAME_UNSAFE` for an unsafe name;
 *   `ERR_SKILL_PATH_UNSAFE` for an empty `destDir`, an unsafe path, two paths equal after NFC
 *   normalisation, a path that is both a file and a directory, or an existing
 *   `<destDir>/<name>` that is a symlink or not a directory;
 *   `ERR_SKILL_BUNDLE_INVALID` when `files` is not an object or a value is
 *   neither a string without lone surrogates nor `{ base64: <strict base64> }`;
 *   `ERR_SKILL_WRITE_FAILED` (with `cause`) when the filesystem fails, after
 *   which the previous skill is still in place and the temporary directory is gone.
 * @example
 * ```ts
 * const dir = await writeSkillBundle('.claude/skills', 'fal-generate', {
 *   'SKILL.md': '# fal-generate\n',
 *   'assets/logo.png': { base64: 'iVBORw0KGgo=' },
 * });
 * ```
 */
export async function writeSkillBundle(
  destDir: string,
  name: string,
  files: SkillBundleFiles,
): Promise<string> {
  if (!isSafeSkillName(name))
    throw new SkillError('ERR_SKILL_NAME_UNSAFE', `unsafe skill name ${show(name)}`);
  const entries = parseBundle(files);
  if (typeof destDir !== 'string' || destDir === '' || destDir.includes('\u0000')) {
    throw new SkillError('ERR_SKILL_PATH_UNSAFE', 'destination directory must be a non-empty path');
  }

  let root: string;
  try {
    await mkdir(destDir, { recursive: true });
    root = await realpath(destDir);
  } catch (err) {
    throw writeFailed(`cannot create destination directory ${show(destDir)}`, err);
  }
  const finalDir = join(root, name);
  // Checked now to fail before writing, and again right before the swap.
  await existingSkillDir(finalDir, name);

  const prefix = auxPrefix(name);
  const tmpDir = join(root, `${prefix}.tmp-${randomHex()}`);
  try {
    // Not recursive: fails if the path exists, so the directory is ours and empty.
    await mkdir(tmpDir);
  } catch (err) {
    throw writeFailed(`cannot create a temporary directory for skill ${show(name)}`, err);
  }
  try {
    // Directories first (each once, parents before children), then the files, a few at a time:
    // the temp directory is private until the swap, so order inside it does not matter.
    const dirs = new Set<string>();
    for (const { segments } of entries) {
      if (segments.length > 1) dirs.add(dirname(join(tmpDir, ...segments)));
    }
    for (const dir of [...dirs].sort()) await mkdir(dir, { recursive: true });
    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < entries.length) {
        const { segments, bytes } = entries[next++]!;
        // 'wx' = O_CREAT | O_EXCL: never opens, truncates or follows anything already there.
        await writeFile(join(tmpDir, ...segments), bytes, { flag: 'wx' });
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, entries.length) }, writer));
    // Two writes of the same skill in this process swap one after the other, never interleaved.
    await serialized(finalDir, () =>
      swapIn(tmpDir, finalDir, name, join(root, `${prefix}.old-${randomHex()}`)),
    );
  } catch (err) {
    await rm(tmpDir, { recursive: true, force: true }).catch(() => {});
    if (err instanceof SkillError) throw err;
    throw writeFailed(`writing skill ${show(name)} failed`, err);
  }
  return finalDir;
}

/** Pending swaps per final directory (in-process). */
const swaps = new Map<string, Promise<unknown>>();

async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (swaps.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => {});
  swaps.set(key, tail);
  try {
    return await run;
  } finally {
    if (swaps.get(key) === tail) swaps.delete(key);
  }
}

/**
 * Remove what interrupted {@link writeSkillBundle} runs for skill `name` left
 * in `destDir`: temporary `.tmp-` directories are deleted; a `.old-` directory
 * (a previous version moved aside just before the final rename) is renamed
 * back to `<name>` when `<name>` is missing, and deleted otherwise.
 *
 * Do not run it while a write of the same skill may be in progress: it would
 * delete that write's temporary directory (the write then fails cleanly).
 *
 * @param destDir - The directory given to {@link writeSkillBundle}. A missing directory is a no-op.
 * @param name - The skill name.
 * @throws {SkillError} `ERR_SKILL_NAME_UNSAFE` for an unsafe name; `ERR_SKILL_WRITE_FAILED` when listing, removing or renaming fails.
 * @example
 * ```ts
 * await cleanupStaleTemps('.claude/skills', 'fal-generate');
 * ```
 */
export async function cleanupStaleTemps(destDir: string, name: string): Promise<void> {
  if (!isSafeSkillName(name))
    throw new SkillError('ERR_SKILL_NAME_UNSAFE', `unsafe skill name ${show(name)}`);
  const prefix = auxPrefix(name);
  const stale = /^\.(tmp|old)-[0-9a-f]{16}$/;
  try {
    let root: string;
    try {
      root = await realpath(destDir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    const finalDir = join(root, name);
    // Dirent types come from lstat semantics: a symlink is never isDirectory().
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || !entry.name.startsWith(prefix)) continue;
      const kind = stale.exec(entry.name.slice(prefix.length))?.[1];
      if (kind === undefined) continue;
      const path = join(root, entry.name);
      if (kind === 'old' && (await lstatOrUndefined(finalDir)) === undefined) await rename(path, finalDir);
      else await rm(path, { recursive: true, force: true });
    }
  } catch (err) {
    throw writeFailed(`cleaning up skill ${show(name)} failed`, err);
  }
}

interface BundleEntry {
  readonly segments: readonly string[];
  readonly bytes: Uint8Array;
}

/** Files written at once inside one skill's temp directory. */
const WRITE_CONCURRENCY = 16;

/** Validate the whole bundle up front; nothing is written unless every entry is fine. */
function parseBundle(files: SkillBundleFiles): BundleEntry[] {
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new SkillError(
      'ERR_SKILL_BUNDLE_INVALID',
      'bundle files must be an object mapping paths to contents',
    );
  }
  const entries: BundleEntry[] = [];
  const filePaths = new Set<string>();
  const dirPaths = new Set<string>();
  for (const [path, value] of Object.entries(files)) {
    if (!isSafeBundlePath(path))
      throw new SkillError('ERR_SKILL_PATH_UNSAFE', `unsafe bundle path ${show(path)}`);
    // NFC so that paths a normalising filesystem (APFS) would merge are caught on every platform.
    const key = path.normalize('NFC');
    if (filePaths.has(key)) {
      throw new SkillError('ERR_SKILL_PATH_UNSAFE', `bundle path ${show(path)} duplicates another path`);
    }
    filePaths.add(key);
    const segments = key.split('/');
    for (let i = 1; i < segments.length; i++) dirPaths.add(segments.slice(0, i).join('/'));
    entries.push({ segments: path.split('/'), bytes: decodeValue(path, value) });
  }
  for (const key of filePaths) {
    if (dirPaths.has(key)) {
      throw new SkillError(
        'ERR_SKILL_PATH_UNSAFE',
        `bundle path ${show(key)} is both a file and a directory`,
      );
    }
  }
  return entries;
}

/** A file value: a string (written as UTF-8) or `{ base64 }` (contract §4.1). Messages never quote content. */
function decodeValue(path: string, value: unknown): Uint8Array {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw new SkillError('ERR_SKILL_BUNDLE_INVALID', `text of ${show(path)} is not valid Unicode`);
    }
    return Buffer.from(value, 'utf8');
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'base64')
  ) {
    const encoded: unknown = Reflect.get(value, 'base64');
    if (typeof encoded === 'string' && BASE64.test(encoded)) {
      const bytes = Buffer.from(encoded, 'base64');
      // Re-encoding catches non-zero trailing bits (e.g. 'QR==' for 'QQ==').
      if (bytes.toString('base64') === encoded) return bytes;
    }
    throw new SkillError(
      'ERR_SKILL_BUNDLE_INVALID',
      `base64 of ${show(path)} is not strict padded standard base64`,
    );
  }
  throw new SkillError('ERR_SKILL_BUNDLE_INVALID', `content of ${show(path)} must be a string or { base64 }`);
}

/** Move the previous skill aside, put the new one in place, then drop the previous one. */
async function swapIn(tmpDir: string, finalDir: string, name: string, oldDir: string): Promise<void> {
  const hasPrevious = await existingSkillDir(finalDir, name);
  if (hasPrevious) await rename(finalDir, oldDir);
  try {
    await rename(tmpDir, finalDir);
  } catch (err) {
    if (hasPrevious) await rename(oldDir, finalDir).catch(() => {});
    throw err;
  }
  // The new skill is in place; a leftover old copy is only clutter (cleanupStaleTemps removes it).
  if (hasPrevious) await rm(oldDir, { recursive: true, force: true }).catch(() => {});
}

/**
 * Whether a previous skill directory exists at `finalDir`. A symlink there is
 * refused rather than followed or replaced; so is anything that is not a directory.
 */
async function existingSkillDir(finalDir: string, name: string): Promise<boolean> {
  let stats: Stats | undefined;
  try {
    stats = await lstatOrUndefined(finalDir);
  } catch (err) {
    throw writeFailed(`cannot inspect the existing skill ${show(name)}`, err);
  }
  if (stats === undefined) return false;
  if (stats.isSymbolicLink()) {
    throw new SkillError(
      'ERR_SKILL_PATH_UNSAFE',
      `skill path for ${show(name)} is a symlink; refusing to follow it`,
    );
  }
  if (!stats.isDirectory()) {
    throw new SkillError(
      'ERR_SKILL_PATH_UNSAFE',
      `skill path for ${show(name)} exists and is not a directory`,
    );
  }
  return true;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * `.<name>` for the temporary and old directories, or `.<sha256(name)>` when
 * `.<name>.tmp-<16 hex>` would exceed 255 bytes.
 */
function auxPrefix(name: string): string {
  const suffixBytes = '.tmp-'.length + 16;
  if (1 + Buffer.byteLength(name, 'utf8') + suffixBytes <= NAME_MAX_BYTES) return `.${name}`;
  return `.${createHash('sha256').update(name, 'utf8').digest('hex')}`;
}

function randomHex(): string {
  return randomBytes(8).toString('hex');
}

function writeFailed(message: string, cause: unknown): SkillError {
  const code = errnoCode(cause);
  return new SkillError('ERR_SKILL_WRITE_FAILED', code === undefined ? message : `${message} (${code})`, {
    cause,
  });
}

/** A name or path for a message: JSON-quoted (controls escaped) and cut to 120 characters. */
function show(text: unknown): string {
  const quoted = JSON.stringify(String(text));
  return quoted.length > 120 ? `${quoted.slice(0, 117)}..."` : quoted;
}
