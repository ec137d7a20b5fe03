/**
 * The admin API's pieces the dev proxy's layers share (contract §9): the
 * admin bearer comparison, sqlx's error text and the auth middleware's
 * `Ati-Key` path. The `/admin/keys*` routes are in `routes/admin.ts`.
 *
 * @module
 */

import { TokenClaims } from 'ati-client/internal';
import { hashKey, isActive, type KeyRecord, type KeyStore, syntheticScope } from './store.ts';

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

/**
 * The auth middleware's `Ati-Key` path for the raw key after `Ati-Key `:
 * 503 (no store, database error), 401 (unknown, revoked, blocked, expired;
 * empty bodies) or the synthetic claims (§9).
 */
export async function atiKeyClaims(
  rawKey: string,
  store: KeyStore | undefined,
  nowSeconds: number,
): Promise<Response | TokenClaims> {
  if (store === undefined) return new Response(null, { status: 503 });
  let key: KeyRecord | null;
  try {
    key = await store.lookup(await hashKey(rawKey));
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
