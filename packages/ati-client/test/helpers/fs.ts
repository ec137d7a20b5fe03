/** Real-directory helpers for the bundle-writer tests. */
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sandbox {
  /** The sandbox root: everything a test creates lives below it. */
  readonly root: string;
  /** `<root>/skills`, the destination directory (not created). */
  readonly dest: string;
  remove(): Promise<void>;
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'ati-bundle-'));
  return { root, dest: join(root, 'skills'), remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Every entry below `dir` (symlinks not followed) as sorted `path type detail`
 * lines: files with their sha256, symlinks with their target.
 */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    for (const entry of await readdir(abs)) {
      const path = join(abs, entry);
      const relPath = rel === '' ? entry : `${rel}/${entry}`;
      const stats = await lstat(path);
      if (stats.isSymbolicLink()) out.push(`${relPath} link ${await readlink(path)}`);
      else if (stats.isDirectory()) {
        out.push(`${relPath} dir`);
        await walk(path, relPath);
      } else {
        const sum = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        out.push(`${relPath} file ${sum}`);
      }
    }
  }
  await walk(dir, '');
  return out.sort();
}

/** Regular files below `dir` as relative path → bytes; fails on anything but files and directories. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  async function walk(abs: string, rel: string): Promise<void> {
    for (const entry of await readdir(abs, { withFileTypes: true })) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(join(abs, entry.name), relPath);
      else if (entry.isFile()) out.set(relPath, await readFile(join(abs, entry.name)));
      else throw new Error(`unexpected entry type at ${relPath}`);
    }
  }
  await walk(dir, '');
  return out;
}

/** The bytes a bundle's values should produce on disk. */
export function expectedTree(
  files: Readonly<Record<string, string | { base64: string }>>,
): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [path, value] of Object.entries(files)) {
    out.set(
      path,
      typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.base64, 'base64'),
    );
  }
  return out;
}
