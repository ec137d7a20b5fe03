/**
 * How the proxy's serde reads each kind of claim (`ClaimKind` in
 * claim-table.ts): the readers the generated decoder (claim-codec.ts) calls.
 *
 * @module
 */
import { TokenError } from '../errors.ts';
import { isJsonObject, JsonFloat, type ParsedJson } from '../jws/json.ts';
import { setOwn, U64_MAX } from '../util/values.ts';
import type { AtiNamespace } from './claims.ts';

/** The error for a claim of the wrong type, or a required one missing. */
export function bad(claim: string, expected: string): TokenError {
  return new TokenError('ERR_JWT_CLAIMS_INVALID', `Claim "${claim}" must be ${expected}`);
}

/** serde's `String`: present and a string. */
export function requiredString(v: ParsedJson | undefined, name: string): string {
  if (typeof v !== 'string') throw bad(name, v === undefined ? 'present (a string)' : 'a string');
  return v;
}

/** serde's `Option<String>`: absent or `null` is `None`. */
export function optionalString(v: ParsedJson | undefined, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(name, 'a string or null');
  return v;
}

/** serde `u64`: an integer literal (no fraction, no exponent, no minus) ≤ 2^64−1. */
export function u64(v: ParsedJson | undefined, name: string): number {
  if (typeof v === 'number' && v >= 0) return v;
  if (typeof v === 'bigint' && v >= 0n && v <= U64_MAX) return Number(v);
  if (v === undefined) throw bad(name, 'present (an integer)');
  throw bad(name, v instanceof JsonFloat ? 'an integer (no fraction or exponent)' : 'a non-negative integer');
}

/** The `ati` namespace: absent or `null` is `None`; `v` a `u8`, `rate` an object of strings. */
export function atiNamespace(v: ParsedJson | undefined): AtiNamespace | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isJsonObject(v)) throw bad('ati', 'an object or null');
  const ver = v.v;
  if (typeof ver !== 'number' || ver < 0 || ver > 255) throw bad('ati.v', 'an integer from 0 to 255');
  const rateValue = v.rate;
  // Built as the TokenClaims constructor would copy it (a plain object, own
  // data properties in key order), so the constructor can take it as is.
  const rate: Record<string, string> = {};
  if (rateValue !== undefined) {
    if (!isJsonObject(rateValue)) throw bad('ati.rate', 'an object');
    for (const key of Object.keys(rateValue)) {
      const spec = rateValue[key];
      if (typeof spec !== 'string') throw bad('ati.rate', 'an object of strings');
      // Assignment would call the inherited __proto__ setter for this key.
      if (key === '__proto__') setOwn(rate, key, spec);
      else rate[key] = spec;
    }
  }
  return Object.freeze({ v: ver, rate: Object.freeze(rate) });
}
