/**
 * The dev proxy's request view and its response and body helpers: the
 * shapes axum's extractors and `IntoResponse` impls give (contract §4.0).
 *
 * @module
 */

import { isHeaderText, readCapped } from 'ati-client/internal';
import { sortedJson } from './json-out.ts';
import { parseQuery, type QueryKind, QueryRejection } from './query.ts';
import { fromSliceWithPath, type Json, SerdeError, type StructSpec, UTF8 } from './serde-json.ts';

/** One request, independent of where it came from (a Web `Request` or node:http). */
export interface DevRequest {
  readonly method: string;
  /** Request target as sent: raw (percent-encoded) path plus optional `?query`. */
  readonly target: string;
  /** First value of a header, as text; `undefined` when absent. */
  header(name: string): string | undefined;
  /** The body, at most `limit` bytes; `undefined` when it is larger. */
  body(limit: number): Promise<Uint8Array | undefined>;
}

/** A {@link DevRequest} over a Web `Request`. */
export function webRequest(request: Request): DevRequest {
  let target: string;
  try {
    const url = new URL(request.url);
    target = url.pathname + url.search;
  } catch {
    target = '/';
  }
  return {
    method: request.method,
    target,
    header: (n) => request.headers.get(n) ?? undefined,
    body: (limit) => readCapped(request.body, limit),
  };
}

/** The path of a request target (no query). */
export function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

export { UTF8 };

/** `HeaderValue::to_str`: visible ASCII and tab only, else treated as absent. */
export function headerText(req: DevRequest, name: string): string | undefined {
  const value = req.header(name);
  return value !== undefined && isHeaderText(value) ? value : undefined;
}

// --- responses ----------------------------------------------------------------

/** A JSON response with an already serialized body. */
export function json(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}

/** `{"error": message}`, the handlers' error body. */
export function errorJson(status: number, message: string): Response {
  return json(status, sortedJson({ error: message }));
}

/** A plain-text response (axum's rejections). */
export function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** A response without a body. */
export function empty(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers });
}

/** The proxy's 404 for a skill that does not exist or is not visible. */
export function skillNotFound(name: string): Response {
  return errorJson(404, `Skill '${name}' not found`);
}

// --- extractors -----------------------------------------------------------------

/** axum's `json_content_type`: `application/json` or any `application/*+json`, parameters allowed. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*(;.*)?$/.exec(value);
  if (m === null) return false;
  const params = m[3];
  if (params !== undefined) {
    for (const p of params.slice(1).split(';')) {
      if (!/^[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+=("([^"\\]|\\.)*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*$/.test(p))
        return false;
    }
  }
  const type = m[1]!.toLowerCase();
  const subtype = m[2]!.toLowerCase();
  return type === 'application' && (subtype === 'json' || subtype.endsWith('+json'));
}

/**
 * axum's `Json` extractor's content-type and body-size checks: the body
 * bytes, or the 415/413 rejection.
 */
export async function jsonBytes(req: DevRequest, limit: number): Promise<Uint8Array | Response> {
  if (!isJsonContentType(headerText(req, 'content-type'))) {
    return text(415, 'Expected request with `Content-Type: application/json`');
  }
  const bytes = await req.body(limit);
  return bytes ?? text(413, 'Failed to buffer the request body: length limit exceeded');
}

/** axum's `Json<T>` extractor for a struct `spec`: the fields, or the rejection. */
export async function jsonBody(
  req: DevRequest,
  spec: StructSpec,
  limit: number,
): Promise<Response | Record<string, Json | undefined>> {
  const bytes = await jsonBytes(req, limit);
  if (bytes instanceof Response) return bytes;
  try {
    return fromSliceWithPath(bytes, spec);
  } catch (err) {
    if (!(err instanceof SerdeError)) throw err;
    return err.category === 'data'
      ? text(422, `Failed to deserialize the JSON body into the target type: ${err.pathMessage()}`)
      : text(400, `Failed to parse the request body as JSON: ${err.pathMessage()}`);
  }
}

/** The request target's query string, without `?`; `undefined` when it has none. */
export function rawQuery(req: DevRequest): string | undefined {
  const q = req.target.indexOf('?');
  return q < 0 ? undefined : req.target.slice(q + 1);
}

/** axum's `Query<T>` extractor: the fields, or the 400 rejection. */
export function queryOf(
  req: DevRequest,
  fields: Readonly<Record<string, QueryKind>>,
): ReturnType<typeof parseQuery> | Response {
  try {
    return parseQuery(rawQuery(req), fields);
  } catch (err) {
    if (err instanceof QueryRejection) return text(400, err.message);
    throw err;
  }
}
