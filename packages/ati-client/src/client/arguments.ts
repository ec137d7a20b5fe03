/**
 * Checks of the arguments the client methods take, shared by
 * `AtiProxyClient`, `AtiAdminClient` and the transport: each throws an
 * `ERR_INVALID_ARGUMENT` {@link AtiError} that names the argument and never
 * quotes a credential. The clients import them as one namespace
 * (`import * as arg`). Internal.
 *
 * @module
 */
import { AtiError } from '../errors.ts';

/** @internal */
export function invalidArgument(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

/** @internal */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Header-safe token: visible ASCII only, so fetch never rejects (and echoes) it. @internal */
export const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** A credential for `Authorization`, or `undefined` for none (`''` too). Never quoted. @internal */
export function checkToken(token: unknown, source: string): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (typeof token !== 'string') throw invalidArgument(`${source} must be a string`);
  if (!TOKEN_CHARS.test(token)) {
    // Never quote the token: the message says what is wrong, not what it was.
    throw invalidArgument(`${source} contains characters not allowed in an Authorization header`);
  }
  return token;
}

/** @internal */
export function checkText(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  if (!value.isWellFormed()) throw invalidArgument(`${name} must not contain lone surrogates`);
  return value;
}

/** @internal */
export function checkOptionalText(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkText(name, value);
}

/** @internal */
export function checkStringList(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw invalidArgument(`${name} must be an array of strings`);
  return value.map((item, index) => checkText(`${name}[${index}]`, item));
}

/**
 * Encode one path segment. `.`/`..` (also as `%2E`) are dot segments to the
 * URL parser and would be collapsed into another route, and `''` hits the
 * collection route, so they are refused rather than sent. @internal
 */
export function segment(name: string, value: unknown): string {
  const text = checkText(name, value);
  if (text === '' || text === '.' || text === '..') {
    throw invalidArgument(`${name} must not be empty, "." or ".."`);
  }
  return encodeURIComponent(text);
}

/** A query string of the non-empty entries, or `undefined` when there are none. @internal */
export function queryOf(entries: Record<string, string | undefined>): URLSearchParams | undefined {
  const query = new URLSearchParams();
  let count = 0;
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined && value !== '') {
      query.append(key, value);
      count++;
    }
  }
  return count > 0 ? query : undefined;
}
