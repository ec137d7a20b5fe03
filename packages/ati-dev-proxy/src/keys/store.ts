/**
 * The proxy's key store (upstream `core/keys.rs`, contract §9.1) over a
 * {@link DevKeyDatabase}: the same tables, the same transactional units
 * (issue: key + audit row; revoke: delete + snapshot + audit row + NOTIFY),
 * the same soft delete, audit rows and `pg_notify('ati_key_revoked', hash)`, a 30 s
 * lookup cache with negative entries, and a LISTEN that drops revoked hashes
 * from the cache.
 *
 * @module
 */

import { base64urlEncode, hashVirtualKey, SHAPES, VIRTUAL_KEY_PREFIX } from 'ati-client/internal';
import { sortedJson } from '../json-out.ts';
import { type Json, utf8, valueFromSlice } from '../serde-json.ts';
import type { DevKeyEvent } from '../types.ts';
import { wire } from '../wire.ts';
import type { DevKeyDatabase, SqlRow } from './db.ts';

/** LISTEN/NOTIFY channel of revocations. */
export const NOTIFY_CHANNEL = 'ati_key_revoked';
const CACHE_TTL_MS = 30_000;
const CACHE_CAPACITY = 50_000;

/** The migration's tables, all `IF NOT EXISTS` (upstream `migrations/…init_persistence.sql`). */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ati_keys (
    token_hash TEXT PRIMARY KEY, key_alias TEXT NOT NULL, user_id TEXT NOT NULL,
    blocked BOOLEAN NOT NULL DEFAULT FALSE, expires_at TIMESTAMPTZ,
    tools TEXT[] NOT NULL DEFAULT '{}', providers TEXT[] NOT NULL DEFAULT '{}',
    categories TEXT[] NOT NULL DEFAULT '{}', skills TEXT[] NOT NULL DEFAULT '{}',
    request_count BIGINT NOT NULL DEFAULT 0, error_count BIGINT NOT NULL DEFAULT 0,
    last_used_at TIMESTAMPTZ, metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(), created_by TEXT,
    UNIQUE (user_id, key_alias));
CREATE INDEX IF NOT EXISTS idx_ati_keys_user ON ati_keys(user_id);
CREATE INDEX IF NOT EXISTS idx_ati_keys_active_expiring ON ati_keys(expires_at)
    WHERE blocked = FALSE AND expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS ati_deleted_keys (
    token_hash TEXT PRIMARY KEY, snapshot JSONB NOT NULL,
    deleted_at TIMESTAMPTZ NOT NULL DEFAULT now(), deleted_by TEXT);
CREATE TABLE IF NOT EXISTS ati_call_log (
    request_id UUID PRIMARY KEY DEFAULT gen_random_uuid(), started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ NOT NULL, latency_ms BIGINT NOT NULL, token_hash TEXT, user_id TEXT,
    session_id TEXT, endpoint TEXT NOT NULL, tool_name TEXT, provider TEXT, handler TEXT,
    status TEXT NOT NULL, upstream_status INTEGER, error_class TEXT, error_message TEXT,
    request_args JSONB, response_size INTEGER, requester_ip INET, user_agent TEXT);
CREATE TABLE IF NOT EXISTS ati_audit_log (
    id BIGSERIAL PRIMARY KEY, happened_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor TEXT NOT NULL, action TEXT NOT NULL, target_table TEXT NOT NULL, target_id TEXT NOT NULL,
    before_value JSONB, after_value JSONB);
CREATE INDEX IF NOT EXISTS idx_audit_log_target ON ati_audit_log(target_table, target_id, happened_at DESC);
CREATE INDEX IF NOT EXISTS idx_audit_log_actor ON ati_audit_log(actor, happened_at DESC);`;

/** Any constant: serializes concurrent schema creation by several dev proxies on one server. */
const SCHEMA_LOCK = 0x617469;

const TS = (col: string): string =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ${col}`;

/** Columns of a key row, timestamps as UTC text with microseconds, JSON as text. */
const COLUMNS = `token_hash, key_alias, user_id, blocked, ${TS('expires_at')},
  (extract(epoch FROM expires_at) * 1000000)::bigint::text AS expires_us,
  tools, providers, categories, skills, request_count::text AS request_count,
  error_count::text AS error_count, ${TS('last_used_at')}, metadata::text AS metadata,
  ${TS('created_at')}, floor(extract(epoch FROM created_at))::bigint::text AS created_s, created_by`;

