/**
 * `ati-client/node`: Node-only helpers (filesystem, node:crypto backend).
 *
 * @module
 */

export { nodeCryptoBackend } from './jws/backend-node.ts';
