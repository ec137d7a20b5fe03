/**
 * `AtiAdminClient`: the proxy's virtual-key admin API (`/admin/keys*`,
 * contract §9). Same transport as {@link AtiProxyClient} (deadline, retries of
 * reads, body cap); the admin token is sent as `Bearer` and redacted from
 * every error, and issued raw keys never reach an error, `inspect()` or JSON.
 *
 * @module
 */

import * as arg from '../client/arguments.ts';
import { isCount, isJsonValue } from '../client/guards.ts';
import { guardOf, isNullableTimestamp, SHAPES } from '../client/shapes.ts';
import { type RequestOptions, type StatusCodes, Transport, UrlOnlyClient } from '../client/transport.ts';
import type { AdminKeyWire, JsonValue } from '../client/types.ts';
import { type AtiErrorCode, ProxyError } from '../errors.ts';
import { DENO_INSPECT, INSPECT } from '../util/inspect.ts';
import { isRecord } from '../util/values.ts';

/** Configuration of an {@link AtiAdminClient}. Validated once, at construction. */
export interface AtiAdminClientOptions {
  /** Base URL of the proxy, as for `AtiProxyClient` (`http:`/`https:`, no credentials, query or fragment). */
  proxyUrl: string;
  /**
   * The proxy's `ATI_ADMIN_TOKEN`, sent as `Authorization: Bearer <token>` on
   * every admin request. Never quoted in an error, `inspect()` or JSON.
   */
  adminToken: string;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Deadline of one request in milliseconds (connection, retries, body). @default 30000 */
  timeoutMs?: number | undefined;
  /** Extra attempts for a GET after a network error (never for POST or DELETE). Integer 0–10. @default 2 */
  retries?: number | undefined;
  /** Largest response body accepted, in bytes. @default 33554432 (32 MiB) */
  maxResponseBytes?: number | undefined;
  /** `User-Agent` header value. @default the runtime's own */
  userAgent?: string | undefined;
}

/** What to issue: `POST /admin/keys/issue` (contract §9). The lists grant access; all default to `[]`. */
export interface IssueKeyOptions {
  /** The key's owner, its `sub` claim. Required, non-blank. */
  userId: string;
  /** Name of the key, unique per `userId` (a second issue with the same pair is a 500). Required, non-blank. */
  alias: string;
  /** Tools granted, each as `tool:<name>` (patterns such as `github:*` allowed). */
  tools?: readonly string[] | undefined;
  /** Providers granted, each as `tool:<provider>:*`. */
  providers?: readonly string[] | undefined;
  /** Categories, each as `category:<c>` (inert on the proxy, contract §2.4). */
  categories?: readonly string[] | undefined;
  /** Skills granted, each as `skill:<name>`. */
  skills?: readonly string[] | undefined;
  /** Lifetime in seconds from now, a non-negative integer. @default never expires */
  expiresInSeconds?: number | undefined;
  /** Free JSON stored with the key (`metadata`). @default null on the wire, `{}` stored */
  metadata?: JsonValue | undefined;
  /** Actor recorded in the audit log. @default `admin` (the proxy's) */
  createdBy?: string | undefined;
}

/** Filters of {@link AtiAdminClient.bulkRevoke}; the non-blank ones are AND-ed. At least one is required. */
export interface BulkRevokeOptions {
  /** Only this user's keys. */
  userId?: string | undefined;
  /** Only aliases starting with this text, matched literally (`%` and `_` are not wildcards). */
  aliasPrefix?: string | undefined;
  /** Only these hashes (64 lowercase hex digits each). */
  hashes?: readonly string[] | undefined;
  /** Actor recorded in the audit log. @default `admin` (the proxy's) */
  by?: string | undefined;
}

/** Options of {@link AtiAdminClient.revokeKey}. */
export interface RevokeKeyOptions extends RequestOptions {
  /** Actor recorded in the audit log. @default `admin` (the proxy's) */
  by?: string | undefined;
}

/**
 * A stored virtual key as the admin API reports it (contract §9 key object),
 * with camel-case names. Timestamps are `Date`s: the proxy's RFC 3339 text
 * has microseconds, a `Date` keeps milliseconds (the key is named by `hash`,
 * never by a timestamp, so nothing is lost that identifies it).
 */
