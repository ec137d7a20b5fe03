/**
 * axum's `Query<T>` extraction (serde_urlencoded under serde_path_to_error),
 * for the proxy's query structs: `&`-separated pairs, `+` as space,
 * percent-decoding with lossy UTF-8, unknown keys ignored, a repeated known
 * key rejected, `true`/`false` only for booleans. A failure is HTTP 400 with
 * a plain-text body `Failed to deserialize query string: …` (contract §4.0).
 *
 * @module
 */

/** How one query field deserializes. */
export type QueryKind = 'opt-string' | 'opt-bool' | 'string';

/** A rejected query string; `message` is the full axum body text. */
export class QueryRejection extends Error {}

/**
 * Deserialize `rawQuery` (without `?`; `undefined` when the URL has none).
 *
 * @throws {QueryRejection}
 * @example
 * ```ts
 * parseQuery('meta=true', { meta: 'opt-bool', refs: 'opt-bool' }); // { meta: true }
 * ```
 */
export function parseQuery(
  rawQuery: string | undefined,
  fields: Readonly<Record<string, QueryKind>>,
): Record<string, string | boolean | undefined> {
  const out: Record<string, string | boolean | undefined> = Object.create(null) as Record<
    string,
    string | boolean | undefined
  >;
  const fail = (why: string): never => {
    throw new QueryRejection(`Failed to deserialize query string: ${why}`);
  };
  const seen = new Set<string>();
  for (const [key, value] of new URLSearchParams(rawQuery ?? '')) {
    const kind = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (kind === undefined) continue;
    if (seen.has(key)) fail(`duplicate field \`${key}\``);
    seen.add(key);
    if (kind === 'opt-bool') {
      if (value === 'true') out[key] = true;
      else if (value === 'false') out[key] = false;
      else fail(`${key}: provided string was not \`true\` or \`false\``);
    } else out[key] = value;
  }
  for (const [key, kind] of Object.entries(fields)) {
    if (kind === 'string' && !seen.has(key)) fail(`missing field \`${key}\``);
  }
  return out;
}
