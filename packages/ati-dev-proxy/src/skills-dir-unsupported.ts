/**
 * What `#skills-dir` resolves to outside Node (workers, browsers): reading a
 * skills directory needs a filesystem, so `createDevProxy({ skillsDir })`
 * fails with a coded error instead of pulling `node:fs` into the bundle, and
 * the fetch handler runs in workerd without `nodejs_compat`.
 *
 * @module
 */
import { SkillError } from 'ati-client/internal';
import type { LoadSkillsDirOptions } from './skills-dir.ts';
import type { DevSkill } from './types.ts';

/**
 * Unavailable outside Node: pass the skills as `skills` instead.
 *
 * @throws {SkillError} `ERR_SKILL_BUNDLE_INVALID`, always.
 */
export async function loadSkillsDir(_dir: string, _options?: LoadSkillsDirOptions): Promise<DevSkill[]> {
  throw new SkillError(
    'ERR_SKILL_BUNDLE_INVALID',
    'Loading a skills directory needs Node.js (a filesystem); pass the skills as `skills` instead',
  );
}
