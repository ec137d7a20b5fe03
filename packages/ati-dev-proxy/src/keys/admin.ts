/**
 * The proxy's `/admin/keys*` router (contract §9) and its `Ati-Key` auth
 * path. The admin router sits beside the main one: only its own bearer check
 * (constant-time, 503 without a configured token, 401 on mismatch), no
 * signature check, no JWT auth.
 *
 * @module
 */

import { TokenClaims } from 'ati-client/internal';
import { sortedJson } from '../json-out.ts';
import type { DevRequest } from '../proxy.ts';
import { parseQuery, QueryRejection } from '../query.ts';
import type { Json, StructSpec } from '../serde-json.ts';
import {
  ExpiryOverflow,
  hashKey,
  InvalidKeyParams,
  isActive,
  type KeyRecord,
  type KeyStore,
  keyJson,
  syntheticScope,
} from './store.ts';

/** axum's `DefaultBodyLimit` on the admin router (the main router's larger limit is not applied there). */
export const ADMIN_BODY_LIMIT = 2 * 1024 * 1024;

const ISSUE_REQUEST: StructSpec = {
  name: 'AdminIssueRequest',
  fields: [
    { name: 'user_id', kind: 'string' },
    { name: 'alias', kind: 'string' },
    { name: 'tools', kind: 'seq-string', default: () => [] },
    { name: 'providers', kind: 'seq-string', default: () => [] },
    { name: 'categories', kind: 'seq-string', default: () => [] },
    { name: 'skills', kind: 'seq-string', default: () => [] },
    { name: 'expires_in_secs', kind: 'opt-u64', default: () => undefined },
    { name: 'metadata', kind: 'any', default: () => null },
    { name: 'created_by', kind: 'opt-string', default: () => undefined },
  ],
};

const BULK_REQUEST: StructSpec = {
  name: 'AdminBulkRevokeRequest',
  fields: [
    { name: 'user_id', kind: 'opt-string', default: () => undefined },
    { name: 'alias_prefix', kind: 'opt-string', default: () => undefined },
    { name: 'hashes', kind: 'opt-seq-string', default: () => undefined },
    { name: 'by', kind: 'opt-string', default: () => undefined },
  ],
};

type AdminRoute = 'issue' | 'bulk' | 'key' | 'list';
const ALLOW: Record<AdminRoute, string> = {
  issue: 'POST',
  bulk: 'POST',
  key: 'GET,HEAD,DELETE',
  list: 'GET,HEAD',
};

/** What the admin router needs from the dev proxy. */
export interface AdminContext {
  /** `ATI_ADMIN_TOKEN`; `undefined` or `''` = not configured. */
  readonly token: string | undefined;
  /** The key store, or `undefined` when there is none (no database). */
  store(): Promise<KeyStore | undefined>;
  /** axum's `Json<T>` extractor with the given body limit. */
  jsonBody(
    req: DevRequest,
    spec: StructSpec,
    limit: number,
  ): Promise<Response | Record<string, Json | undefined>>;
  /** axum's `Path` decoding of one segment; `undefined` for invalid UTF-8. */
  decodePathParam(raw: string): string | undefined;
}

function json(status: number, body: Json): Response {
  return new Response(sortedJson(body), { status, headers: { 'content-type': 'application/json' } });
}

function plain(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** The admin route of a raw path (matchit: static segments beat `{hash}`), or `undefined`. */
function matchAdmin(path: string): { route: AdminRoute; raw?: string } | undefined {
  if (path === '/admin/keys') return { route: 'list' };
  if (!path.startsWith('/admin/keys/')) return undefined;
  const rest = path.slice(12);
  if (rest === '' || rest.includes('/')) return undefined;
  if (rest === 'issue') return { route: 'issue' };
  if (rest === 'bulk-revoke') return { route: 'bulk' };
  return { route: 'key', raw: rest };
}

/**
 * Constant-time comparison that walks the whole configured token whatever
 * the presented length (the proxy's `constant_time_eq`).
 */
export function constantTimeEqual(configured: string, presented: string): boolean {
  const a = new TextEncoder().encode(configured);
  const b = new TextEncoder().encode(presented);
  let diff = a.length === b.length ? 0 : 1;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b.length === 0 ? 0 : b[i % b.length]!);
  return diff === 0;
}

/** sqlx's Display of a failure, as the proxy puts it in a 500 body. */
export function sqlxMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const fromServer =
    typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string';
  return fromServer ? `sqlx error: error returned from database: ${message}` : `sqlx error: ${message}`;
}

const UNAVAILABLE = 'admin endpoints require ATI_DB_URL + ATI_ADMIN_TOKEN';

/**
 * Answer a request to the admin router, or `undefined` when the path is not
 * one of its routes (the main router's fallback then handles it).
 */
