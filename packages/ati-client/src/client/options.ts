/**
 * The options of {@link AtiProxyClient} and of its endpoint methods: what a
 * caller passes, kept apart from the transport (`transport.ts`) and the
 * endpoint methods (`client.ts`).
 *
 * @module
 */
import type { AtiProxyClient } from './client.ts';
import type { RequestOptions } from './transport.ts';
import type * as Wire from './types.ts';

export type { RequestOptions } from './transport.ts';

/** Supplies the bearer token for one request; `undefined` (or `''`) means "send no Authorization". */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

/** Configuration of an {@link AtiProxyClient}. Validated once, at construction. */
export interface AtiProxyClientOptions {
  /**
   * Base URL of the proxy, `http:` or `https:`, e.g. `http://127.0.0.1:8090`
   * or `https://host/ati`. Trailing slashes are removed. It must not carry
   * credentials, a query string or a fragment.
   */
  proxyUrl: string;
  /**
   * A fixed session token, sent as `Authorization: Bearer <token>`. When set,
   * `getToken` is not called. Omit `token`, `getToken` and `apiKey` for a
   * proxy with JWT disabled.
   */
  token?: string;
  /**
   * A virtual key (`ati-key_…`, contract §9), sent as `Authorization: Ati-Key <raw>`
   * exactly as issued. The proxy answers 401 (empty body) once the key is
   * revoked, blocked or expired, and 503 when it has no key store. Not
   * compatible with `token` or `getToken`.
   * @example `new AtiProxyClient({ proxyUrl, apiKey: issued.rawKey })`
   */
  apiKey?: string;
  /**
   * Called once per request (not per retry) when `token` is not set, so a
   * rotated token is picked up by the next request (contract §6). Errors it
   * throws are passed through unchanged. Not called for the public
   * `/health` and `/.well-known/jwks.json`.
   * @example `getToken: () => resolveSessionToken()` (from `ati-client/node`)
   */
  getToken?: TokenProvider;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Deadline of one request in milliseconds, covering connection, retries and
   * reading the body. Overridable per call. @default 30000
   */
  timeoutMs?: number;
  /**
   * Extra attempts for a GET that failed with a network error (connection
   * refused/reset). POSTs, HTTP error statuses and timeouts are never retried.
   * Integer 0–10. @default 2
   */
  retries?: number;
  /** Largest response body accepted, in bytes. @default 33554432 (32 MiB) */
  maxResponseBytes?: number;
  /** `User-Agent` header value. @default the runtime's own */
  userAgent?: string;
  /**
   * The proxy's sandbox signing secret (keyring entry
   * `sandbox_signing_shared_secret`; a string is hex-decoded when it is valid
   * hex, else used as UTF-8). When set, every request carries a fresh
   * `X-Sandbox-Signature` (contract §7), as a proxy started with
   * `--sig-verify-mode enforce` requires. Never sent, only used to sign.
   */
  signingSecret?: string | Uint8Array;
  /** Sent as `X-Sandbox-Job-Id` (the proxy logs it next to the signature verdict). Printable ASCII. */
  jobId?: string;
}

/** Options of {@link AtiProxyClient.listTools}. Empty strings are not sent. */
export interface ListToolsOptions extends Wire.ListToolsQuery, RequestOptions {}

/** Options of {@link AtiProxyClient.listSkills}. Empty strings are not sent. */
export interface ListSkillsOptions extends Wire.ListSkillsQuery, RequestOptions {}

/** Options of {@link AtiProxyClient.getSkill}. */
export interface GetSkillOptions extends RequestOptions {
  /** Return metadata instead of content (`?meta=true`). Wins over `refs`. @default false */
  meta?: boolean;
  /** Add the `references` list (`?refs=true`). @default false */
  refs?: boolean;
}

/** Options of {@link AtiProxyClient.resolveSkills}. */
export interface ResolveSkillsOptions extends RequestOptions {
  /** Ask for each skill's SKILL.md text in `content`. @default false */
  includeContent?: boolean;
}

/** Options of {@link AtiProxyClient.skillCatalog}. */
export interface SkillCatalogOptions extends RequestOptions {
  /**
   * Search terms. Sent only when non-empty: the proxy truncates `?search=` to
   * 25 entries even when empty (contract §4.1, §12.9).
   */
  search?: string;
}

/** Options of {@link AtiProxyClient.getSkillatiResources}. */
export interface SkillatiResourcesOptions extends RequestOptions {
  /** Only resources under this path prefix. Sent only when non-empty. */
  prefix?: string;
}

/** Options of {@link AtiProxyClient.call}. */
export interface CallOptions extends RequestOptions {
  /** Deprecated upstream positional arguments for CLI tools; when present they win over `args`. */
  rawArgs?: readonly string[];
}

/** Options of {@link AtiProxyClient.help}. */
export interface HelpOptions extends RequestOptions {
  /** Scope the question to one tool. */
  tool?: string;
}
