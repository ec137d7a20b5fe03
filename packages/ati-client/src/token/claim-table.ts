/**
 * The claims of an ATI session token as one table. `toJSON` and the strict
 * JSON parser's known keys read it at run time; the payload encoder (issue)
 * and decoder (validate, inspect) are generated from it into claim-codec.ts
 * by `npm run gen` (scripts/gen-claim-codec.ts), so they cost what
 * hand-written code costs, and `test/token/claim-table.test.ts` fails when
 * the generated file is not what the table gives. No runtime imports, so the
 * JSON parser can use it without an import cycle.
 *
 * @module
 */
import type { TokenClaimsInit } from './claims.ts';

/** How the proxy's serde reads a claim: a string, a `u64`, or the `ati` namespace. */
export type ClaimKind = 'string' | 'u64' | 'ati';

/**
 * One claim: its wire name, the issue option it comes from, its kind, whether
 * a token may lack it, and whether `issueToken` always writes it.
 */
export interface ClaimSpec {
  readonly wire: keyof TokenClaimsInit;
  /** The `issueToken` option name that sets it (named in issue errors). */
  readonly option: string;
  readonly kind: ClaimKind;
  /** serde `Option`: absent (or `null`) is accepted on decode. */
  readonly optional: boolean;
  /** `always`: every issued token has it (a default when not given); `given`: only when set. */
  readonly issue: 'always' | 'given';
}

/**
 * Every claim of an ATI session token, in the proxy's serialization order
 * (`core::jwt::TokenClaims`): the one declaration of the claims.
 *
 * @internal
 */
export const CLAIMS: readonly ClaimSpec[] = [
  { wire: 'iss', option: 'issuer', kind: 'string', optional: true, issue: 'given' },
  { wire: 'sub', option: 'sub', kind: 'string', optional: false, issue: 'always' },
  { wire: 'aud', option: 'audience', kind: 'string', optional: false, issue: 'always' },
  { wire: 'iat', option: 'now', kind: 'u64', optional: false, issue: 'always' },
  { wire: 'exp', option: 'ttlSeconds', kind: 'u64', optional: false, issue: 'always' },
  { wire: 'jti', option: 'jti', kind: 'string', optional: true, issue: 'always' },
  { wire: 'scope', option: 'scope', kind: 'string', optional: false, issue: 'always' },
  { wire: 'ati', option: 'rate', kind: 'ati', optional: true, issue: 'always' },
  { wire: 'job_id', option: 'jobId', kind: 'string', optional: true, issue: 'given' },
  { wire: 'sandbox_id', option: 'sandboxId', kind: 'string', optional: true, issue: 'given' },
];

/** Member names of a JWT header and of the `ati` namespace, which the parser also meets. */
export const OTHER_KNOWN_KEYS: readonly string[] = ['alg', 'typ', 'kid', 'v', 'rate', 'nbf'];
