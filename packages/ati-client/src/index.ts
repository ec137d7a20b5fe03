/**
 * ati-client: the TypeScript SDK for ATI (Agent Tools Interface).
 *
 * This entry loads no `node:` module on runtimes without the `node` import
 * condition: the crypto backend is chosen by the `#crypto` import condition
 * (node:crypto on Node, Bun and Deno, which all match `node`; Web Crypto in
 * browsers, workers and elsewhere). Node-only helpers live in `ati-client/node`; the dev
 * proxy is its own package, `ati-dev-proxy`.
 *
 * @module
 */

export { AtiProxyClient, SKILL_BUNDLE_BATCH_LIMIT } from './client/client.ts';
export type {
  AtiProxyClientOptions,
  CallOptions,
  GetSkillOptions,
  HelpOptions,
  ListSkillsOptions,
  ListToolsOptions,
  RequestOptions,
  ResolveSkillsOptions,
  SkillatiResourcesOptions,
  SkillCatalogOptions,
  TokenProvider,
} from './client/options.ts';
export type {
  BundleFiles,
  BundleFileValue,
  CallArgs,
  CallRequest,
  CallResponse,
  HealthResponse,
  HelpRequest,
  HelpResponse,
  JsonObject,
  JsonValue,
  JwksResponse,
  ListSkillsQuery,
  ListToolsQuery,
  ProxyErrorBody,
  ProxyJwk,
  ResolvedSkill,
  ResolveSkillsRequest,
  SkillatiCatalog,
  SkillatiCatalogEntry,
  SkillatiFile,
  SkillatiRef,
  SkillatiRefs,
  SkillatiResources,
  SkillatiSkill,
  SkillBundle,
  SkillBundleBatch,
  SkillBundleBatchRequest,
  SkillDetail,
  SkillListEntry,
  SkillMetaDetail,
  ToolDetail,
  ToolListEntry,
} from './client/types.ts';
export {
  AtiError,
  type AtiErrorCode,
  type AtiErrorOptions,
  ERROR_CODES,
  KeyringError,
  ProvisionError,
  ProxyError,
  type ProxyErrorDetails,
  ScopeError,
  SessionTokenError,
  SkillError,
  TokenError,
  TokenExpiredError,
  TokenRotationError,
} from './errors.ts';
export type { CryptoBackend, KeyHandle, MaybePromise } from './jws/backend.ts';
export { webCryptoBackend } from './jws/backend-web.ts';
export {
  generateKeyPair,
  generateSecret,
  type Jwk,
  type JwkLike,
  type Jwks,
  type KeyPairPem,
  type PrivateKeyInput,
  type PublicKeyInput,
  type ToJwksOptions,
  toJwks,
} from './jws/keys.ts';
export {
  decodeKeyringKey,
  encodeKeyringKey,
  type KeyringEntries,
  openKeyring,
  type SealedKeyring,
  type SealKeyringOptions,
  sealKeyring,
} from './keyring/keyring.ts';
export {
  AtiOrchestrator,
  type AtiOrchestratorOptions,
  type IssueJobKeyOptions,
  type ProvisionFileResult,
  type ProvisionResult,
  type ProvisionResultWithSkills,
  type ProvisionSandboxOptions,
  type RotateSessionTokenOptions,
  type TokenOption,
} from './orchestrator.ts';
export { formatWindow, parseRateMap, parseRateSpec, type RateSpec } from './rate/rate.ts';
export {
  type BuildScopeOptions,
  buildScopeString,
  checkScope,
  legacyAlias,
  matchesWildcard,
  parseScopes,
  type ScopeClaimsLike,
  ScopeSet,
} from './scope/scope.ts';
export {
  type SandboxSignatureVerdict,
  type SignSandboxRequestOptions,
  signSandboxRequest,
  type VerifySandboxSignatureOptions,
  verifySandboxSignature,
} from './signature/sandbox.ts';
export type { DownloadProgress, DownloadSkillsResult } from './skills/download.ts';
export {
  buildSkillInstructions,
  formatToolInstructions,
  type ToolInfoResult,
} from './skills/instructions.ts';
export { formatSkillListing, SKILL_LISTING_BUDGET, type SkillCatalogEntry } from './skills/listing.ts';
export { type AtiNamespace, TokenClaims, type TokenClaimsInit } from './token/claims.ts';
export { inspectToken } from './token/inspect.ts';
export { type IssueTokenOptions, issueToken } from './token/issue.ts';
export {
  type RotationEvent,
  TokenRotator,
  type TokenRotatorOptions,
  type TokenRotatorState,
  type TokenSink,
  type TokenSinkContext,
} from './token/rotator.ts';
export { type ValidateTokenOptions, validateToken } from './token/validate.ts';
export type { Clock } from './util/values.ts';
export {
  AtiAdminClient,
  type AtiAdminClientJson,
  type AtiAdminClientOptions,
  type BulkRevokeOptions,
  IssuedVirtualKey,
  type IssuedVirtualKeyJson,
  type IssueKeyOptions,
  type RevokeKeyOptions,
  type VirtualKeyInfo,
} from './virtual-keys/admin-client.ts';
export { hashVirtualKey, isVirtualKey, VIRTUAL_KEY_PREFIX } from './virtual-keys/hash.ts';
export { JobKey } from './virtual-keys/job-key.ts';
