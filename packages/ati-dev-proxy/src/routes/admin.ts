/**
 * The proxy's `/admin/keys*` router (contract §9), beside the main one: only
 * its own bearer check (constant-time; 503 without a configured token, 401
 * on mismatch, both before the 405), no signature check, no JWT auth, and
 * axum's 2 MiB body limit.
 *
 * @module
 */

import { isHeaderText } from 'ati-client/internal';
import { type DevRequest, empty, jsonBody, json as jsonText, queryOf, rawQuery } from '../http.ts';
import { sortedJson } from '../json-out.ts';
import { constantTimeEqual, sqlxMessage } from '../keys/admin.ts';
import { ExpiryOverflow, InvalidKeyParams, type KeyStore, keyJson } from '../keys/store.ts';
import { type Route, type RouteContext, Router } from '../router.ts';
import type { Json, StructSpec } from '../serde-json.ts';
import type { DevState } from '../state.ts';

/** axum's `DefaultBodyLimit` on the admin router (the main router's larger limit is not applied there). */
export const ADMIN_BODY_LIMIT = 2 * 1024 * 1024;

const UNAVAILABLE = 'admin endpoints require ATI_DB_URL + ATI_ADMIN_TOKEN';

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

function json(status: number, body: Json): Response {
  return jsonText(status, sortedJson(body));
}

/**
 * An admin handler that needs the key store: 503 without one; store and
 * parameter failures become the proxy's 400/500 bodies.
 */
function withStore(handle: (ctx: RouteContext, store: KeyStore) => Promise<Response>): Route['handle'] {
  return async (ctx) => {
    try {
      const store = await ctx.state.keys?.store();
      if (store === undefined) return json(503, { error: UNAVAILABLE });
      return await handle(ctx, store);
    } catch (err) {
      if (err instanceof InvalidKeyParams) return json(400, { error: err.message });
      if (err instanceof ExpiryOverflow) return json(500, { error: err.message });
      return json(500, { error: sqlxMessage(err) });
    }
  };
}

/** A body-taking admin handler: the body is extracted before the store is asked for. */
function withBody(
  spec: StructSpec,
  handle: (body: Record<string, Json | undefined>, store: KeyStore) => Promise<Response>,
): Route['handle'] {
  return async (ctx) => {
    const body = await jsonBody(ctx.req, spec, ADMIN_BODY_LIMIT);
    if (body instanceof Response) return body;
    return withStore((_ctx, store) => handle(body, store))(ctx);
  };
}

/** The admin routes. */
export const adminRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/admin/keys/issue',
    handle: withBody(ISSUE_REQUEST, async (body, store) => {
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
    }),
  },
  {
    method: 'POST',
    path: '/admin/keys/bulk-revoke',
    handle: withBody(BULK_REQUEST, async (body, store) => {
      const count = await store.bulkRevoke(
        {
          userId: body.user_id as string | undefined,
          aliasPrefix: body.alias_prefix as string | undefined,
          hashes: body.hashes as string[] | undefined,
        },
        body.by as string | undefined,
      );
      return json(200, { revoked: count });
    }),
  },
  {
    method: 'GET',
    path: '/admin/keys/{hash}',
    handle: withStore(async ({ params }, store) => {
      const key = await store.lookup(params.get('hash')!);
      return key === null ? json(404, { error: 'no such key' }) : json(200, keyJson(key));
    }),
  },
  {
    method: 'DELETE',
    path: '/admin/keys/{hash}',
    handle: async (ctx) => {
      // The query is extracted before the store is asked for.
      const query = queryOf(ctx.req, { by: 'opt-string' });
      if (query instanceof Response) return query;
      const by = query.by as string | undefined;
      return withStore(async ({ params }, store) => {
        const revoked = await store.revoke(params.get('hash')!, by ?? 'admin');
        return revoked ? json(200, { revoked: true }) : json(404, { error: 'no such key' });
      })(ctx);
    },
  },
  {
    method: 'GET',
    path: '/admin/keys',
    handle: async (ctx) => {
      // `Query<HashMap<String, String>>`: unknown keys kept, the last duplicate wins, lossy UTF-8.
      const userId = new URLSearchParams(rawQuery(ctx.req) ?? '').getAll('user_id').at(-1);
      return withStore(async (_ctx, store) => {
        if (userId === undefined) return json(400, { error: 'user_id query param required' });
        return json(200, { sessions: (await store.list(userId)).map(keyJson) });
      })(ctx);
    },
  },
];

const ADMIN = new Router(adminRoutes);

/**
 * The admin router's answer, or `undefined` when the path is not one of its
 * routes (the main stack then handles it).
 */
export async function adminLayer(
  state: DevState,
  req: DevRequest,
  path: string,
): Promise<Response | undefined> {
  const m = ADMIN.match(path);
  if (m === undefined) return undefined;
  // The admin middleware wraps every route, the 405 answers included.
  const token = state.options.adminToken;
  if (token === undefined || token === '') return empty(503);
  const header = req.header('authorization');
  const presented =
    header !== undefined && isHeaderText(header) && header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!constantTimeEqual(token, presented)) return empty(401);
  return ADMIN.dispatch(req, m, state, undefined);
}