export interface VirtualKeyInfo {
  /** SHA-256 hex of the raw key (`token_hash`): the key's name in every admin path. */
  readonly hash: string;
  /** `key_alias`. */
  readonly alias: string;
  /** `user_id`, the synthetic claims' `sub`. */
  readonly userId: string;
  /** A blocked key is refused like a revoked one. */
  readonly blocked: boolean;
  /** Tool names (patterns such as `github:*`) the key grants, as `tool:<name>` scopes. */
  readonly tools: readonly string[];
  /** Providers whose tools the key grants (`tool:<provider>:*`). */
  readonly providers: readonly string[];
  /** Tool categories the key grants. */
  readonly categories: readonly string[];
  /** Skills the key grants (`skill:<name>`). */
  readonly skills: readonly string[];
  /** `null`: never expires. */
  readonly expiresAt: Date | null;
  /** When it was issued. */
  readonly createdAt: Date;
  /** Who issued it (`created_by`), if recorded. */
  readonly createdBy: string | null;
  /** Reported but never updated upstream (contract §9.1): `null`. */
  readonly lastUsedAt: Date | null;
  /** Reported but never updated upstream: 0. */
  readonly requestCount: number;
  /** Reported but never updated upstream: 0. */
  readonly errorCount: number;
  /** Free-form JSON stored with the key. */
  readonly metadata: JsonValue;
}

/** What `JSON.stringify` gives for an {@link IssuedVirtualKey}: the raw key redacted. */
export interface IssuedVirtualKeyJson {
  /** SHA-256 hex of the raw key. */
  hash: string;
  /** The alias it was issued under. */
  alias: string;
  /** ISO 8601, or `null` for never. */
  expiresAt: string | null;
  /** Always `'[REDACTED]'`. */
  rawKey: string;
}

/** What `JSON.stringify` gives for an {@link AtiAdminClient}: the URL only. */
export interface AtiAdminClientJson {
  /** The proxy URL. */
  proxyUrl: string;
}

const REDACTED = '[REDACTED]';

/**
 * A freshly issued virtual key. `rawKey` is the only copy anywhere (the proxy
 * keeps its hash): hand it to the agent, never log it. It is an accessor, not
 * an own property, so spreading, `JSON.stringify`, `console.log` and
 * `inspect()` all leave it out or show `[REDACTED]`.
 */
export class IssuedVirtualKey {
  /** SHA-256 hex of the raw key: its name in the admin API. */
  readonly hash: string;
  /** The alias it was issued under. */
  readonly alias: string;
  /** When it stops working; `null` for never. */
  readonly expiresAt: Date | null;
  readonly #rawKey: string;

  /** @internal */
  constructor(rawKey: string, hash: string, alias: string, expiresAt: Date | null) {
    this.#rawKey = rawKey;
    this.hash = hash;
    this.alias = alias;
    this.expiresAt = expiresAt;
  }

  /** The raw key (`ati-key_…`), for `Authorization: Ati-Key <raw>` (`AtiProxyClient({ apiKey })`). */
  get rawKey(): string {
    return this.#rawKey;
  }

  /** `{ hash, alias, expiresAt, rawKey: '[REDACTED]' }`. */
  toJSON(): IssuedVirtualKeyJson {
    return {
      hash: this.hash,
      alias: this.alias,
      expiresAt: this.expiresAt === null ? null : this.expiresAt.toISOString(),
      rawKey: REDACTED,
    };
  }

  /** @internal */
  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }

  /** @internal Deno's hook: `Deno.inspect(key, { getters: true })` would otherwise call `rawKey`. */
  [DENO_INSPECT](): string {
    return this[INSPECT]();
  }
}

const HASH = /^[0-9a-f]{64}$/;

/** A hash argument: 64 lowercase hex digits. Never quoted: it may be a raw key passed by mistake. */
function checkHash(name: string, value: unknown): string {
  if (typeof value !== 'string' || !HASH.test(value)) {
    throw arg.invalidArgument(
      `${name} must be 64 lowercase hex digits (hashVirtualKey gives it from a raw key)`,
    );
  }
  return value;
}

