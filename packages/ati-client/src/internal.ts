/**
 * `ati-client/internal`: the helpers the dev proxy package (`ati-dev-proxy`)
 * shares with the SDK, so both read the proxy's rules from one place.
 *
 * Not a public API: no semver promise. `ati-dev-proxy` pins the exact
 * `ati-client` version it was built with.
 *
 * Loads no `node:` module, so the dev proxy's fetch handler bundles for
 * workerd without `nodejs_compat`; the CLI helpers are in
 * `ati-client/internal/cli`.
 *
 * @module
 */

export { SKILL_BUNDLE_BATCH_LIMIT } from './client/client.ts';
export { SHAPES, type Shape } from './client/shapes.ts';
export { readCapped } from './client/transport.ts';
export type { JsonObject, JsonValue } from './client/types.ts';
export { AtiError, SkillError, UsageError } from './errors.ts';
export { base64Encode, base64urlEncode } from './jws/encoding.ts';
export { type Jwk, type JwkLike, type Jwks, toJwks } from './jws/keys.ts';
export { decodeSecret } from './jws/resolve.ts';
export { formatWindow, proxyRateSpec, type RateSpec } from './rate/rate.ts';
export { matchesWildcard, ScopeSet } from './scope/scope.ts';
export {
  isHeaderText,
  SANDBOX_JOB_ID_HEADER,
  SANDBOX_SIGNATURE_HEADER,
  type SandboxSignatureVerdict,
  SIGNATURE_STATUS_HEADER,
  usableSandboxSecret,
  verifySandboxSignature,
} from './signature/sandbox.ts';
export { RUST_WHITESPACE, rustTrim, rustTrimStart } from './text/rust.ts';
export { TokenClaims } from './token/claims.ts';
export { validateToken } from './token/validate.ts';
export { type Clock, clockSeconds, errnoCode, U64_MAX } from './util/values.ts';
export { hashVirtualKey, VIRTUAL_KEY_PREFIX } from './virtual-keys/hash.ts';
