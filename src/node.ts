/**
 * `ati-client/node`: Node-only helpers (filesystem, node:crypto backend).
 *
 * @module
 */

export { nodeCryptoBackend } from './jws/backend-node.ts';
export {
  cleanupStaleTemps,
  isSafeBundlePath,
  isSafeSkillName,
  type SkillBundleFiles,
  writeSkillBundle,
} from './skills/bundle-writer.ts';