export async function adminRoute(
  req: DevRequest,
  path: string,
  ctx: AdminContext,
): Promise<Response | undefined> {
  const m = matchAdmin(path);
  if (m === undefined) return undefined;
  // The admin middleware wraps every route, the 405 answers included.
  if (ctx.token === undefined || ctx.token === '') return new Response(null, { status: 503 });
  const header = req.header('authorization');
  const presented =
    header !== undefined && /^[\t\x20-\x7e]*$/.test(header) && header.startsWith('Bearer ')
      ? header.slice(7)
      : '';
  if (!constantTimeEqual(ctx.token, presented)) return new Response(null, { status: 401 });
  const method = req.method;
  const allowed =
    m.route === 'issue' || m.route === 'bulk'
      ? method === 'POST'
      : method === 'GET' || method === 'HEAD' || (m.route === 'key' && method === 'DELETE');
  if (!allowed) return new Response(null, { status: 405, headers: { allow: ALLOW[m.route] } });
  const res = await dispatch(req, m.route, m.raw, ctx);
  return method === 'HEAD' ? new Response(null, { status: res.status, headers: res.headers }) : res;
}

async function dispatch(
  req: DevRequest,
  route: AdminRoute,
  raw: string | undefined,
  ctx: AdminContext,
): Promise<Response> {
  const q = req.target.indexOf('?');
  const rawQuery = q < 0 ? undefined : req.target.slice(q + 1);
  try {
    switch (route) {
      case 'issue': {
        const body = await ctx.jsonBody(req, ISSUE_REQUEST, ADMIN_BODY_LIMIT);
        if (body instanceof Response) return body;
        const store = await ctx.store();
        if (store === undefined) return json(503, { error: UNAVAILABLE });
        const { rawKey, hash, key } = await store.issue({
          userId: body.user_id as string,
          alias: body.alias as string,
          tools: body.tools as string[],
          providers: body.providers as string[],
          categories: body.categories as string[],
          skills: body.skills as string[],
          expiresInSecs: body.expires_in_secs as string | undefined,
          metadata: body.metadata as Json,
          createdBy: body.created_by as string | undefined,
        });
        return json(201, { raw_key: rawKey, hash, alias: key.keyAlias, expires_at: key.expiresAt });
      }
      case 'bulk': {
        const body = await ctx.jsonBody(req, BULK_REQUEST, ADMIN_BODY_LIMIT);
        if (body instanceof Response) return body;
        const store = await ctx.store();
        if (store === undefined) return json(503, { error: UNAVAILABLE });
        const count = await store.bulkRevoke(
          {
            userId: body.user_id as string | undefined,
            aliasPrefix: body.alias_prefix as string | undefined,
            hashes: body.hashes as string[] | undefined,
          },
          body.by as string | undefined,
        );
        return json(200, { revoked: count });
      }
      case 'key':
        return await keyRoute(req, raw!, rawQuery, ctx);
      case 'list': {
        // `Query<HashMap<String, String>>`: unknown keys kept, the last duplicate wins, lossy UTF-8.
        const userId = new URLSearchParams(rawQuery ?? '').getAll('user_id').at(-1);
        const store = await ctx.store();
        if (store === undefined) return json(503, { error: UNAVAILABLE });
        if (userId === undefined) return json(400, { error: 'user_id query param required' });
        const rows = await store.list(userId);
        return json(200, { sessions: rows.map(keyJson) });
      }
    }
  } catch (err) {
    if (err instanceof InvalidKeyParams) return json(400, { error: err.message });
    if (err instanceof ExpiryOverflow) return json(500, { error: err.message });
    if (err instanceof QueryRejection) return plain(400, err.message);
    return json(500, { error: sqlxMessage(err) });
  }
}

async function keyRoute(
  req: DevRequest,
  raw: string,
  rawQuery: string | undefined,
  ctx: AdminContext,
): Promise<Response> {
  const hash = ctx.decodePathParam(raw);
  if (hash === undefined) return plain(400, 'Invalid URL: Invalid UTF-8 in `hash`');
  if (req.method === 'DELETE') {
    const by = parseQuery(rawQuery, { by: 'opt-string' }).by as string | undefined;
    const store = await ctx.store();
    if (store === undefined) return json(503, { error: UNAVAILABLE });
    const revoked = await store.revoke(hash, by ?? 'admin');
    return revoked ? json(200, { revoked: true }) : json(404, { error: 'no such key' });
  }
  const store = await ctx.store();
  if (store === undefined) return json(503, { error: UNAVAILABLE });
  const key = await store.lookup(hash);
  return key === null ? json(404, { error: 'no such key' }) : json(200, keyJson(key));
}

/**
 * The auth middleware's `Ati-Key` path: `undefined` when the header is not
 * an `Ati-Key` one; else 503 (no store, database error), 401 (unknown,
 * revoked, blocked, expired; empty bodies) or the synthetic claims (§9).
 */
export async function atiKeyClaims(
  header: string | undefined,
  store: KeyStore | undefined,
  nowSeconds: number,
): Promise<Response | TokenClaims | undefined> {
  if (header === undefined || !header.startsWith('Ati-Key ')) return undefined;
  if (store === undefined) return new Response(null, { status: 503 });
  let key: KeyRecord | null;
  try {
    key = await store.lookup(await hashKey(header.slice(8)));
  } catch {
    return new Response(null, { status: 503 });
  }
  if (key === null || !isActive(key, BigInt(Math.floor(nowSeconds * 1e6)))) {
    return new Response(null, { status: 401 });
  }
  const exp = key.expiresMicros === null ? 0 : Math.max(0, Number(key.expiresMicros / 1_000_000n));
  return new TokenClaims({
    sub: key.userId,
    aud: '',
    iat: Math.max(0, key.createdSeconds),
    exp,
    scope: syntheticScope(key),
    jti: key.tokenHash,
  });
}
