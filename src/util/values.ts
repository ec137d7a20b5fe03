/**
 * Small value helpers shared across modules. Internal: nothing here is part
 * of the public surface.
 *
 * @module
 */

/** 2^64 − 1, the largest value of Rust's `u64` (serde's integer fields, rate counts). */
export const U64_MAX = 18446744073709551615n;

/** A non-null, non-array object (what `JSON.parse` gives for `{…}`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `code` of a Node system error (`'ENOENT'`, …), or `undefined` when there is none. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
}
