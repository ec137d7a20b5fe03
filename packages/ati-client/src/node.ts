/**
 * `ati-client/node`: Node-only helpers (filesystem, node:crypto backend).
 *
 * @module
 */

export { nodeCryptoBackend } from './jws/backend-node.ts';
export {
  DEFAULT_SESSION_TOKEN_PATH,
  MAX_SESSION_TOKEN_FILE_BYTES,
  type ResolveSessionTokenOptions,
  resolveSessionToken,
} from './node/session-token.ts';
export {
  cleanupStaleTemps,
  isSafeBundlePath,
  isSafeSkillName,
  type SkillBundleFiles,
  writeSkillBundle,
} from './skills/bundle-writer.ts';
export { rustTrim } from './text/rust.ts';