/** One `ati_keys` row. */
export interface KeyRecord {
  tokenHash: string;
  keyAlias: string;
  userId: string;
  blocked: boolean;
  /** RFC 3339 as chrono prints it, or `null`. */
  expiresAt: string | null;
  /** Expiry in microseconds since the epoch, or `null`. */
  expiresMicros: bigint | null;
  tools: string[];
  providers: string[];
  categories: string[];
  skills: string[];
  requestCount: number;
  errorCount: number;
  lastUsedAt: string | null;
  metadata: Json;
  createdAt: string;
  /** Creation time, whole seconds since the epoch (the synthetic `iat`). */
  createdSeconds: number;
  createdBy: string | null;
}

/** `POST /admin/keys/issue` input, validated by the route. */
export interface IssueInput {
  userId: string;
  alias: string;
  tools: string[];
  providers: string[];
  categories: string[];
  skills: string[];
  /** Seconds until expiry (decimal text of a u64), or `undefined` for never. */
  expiresInSecs: string | undefined;
  metadata: Json;
  createdBy: string | undefined;
}

/** `POST /admin/keys/bulk-revoke` filter; blank fields are ignored. */
export interface BulkFilter {
  userId?: string | undefined;
  aliasPrefix?: string | undefined;
  hashes?: string[] | undefined;
}

/** The invalid-parameter errors the proxy answers with 400. */
export class InvalidKeyParams extends Error {}

/**
 * An expiry past chrono's last date (year 262143): the proxy's handler
 * panics there (`DateTime + TimeDelta` overflow) and drops the connection;
 * the dev proxy answers 500 with the panic message instead.
 */
export class ExpiryOverflow extends Error {}

/** `+262143-12-31T23:59:59Z`, chrono's last representable second, in epoch seconds. */
const CHRONO_MAX_SECONDS = 8_210_298_412_799n;

