/**
 * Constant-time comparison for MACs held as strings.
 *
 * @module
 */

/**
 * Whether `a` and `b` are the same string, in time that depends only on
 * their lengths: every unit is compared, and the differences are OR-ed
 * together with no early exit. Lengths are not secret (an HS256 signature
 * segment is always 43 characters), so unequal lengths return at once.
 */
export function equalStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** {@link equalStrings} for bytes: time depends only on the lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