/** The checked wire key object → {@link VirtualKeyInfo}. */
function toKeyInfo(v: AdminKeyWire): VirtualKeyInfo {
  const date = (text: string | null) => (text === null ? null : new Date(text));
  return {
    hash: v.token_hash,
    alias: v.key_alias,
    userId: v.user_id,
    blocked: v.blocked,
    tools: v.tools,
    providers: v.providers,
    categories: v.categories,
    skills: v.skills,
    expiresAt: date(v.expires_at),
    createdAt: new Date(v.created_at),
    createdBy: v.created_by,
    lastUsedAt: date(v.last_used_at),
    requestCount: v.request_count,
    errorCount: v.error_count,
    metadata: v.metadata,
  };
}

/**
 * Admin statuses (contract §9) → codes. 401 and 503 bodies are empty, so
 * their hints are what the message says.
 */
const ADMIN_STATUS: StatusCodes = (status) => {
  const table: Record<number, { code: AtiErrorCode; hint: string }> = {
    400: { code: 'ERR_ADMIN_INVALID_REQUEST', hint: 'invalid request' },
    401: { code: 'ERR_ADMIN_UNAUTHORIZED', hint: 'admin token rejected' },
    404: { code: 'ERR_ADMIN_KEY_NOT_FOUND', hint: 'no such key' },
    415: { code: 'ERR_ADMIN_INVALID_REQUEST', hint: 'unsupported media type' },
    422: { code: 'ERR_ADMIN_INVALID_REQUEST', hint: 'invalid request body' },
    500: { code: 'ERR_ADMIN_SERVER_ERROR', hint: 'server error' },
    503: {
      code: 'ERR_ADMIN_UNAVAILABLE',
      hint: 'admin API unavailable (the proxy has no admin token or no database)',
    },
  };
  return table[status];
};

/** A JSON body of the given fields, leaving out the `undefined` ones. */
function bodyOf(fields: Record<string, JsonValue | undefined>): Record<string, JsonValue> {
  const body: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
  return body;
}

/** The issue request body (contract §9), checked. */
function issueBody(options: IssueKeyOptions): Record<string, JsonValue> {
  if (!isRecord(options)) throw arg.invalidArgument('options must be an object');
  const list = (name: string, value: unknown) =>
    value === undefined ? undefined : arg.checkStringList(name, value);
  const expires = options.expiresInSeconds;
  if (options.metadata !== undefined && !isJsonValue(options.metadata)) {
    throw arg.invalidArgument('metadata must be a JSON value');
  }
  return bodyOf({
    user_id: arg.checkText('userId', options.userId),
    alias: arg.checkText('alias', options.alias),
    tools: list('tools', options.tools),
    providers: list('providers', options.providers),
    categories: list('categories', options.categories),
    skills: list('skills', options.skills),
    expires_in_secs:
      expires === undefined
        ? undefined
        : arg.checkInteger('expiresInSeconds', expires, 0, Number.MAX_SAFE_INTEGER),
    metadata: options.metadata,
    created_by: arg.checkOptionalText('createdBy', options.createdBy),
  });
}

interface IssueWire {
  alias: string;
  expires_at: string | null;
  hash: string;
  raw_key: string;
}

function isIssueWire(value: unknown): value is IssueWire {
  return (
    isRecord(value) &&
    typeof value.alias === 'string' &&
    typeof value.hash === 'string' &&
    HASH.test(value.hash) &&
    typeof value.raw_key === 'string' &&
    arg.TOKEN_CHARS.test(value.raw_key) &&
    isNullableTimestamp(value.expires_at)
  );
}

const isKeyWire = guardOf(SHAPES.adminKey);

function isKeyListWire(value: unknown): value is { sessions: AdminKeyWire[] } {
  return isRecord(value) && Array.isArray(value.sessions) && value.sessions.every(isKeyWire);
}

function isRevokedWire(value: unknown): value is { revoked: boolean } {
  return isRecord(value) && typeof value.revoked === 'boolean';
}

