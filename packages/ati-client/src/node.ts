/**
 * `ati-client/node`: Node-only helpers (filesystem: session-token file reader and
 * writer, keyring files, skill bundles; node:crypto backend).
 *
 * @module
 */

export { nodeCryptoBackend } from './jws/backend-node.ts';
export {
  DEFAULT_SESSION_KEY_PATH,
  type KeyringFileOptions,
  type LocalKeyringFiles,
  type ReadLocalKeyringOptions,
  readLocalKeyring,
  type WriteLocalKeyringOptions,
  writeCredentials,
  writeLocalKeyring,
} from './node/keyring-files.ts';
export {
  DEFAULT_SESSION_TOKEN_PATH,
  MAX_SESSION_TOKEN_FILE_BYTES,
  type ResolveSessionTokenOptions,
  resolveSessionToken,
} from './node/session-token.ts';
export { type FileSinkOptions, fileSink } from './node/token-file.ts';
export {
  cleanupStaleTemps,
  isSafeBundlePath,
  isSafeSkillName,
  type SkillBundleFiles,
  writeSkillBundle,
} from './skills/bundle-writer.ts';
export { rustTrim } from './text/rust.ts';
