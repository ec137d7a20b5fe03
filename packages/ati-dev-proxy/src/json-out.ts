/**
 * JSON output the way the proxy's `serde_json` writes it (contract §0, §4.0):
 * every map's keys in byte (code point) order, since `serde_json::Value` is a
 * `BTreeMap` without `preserve_order`. JavaScript's own key order would put
 * integer-like keys first, so objects are written here, not by
 * `JSON.stringify`. Typed structs (`/health`, `/call`, `/help`) keep
 * declaration order: build those with {@link structJson}.
 *
 * @module
 */

import { formatRustFloat, isJsonObject, type Json } from './serde-json.ts';

/** Compare strings by Unicode code point (= UTF-8 byte order, Rust's `String` order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) sorts above every BMP code unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Turn an arbitrary value (a fixture handler's result) into {@link Json}:
 * `JSON.stringify` semantics (toJSON, dropped `undefined`), then parsed back.
 *
 * @throws {TypeError} for cycles and BigInts, as `JSON.stringify` does.
 */
export function toJson(value: unknown): Json {
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  return JSON.parse(text) as Json;
}

function writeString(s: string): string {
  return JSON.stringify(s);
}

/** A whole JS number in the safe range prints as an integer; any other prints as serde's f64. */
function writeNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 64 && !Object.is(n, -0)) return BigInt(n).toString();
  return formatRustFloat(n);
}

/**
 * Serialize like `serde_json::to_string(&Value)`: compact, keys sorted.
 *
 * @example
 * ```ts
 * sortedJson({ b: 1, a: { '10': 0, '9': 0 } }); // '{"a":{"10":0,"9":0},"b":1}'
 * ```
 */
export function sortedJson(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return writeNumber(value);
  if (typeof value === 'string') return writeString(value);
  if (!isJsonObject(value)) return `[${value.map(sortedJson).join(',')}]`;
  const keys = Object.keys(value).sort(compareCodePoints);
  return `{${keys.map((k) => `${writeString(k)}:${sortedJson(value[k]!)}`).join(',')}}`;
}

/** Serialize like `serde_json::to_string_pretty(&Value)`: two-space indent, `": "`, keys sorted. */
export function prettyJson(value: Json, indent = ''): string {
  if (value === null || typeof value !== 'object') return sortedJson(value);
  const inner = `${indent}  `;
  if (!isJsonObject(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${inner}${writeString(k)}: ${prettyJson(value[k]!, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * A typed struct body: fields in the given (declaration) order, values
 * serialized with sorted maps; `undefined` fields are skipped
 * (`skip_serializing_if = "Option::is_none"`).
 */
export function structJson(fields: ReadonlyArray<readonly [string, Json | undefined]>): string {
  const parts: string[] = [];
  for (const [k, v] of fields) if (v !== undefined) parts.push(`${writeString(k)}:${sortedJson(v)}`);
  return `{${parts.join(',')}}`;
}