/**
 * Client for the proxy's virtual-key admin API (contract §9): issue, look
 * up, revoke and list `ati-key_…` keys. Needs a proxy with a database and
 * `ATI_ADMIN_TOKEN` (the dev proxy: `startDevProxy({ adminToken })`).
 *
 * Failures are {@link ProxyError}s with `status` set and a code per status:
 * `ERR_ADMIN_UNAVAILABLE` (503: no admin token or no database on the proxy),
 * `ERR_ADMIN_UNAUTHORIZED` (401: wrong admin token), `ERR_ADMIN_KEY_NOT_FOUND`
 * (404), `ERR_ADMIN_INVALID_REQUEST` (400, and 415/422), `ERR_ADMIN_SERVER_ERROR`
 * (500, e.g. a duplicate `(userId, alias)`, with the proxy's text in
 * `proxyError`); other statuses `ERR_PROXY_HTTP`; plus the transport's
 * `ERR_PROXY_TIMEOUT`, `ERR_PROXY_ABORTED`, `ERR_PROXY_NETWORK`,
 * `ERR_PROXY_INVALID_RESPONSE`, `ERR_PROXY_RESPONSE_TOO_LARGE`. Bad arguments
 * reject with `ERR_INVALID_ARGUMENT` before anything is sent. The admin token
 * and raw keys never appear in a message, a `cause`, `inspect()` or JSON.
 *
 * @example
 * ```ts
 * const admin = new AtiAdminClient({ proxyUrl, adminToken: process.env.ATI_ADMIN_TOKEN! });
 * const key = await admin.issueKey({ userId: 'u1', alias: 'job-42', tools: ['web_search'], expiresInSeconds: 3600 });
 * const agent = new AtiProxyClient({ proxyUrl, apiKey: key.rawKey });
 * await admin.revokeKey(key.hash, { by: 'orchestrator' });
 * ```
 */
export class AtiAdminClient extends UrlOnlyClient {
  readonly #transport: Transport;

  /**
   * @throws {AtiError} `ERR_INVALID_ARGUMENT` when an option is invalid or
   *   `adminToken` is missing (never quoting the URL or the token).
   */
  constructor(options: AtiAdminClientOptions) {
    if (!isRecord(options)) throw arg.invalidArgument('options must be an object');
    const adminToken = arg.checkToken(options.adminToken, 'adminToken');
    if (adminToken === undefined) throw arg.invalidArgument('adminToken is required');
    // The admin router has no sig-verify layer (contract §4.0): no signingSecret here.
    const transport = new Transport(
      {
        proxyUrl: options.proxyUrl,
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        maxResponseBytes: options.maxResponseBytes,
        userAgent: options.userAgent,
      },
      async () => ({ scheme: 'Bearer', secret: adminToken }),
      ADMIN_STATUS,
    );
    super(transport.proxyUrl);
    this.#transport = transport;
  }