/** chrono `DateTime<Utc>` serialization: `Z`, and 3 or 6 fraction digits only when non-zero (AutoSi). */
export function rfc3339(text: string | null): string | null {
  if (text === null) return null;
  const dot = text.indexOf('.');
  let whole = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? '000000' : text.slice(dot + 1).padEnd(6, '0');
  // chrono writes years past 9999 with a sign.
  if (whole.indexOf('-') > 4) whole = `+${whole}`;
  if (/^0+$/.test(frac)) return `${whole}Z`;
  return `${whole}.${frac.endsWith('000') ? frac.slice(0, 3) : frac}Z`;
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function record(row: SqlRow): KeyRecord {
  const expiresUs = text(row.expires_us);
  return {
    tokenHash: String(row.token_hash),
    keyAlias: String(row.key_alias),
    userId: String(row.user_id),
    blocked: row.blocked === true,
    expiresAt: rfc3339(text(row.expires_at)),
    expiresMicros: expiresUs === null ? null : BigInt(expiresUs),
    tools: list(row.tools),
    providers: list(row.providers),
    categories: list(row.categories),
    skills: list(row.skills),
    requestCount: Number(row.request_count),
    errorCount: Number(row.error_count),
    lastUsedAt: rfc3339(text(row.last_used_at)),
    metadata: valueFromSlice(utf8(String(row.metadata))),
    createdAt: rfc3339(text(row.created_at))!,
    createdSeconds: Number(row.created_s),
    createdBy: text(row.created_by),
  };
}

/** The admin API's key object (`ati_key_to_json`), written through the shape the client checks. */
export function keyJson(k: KeyRecord): Json {
  return wire(SHAPES.adminKey, {
    token_hash: k.tokenHash,
    key_alias: k.keyAlias,
    user_id: k.userId,
    blocked: k.blocked,
    expires_at: k.expiresAt,
    tools: k.tools,
    providers: k.providers,
    categories: k.categories,
    skills: k.skills,
    request_count: k.requestCount,
    error_count: k.errorCount,
    last_used_at: k.lastUsedAt,
    metadata: k.metadata,
    created_at: k.createdAt,
    created_by: k.createdBy,
  });
}

/** `AtiKey::is_active`: not blocked, and no expiry or an expiry after `nowMicros`. */
export function isActive(k: KeyRecord, nowMicros: bigint): boolean {
  return !k.blocked && (k.expiresMicros === null || k.expiresMicros > nowMicros);
}

/** `to_synthetic_claims`: the scope built from the four arrays, `exp` 0 = never, no rate limits. */
export function syntheticScope(k: KeyRecord): string {
  return [
    ...k.tools.map((t) => `tool:${t}`),
    ...k.providers.map((p) => `tool:${p}:*`),
    ...k.skills.map((s) => `skill:${s}`),
    ...k.categories.map((c) => `category:${c}`),
  ].join(' ');
}

interface NodeCryptoLike {
  createHash(alg: 'sha256'): { update(data: string): { digest(enc: 'hex'): string } };
}

/** node:crypto when the runtime has it (`process.getBuiltinModule`): a synchronous hash, no thread-pool hop. */
const nodeCrypto = ((): NodeCryptoLike | undefined => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.('node:crypto') as NodeCryptoLike | undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Lowercase hex SHA-256 of the whole raw key (contract §9): the SDK's
 * `hashVirtualKey`, but synchronous through node:crypto where there is one,
 * since every Ati-Key request hashes (no thread-pool hop per request).
 */
export async function hashKey(raw: string): Promise<string> {
  if (nodeCrypto !== undefined) return nodeCrypto.createHash('sha256').update(raw).digest('hex');
  return hashVirtualKey(raw);
}

/** `ati-key_` + base64url (no padding) of 16 random bytes. */
export function generateRawKey(): string {
  return VIRTUAL_KEY_PREFIX + base64urlEncode(crypto.getRandomValues(new Uint8Array(16)));
}

/** `escape_like`: `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`. */
export function escapeLike(input: string): string {
  return input.replace(/[%_\\]/g, (c) => `\\${c}`);
}

const isBlank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/** chrono's `TimeDelta::MAX` in whole seconds: larger `expires_in_secs` is refused. */
const MAX_DELTA_SECONDS = 9_223_372_036_854_775n;

interface CacheEntry {
  key: KeyRecord | null;
  at: number;
}

/** Cache-fronted store; one per dev proxy (a proxy pod), any number per database. */
export class KeyStore {
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped per hash on every invalidation, so a lookup racing a revocation never caches the old row. */
  private readonly generations = new Map<string, number>();
  private stopListening: (() => void) | undefined;

  private constructor(
    readonly db: DevKeyDatabase,
    private readonly onEvent: ((event: DevKeyEvent) => void) | undefined,
  ) {}

  /** Create the tables if absent, then LISTEN on the revocation channel. */
  static async open(db: DevKeyDatabase, onEvent?: (event: DevKeyEvent) => void): Promise<KeyStore> {
    await db.transaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      for (const stmt of SCHEMA.split(';')) if (stmt.trim() !== '') await tx.query(stmt);
    });
    const store = new KeyStore(db, onEvent);
    store.stopListening = await db.listen(
      NOTIFY_CHANNEL,
      (hash) => {
        store.invalidate(hash);
        store.onEvent?.({ type: 'revoked', hash });
      },
      // Revocations sent while the listener was away are unknown: forget everything.
      () => {
        store.clearCache();
        store.onEvent?.({ type: 'reconnected' });
      },
    );
    return store;
  }

  /** Stop listening (the database is closed by its owner). */
  close(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private invalidate(hash: string): void {
    this.cache.delete(hash);
    this.generations.set(hash, (this.generations.get(hash) ?? 0) + 1);
    if (this.generations.size > CACHE_CAPACITY) this.generations.clear();
  }

  private clearCache(): void {
    for (const hash of this.cache.keys()) this.invalidate(hash);
    this.cache.clear();
  }

  private remember(hash: string, key: KeyRecord | null): void {
    if (this.cache.size >= CACHE_CAPACITY && !this.cache.has(hash)) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.delete(hash);
    this.cache.set(hash, { key, at: Date.now() });
  }

  /** `KeyStore::lookup`: cache first (positive and negative), else the row. */
  async lookup(hash: string): Promise<KeyRecord | null> {
    const hit = this.cache.get(hash);
    if (hit !== undefined) {
      if (Date.now() - hit.at < CACHE_TTL_MS) return hit.key;
      this.cache.delete(hash);
    }
    const generation = this.generations.get(hash) ?? 0;
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM ati_keys WHERE token_hash = $1`, [hash]);
    const key = rows[0] === undefined ? null : record(rows[0]);
    if ((this.generations.get(hash) ?? 0) === generation) this.remember(hash, key);
    return key;
  }

  /** `KeyStore::issue`: one transaction, the key row and its audit row; the cache pre-warmed. */
  async issue(p: IssueInput): Promise<{ rawKey: string; hash: string; key: KeyRecord }> {
    if (p.userId.trim() === '') throw new InvalidKeyParams('user_id is required');
    if (p.alias.trim() === '') throw new InvalidKeyParams('key_alias is required');
    if (p.expiresInSecs !== undefined && BigInt(p.expiresInSecs) > MAX_DELTA_SECONDS) {
      throw new InvalidKeyParams('expires_in overflows chrono::Duration');
    }
    if (
      p.expiresInSecs !== undefined &&
      BigInt(Math.floor(Date.now() / 1000)) + BigInt(p.expiresInSecs) > CHRONO_MAX_SECONDS
    ) {
      throw new ExpiryOverflow('`DateTime + TimeDelta` overflowed');
    }
    const rawKey = generateRawKey();
    const hash = await hashKey(rawKey);
    const key = await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `INSERT INTO ati_keys (token_hash, key_alias, user_id, expires_at, tools, providers,
           categories, skills, metadata, created_by)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4::numeric::float8), $5::text[], $6::text[],
           $7::text[], $8::text[], $9::jsonb, $10)
         RETURNING ${COLUMNS}`,
        [
          hash,
          p.alias,
          p.userId,
          p.expiresInSecs ?? null,
          p.tools,
          p.providers,
          p.categories,
          p.skills,
          sortedJson(p.metadata),
          p.createdBy ?? null,
        ],
      );
      const k = record(rows[0]!);
      const after = sortedJson({
        alias: p.alias,
        user_id: p.userId,
        tools: p.tools,
        providers: p.providers,
        categories: p.categories,
        skills: p.skills,
        expires_at: k.expiresAt,
      });
      await tx.query(
        `INSERT INTO ati_audit_log (actor, action, target_table, target_id, after_value)
         VALUES ($1, 'key.issue', 'ati_keys', $2, $3::jsonb)`,
        [p.createdBy ?? 'admin', hash, after],
      );
      return k;
    });
    this.remember(hash, key);
    return { rawKey, hash, key };
  }

  /**
   * Delete the rows matching `where` and, in the same transaction, write each
   * one's snapshot to `ati_deleted_keys`, an audit row and a
   * `pg_notify('ati_key_revoked', hash)`, as upstream's `revoke` and
   * `bulk_revoke` do. One statement (data-modifying CTEs: an implicit
   * transaction, NOTIFYs sent at commit) instead of upstream's 3 + 3n, so a
   * revocation costs one round trip. Returns the revoked hashes.
   */
  private async deleteWhere(
    where: string,
    params: readonly unknown[],
    action: 'key.revoke' | 'key.bulk_revoke',
    by: string | undefined,
  ): Promise<string[]> {
    const n = params.length;
    const rows = await this.db.query(
      `WITH d AS (
         DELETE FROM ati_keys WHERE ${where} RETURNING token_hash, to_jsonb(ati_keys.*) AS snap),
       archived AS (
         INSERT INTO ati_deleted_keys (token_hash, snapshot, deleted_by)
         SELECT token_hash, snap, $${n + 1}::text FROM d),
       audited AS (
         INSERT INTO ati_audit_log (actor, action, target_table, target_id, before_value)
         SELECT $${n + 2}::text, $${n + 3}::text, 'ati_keys', token_hash, snap FROM d)
       SELECT token_hash, pg_notify('${NOTIFY_CHANNEL}', token_hash)::text AS notified FROM d`,
      [...params, by ?? null, by ?? 'admin', action],
    );
    const hashes = rows.map((r) => String(r.token_hash));
    for (const h of hashes) this.invalidate(h);
    return hashes;
  }

  /** `KeyStore::revoke`: soft delete in one transaction; `false` when there was no such row. */
  async revoke(hash: string, by: string | undefined): Promise<boolean> {
    return (await this.deleteWhere('token_hash = $1', [hash], 'key.revoke', by)).length > 0;
  }

  /** `KeyStore::bulk_revoke`: non-blank filters AND-ed, prefix matched literally, one transaction. */
  async bulkRevoke(filter: BulkFilter, by: string | undefined): Promise<number> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (!isBlank(filter.userId)) {
      params.push(filter.userId);
      where.push(`user_id = $${params.length}`);
    }
    if (!isBlank(filter.aliasPrefix)) {
      params.push(`${escapeLike(filter.aliasPrefix!)}%`);
      where.push(`key_alias LIKE $${params.length} ESCAPE '\\'`);
    }
    if (filter.hashes !== undefined && filter.hashes.length > 0) {
      params.push(filter.hashes);
      where.push(`token_hash = ANY($${params.length}::text[])`);
    }
    if (where.length === 0) throw new InvalidKeyParams('bulk_revoke requires at least one filter field');
    return (await this.deleteWhere(where.join(' AND '), params, 'key.bulk_revoke', by)).length;
  }

  /** `list_user_sessions`: newest first, at most 100, blocked and expired included. */
  async list(userId: string): Promise<KeyRecord[]> {
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM ati_keys WHERE user_id = $1 ORDER BY created_at DESC LIMIT 100`,
      [userId],
    );
    return rows.map(record);
  }
}
