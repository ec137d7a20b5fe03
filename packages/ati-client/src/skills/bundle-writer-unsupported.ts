/**
 * What `#skill-writer` resolves to outside Node: writing skills to disk needs
 * a filesystem, so every entry point fails with a coded error instead of
 * pulling `node:fs` into browser and edge bundles.
 *
 * @module
 */
import { SkillError } from '../errors.ts';

function unsupported(): never {
  throw new SkillError('ERR_SKILL_WRITE_FAILED', 'Downloading skills to disk needs Node.js (a filesystem)');
}

/** Unavailable outside Node. @throws {SkillError} `ERR_SKILL_WRITE_FAILED`. */
export function isSafeSkillName(_name: string): boolean {
  return unsupported();
}

/** Unavailable outside Node. @throws {SkillError} `ERR_SKILL_WRITE_FAILED`. */
export async function writeSkillBundle(
  _destDir: string,
  _name: string,
  _files: Readonly<Record<string, unknown>>,
): Promise<string> {
  return unsupported();
}