  /**
   * `POST /admin/keys/issue`: create a key. The result holds the raw key, the
   * only copy there will ever be.
   * @throws {ProxyError} `ERR_ADMIN_INVALID_REQUEST` (blank `userId` or `alias`),
   *   `ERR_ADMIN_SERVER_ERROR` (e.g. `(userId, alias)` already taken: revoke, then issue);
   *   see the class description.
   * @example `const key = await admin.issueKey({ userId: 'u1', alias: 'job-42', tools: ['web_search'] });`
   */
  async issueKey(options: IssueKeyOptions, request?: RequestOptions): Promise<IssuedVirtualKey> {
    const wire = await this.#transport.request({
      method: 'POST',
      path: '/admin/keys/issue',
      body: issueBody(options),
      auth: true,
      guard: isIssueWire,
      expected: 'an issued key',
      options: request,
    });
    return new IssuedVirtualKey(
      wire.raw_key,
      wire.hash,
      wire.alias,
      wire.expires_at === null ? null : new Date(wire.expires_at),
    );
  }

  /**
   * `GET /admin/keys/{hash}`: one key, revoked ones excluded.
   * @throws {ProxyError} `ERR_ADMIN_KEY_NOT_FOUND` for an unknown or revoked key.
   * @example `const info = await admin.getKey(key.hash);`
   */
  async getKey(hash: string, request?: RequestOptions): Promise<VirtualKeyInfo> {
    const wire = await this.#transport.request({
      method: 'GET',
      path: `/admin/keys/${checkHash('hash', hash)}`,
      auth: true,
      guard: isKeyWire,
      expected: 'a key object',
      options: request,
    });
    return toKeyInfo(wire);
  }

  /**
   * `DELETE /admin/keys/{hash}?by=`: revoke one key. Every proxy sharing the
   * database refuses it from the next request on.
   * @returns `true` when this call revoked it, `false` when there was no such
   *   key (already revoked, or never issued): revoking twice is not an error.
   * @throws {ProxyError} see the class description.
   * @example `await admin.revokeKey(key.hash, { by: 'orchestrator' });`
   */
  async revokeKey(hash: string, options: RevokeKeyOptions = {}): Promise<boolean> {
    if (!isRecord(options)) throw arg.invalidArgument('options must be an object');
    const path = `/admin/keys/${checkHash('hash', hash)}`;
    try {
      const wire = await this.#transport.request({
        method: 'DELETE',
        path,
        query: arg.queryOf({ by: arg.checkOptionalText('by', options.by) }),
        auth: true,
        guard: isRevokedWire,
        expected: 'a revocation result',
        options,
      });
      return wire.revoked;
    } catch (error) {
      if (error instanceof ProxyError && error.code === 'ERR_ADMIN_KEY_NOT_FOUND') return false;
      throw error;
    }
  }

  /**
   * `POST /admin/keys/bulk-revoke`: revoke every key matching all the given
   * filters, in one transaction.
   * @returns How many keys were revoked.
   * @throws {AtiError} `ERR_INVALID_ARGUMENT` when no filter is non-blank: a
   *   request without one is refused here as well as by the proxy, since its
   *   misreading would revoke everything. {@link ProxyError} see the class description.
   * @example `const n = await admin.bulkRevoke({ userId: 'u1', aliasPrefix: 'job-' });`
   */
  async bulkRevoke(options: BulkRevokeOptions, request?: RequestOptions): Promise<number> {
    if (!isRecord(options)) throw arg.invalidArgument('options must be an object');
    const userId = arg.checkOptionalText('userId', options.userId);
    const aliasPrefix = arg.checkOptionalText('aliasPrefix', options.aliasPrefix);
    const hashes =
      options.hashes === undefined
        ? undefined
        : arg.checkStringList('hashes', options.hashes).map((h, i) => checkHash(`hashes[${i}]`, h));
    const by = arg.checkOptionalText('by', options.by);
    const blank = (text: string | undefined) => text === undefined || text.trim() === '';
    if (blank(userId) && blank(aliasPrefix) && (hashes === undefined || hashes.length === 0)) {
      throw arg.invalidArgument('bulkRevoke needs at least one of userId, aliasPrefix and hashes');
    }
    const wire = await this.#transport.request({
      method: 'POST',
      path: '/admin/keys/bulk-revoke',
      body: bodyOf({ user_id: userId, alias_prefix: aliasPrefix, hashes, by }),
      auth: true,
      guard: (value): value is { revoked: number } => isRecord(value) && isCount(value.revoked),
      expected: 'a revocation count',
      options: request,
    });
    return wire.revoked;
  }

  /**
   * `GET /admin/keys?user_id=`: a user's keys, newest first, at most 100
   * (the proxy's cap), blocked and expired ones included, revoked ones not.
   * @throws {ProxyError} `ERR_ADMIN_INVALID_REQUEST` for an empty `userId`.
   * @example `for (const k of await admin.listKeys('u1')) console.log(k.alias, k.expiresAt);`
   */
  async listKeys(userId: string, request?: RequestOptions): Promise<VirtualKeyInfo[]> {
    const wire = await this.#transport.request({
      method: 'GET',
      path: '/admin/keys',
      query: arg.queryOf({ user_id: arg.checkText('userId', userId) }),
      auth: true,
      guard: isKeyListWire,
      expected: 'a key list',
      options: request,
    });
    return wire.sessions.map(toKeyInfo);
  }
}
