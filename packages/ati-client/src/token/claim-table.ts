/**
 * The claims of an ATI session token as one table. `toJSON` and the strict
 * JSON parser's known keys read it; issue and decode are written out for
 * speed and checked against it by `test/token/claim-table.test.ts`. No
 * runtime imports, so the JSON parser can use it without an import cycle.
 *
 * @module
 */
import type { TokenClaimsInit } from './claims.ts';

/** How the proxy's serde reads a claim: a string, a `u64`, or the `ati` namespace. */
export type ClaimKind = 'string' | 'u64' | 'ati';

/** One claim: its wire name, the issue option it comes from, its kind, and whether it may be absent. */
export interface ClaimSpec {
  readonly wire: keyof TokenClaimsInit;
  /** The `issueToken` option name that sets it (named in issue errors). */
  readonly option: string;
  readonly kind: ClaimKind;
  readonly optional: boolean;
}

/**
 * Every claim of an ATI session token, in the proxy's serialization order
 * (`core::jwt::TokenClaims`): the one declaration of the claims.
 *
 * @internal
 */
export const CLAIMS: readonly ClaimSpec[] = [
  { wire: 'iss', option: 'issuer', kind: 'string', optional: true },
  { wire: 'sub', option: 'sub', kind: 'string', optional: false },
  { wire: 'aud', option: 'audience', kind: 'string', optional: false },
  { wire: 'iat', option: 'now', kind: 'u64', optional: false },
  { wire: 'exp', option: 'ttlSeconds', kind: 'u64', optional: false },
  { wire: 'jti', option: 'jti', kind: 'string', optional: true },
  { wire: 'scope', option: 'scope', kind: 'string', optional: false },
  { wire: 'ati', option: 'rate', kind: 'ati', optional: true },
  { wire: 'job_id', option: 'jobId', kind: 'string', optional: true },
  { wire: 'sandbox_id', option: 'sandboxId', kind: 'string', optional: true },
];

/** Member names of a JWT header and of the `ati` namespace, which the parser also meets. */
export const OTHER_KNOWN_KEYS: readonly string[] = ['alg', 'typ', 'kid', 'v', 'rate', 'nbf'];
