/**
 * How each kind of claim is written into the payload JSON (`ClaimKind` in
 * claim-table.ts): the writers the generated encoder (claim-codec.ts) calls.
 *
 * @module
 */
import { TokenError } from '../errors.ts';
import { rateEntries } from '../rate/rate.ts';

/** `ERR_INVALID_ARGUMENT`: an issue option is wrong. */
export function invalid(message: string): TokenError {
  return new TokenError('ERR_INVALID_ARGUMENT', message);
}

/**
 * Only U+0020–U+FFFF minus `"`, `\\` and the surrogates: nothing
 * JSON.stringify would escape, and nothing isWellFormed could refuse.
 */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\ud7ff\ue000-\uffff]*$/;

/** A JSON string literal; refuses lone surrogates, which the proxy's serde_json rejects. */
export function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  // Claim values are almost always plain text; quoting them directly halves the cost.
  if (PLAIN_JSON_TEXT.test(value)) return `"${value}"`;
  if (!value.isWellFormed()) throw invalid(`${name} contains a lone UTF-16 surrogate`);
  return JSON.stringify(value);
}

/** The `rate` member of the `ati` namespace (with its leading comma), or `''` when there is none. */
export function rateJson(rate: Readonly<Record<string, string>> | undefined): string {
  if (rate === undefined) return '';
  const entries = rateEntries(rate);
  if (entries.length === 0) return '';
  return `,"rate":{${entries.map(([k, v]) => `${str(k, 'rate pattern')}:${str(v, 'rate spec')}`).join(',')}}`;
}
