/**
 * Rust's notion of whitespace (Unicode White_Space), which ATI uses to split
 * scopes, trim rate units, session tokens and search queries. It differs from
 * JS `trim()` and `\s`: it includes U+0085 and excludes U+FEFF. Every
 * White_Space code point is in the BMP, so UTF-16 units are exact.
 *
 * @module
 */

/** A run of Unicode White_Space: Rust `split_whitespace`'s separator (contract §2.4). */
export const RUST_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** Is this UTF-16 unit Unicode White_Space. */
function isRustWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/**
 * Rust `str::trim`: strip Unicode White_Space from both ends (contract §6).
 *
 * @example `rustTrim('\x85tok\ufeff ')` returns `'tok\ufeff'`
 */
export function rustTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isRustWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isRustWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Rust `str::trim_start`. */
export function rustTrimStart(text: string): string {
  let start = 0;
  while (start < text.length && isRustWhitespace(text.charCodeAt(start))) start++;
  return text.slice(start);
}
