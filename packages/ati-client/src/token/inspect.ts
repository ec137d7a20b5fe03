/**
 * Decode a token without verifying it.
 *
 * @module
 */
import { AtiError, TokenError } from '../errors.ts';
import { claimsFromPayload, type TokenClaims } from './claims.ts';
import { DEFAULT_MAX_TOKEN_LENGTH, decodeSegment, splitToken } from './compact.ts';

/**
 * Decode a token's claims **without verifying anything**: not the signature,
 * not expiry, not audience or issuer. For debugging and display only; never
 * use the result to make an access decision (use {@link validateToken}).
 *
 * Like `ati token inspect`, the claims must still have the shape the proxy
 * reads (contract §1.3), and the header must be well-formed; any algorithm is
 * allowed. Synchronous.
 *
 * @throws {TokenError} `ERR_JWT_TOO_LARGE`, `ERR_JWT_MALFORMED`, `ERR_JWT_CLAIMS_INVALID`.
 * @example
 * ```ts
 * const claims = inspectToken(token);
 * console.log(claims.sub, new Date(claims.exp * 1000));
 * ```
 */
export function inspectToken(token: string): TokenClaims {
  try {
    const parts = splitToken(token, DEFAULT_MAX_TOKEN_LENGTH);
    return claimsFromPayload(decodeSegment(parts.payloadB64, 'payload'));
  } catch (err) {
    if (err instanceof AtiError) throw err;
    throw new TokenError('ERR_JWT_MALFORMED', 'Token could not be decoded', { cause: err });
  }
}
