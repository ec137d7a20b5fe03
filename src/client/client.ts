/**
 * `AtiProxyClient`: a typed HTTP client for the ATI proxy (contract §4). One
 * method per endpoint; every response is shape-checked before it is returned.
 * Uses only `fetch`, `AbortController`, `URL`, `URLSearchParams` and
 * `TextDecoder`, so it runs on Node 20+, Deno, Bun, workers and browsers.
 *
 * @module
 */

import { AtiError, type AtiErrorCode, ProxyError } from '../errors.ts';
import {
  SANDBOX_JOB_ID_HEADER,
  SANDBOX_SIGNATURE_HEADER,
  signSandboxRequest,
  usableSandboxSecret,
} from '../signature/sandbox.ts';
import { isRecord } from '../util/values.ts';
import {
  isCallResponse,
  isHealthResponse,
  isHelpResponse,
  isJsonValue,
  isJwksResponse,
  isResolvedSkillList,
  isSkillatiCatalog,
  isSkillatiFile,
  isSkillatiRef,
  isSkillatiRefs,
  isSkillatiResources,
  isSkillatiSkill,
  isSkillBundle,
  isSkillBundleBatch,
  isSkillDetail,
  isSkillList,
  isSkillMetaDetail,
  isToolDetail,
  isToolList,
  proxyErrorText,
} from './guards.ts';
import type {
  BundleFiles,
  CallArgs,
  CallRequest,
  HealthResponse,
  HelpRequest,
  JsonValue,
  JwksResponse,
  ListSkillsQuery,
  ListToolsQuery,
  ResolvedSkill,
  ResolveSkillsRequest,
  SkillatiCatalog,
  SkillatiFile,
  SkillatiRef,
  SkillatiRefs,
  SkillatiResources,
  SkillatiSkill,
  SkillBundle,
  SkillBundleBatch,
  SkillBundleBatchRequest,
  SkillDetail,
  SkillListEntry,
  SkillMetaDetail,
  ToolDetail,
  ToolListEntry,
} from './types.ts';

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
   * `getToken` is not called. Omit both for a proxy with JWT disabled.
   */
  token?: string;
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

/** Per-call options every {@link AtiProxyClient} method accepts as its last argument. */
export interface RequestOptions {
  /** Aborts the request; the call then rejects with `ERR_PROXY_ABORTED`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call, in milliseconds. */
  timeoutMs?: number;
}

/** Options of {@link AtiProxyClient.listTools}. Empty strings are not sent. */
export interface ListToolsOptions extends ListToolsQuery, RequestOptions {}

/** Options of {@link AtiProxyClient.listSkills}. Empty strings are not sent. */
export interface ListSkillsOptions extends ListSkillsQuery, RequestOptions {}

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

/** Most names the proxy accepts in one `POST /skills/bundle` (contract §4.1). */
export const SKILL_BUNDLE_BATCH_LIMIT = 50;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** setTimeout's largest delay; longer ones fire immediately. */
const MAX_TIMEOUT_MS = 2_147_483_647;
const MAX_RETRIES = 10;
const BACKOFF_BASE_MS = 50;
/** Error bodies are read only this far: enough for `{"error": …}`, never a reason for TOO_LARGE. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest piece of server text quoted in an error message, in UTF-16 units. */
const MAX_QUOTED_CHARS = 300;

type HttpMethod = 'GET' | 'POST';

interface RequestSpec<T> {
  method: HttpMethod;
  /** Path relative to the proxy URL, segments already encoded, no query string. */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  /** Public endpoints (contract §4.0) get no Authorization header. */
  auth: boolean;
  guard: (value: unknown) => value is T;
  expected: string;
  options: RequestOptions | undefined;
}

/** Builds a {@link ProxyError} naming the request's method and path. */
type Fail = (code: AtiErrorCode, detail: string, cause?: unknown) => ProxyError;

/** Why the per-call controller fired. */
type AbortCause = 'timeout' | 'aborted';

/** A fetch rejection or body-stream failure that is neither a timeout nor the caller's abort. */
class NetworkFailure {
  constructor(readonly error: unknown) {}
}

function invalidArgument(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Header-safe token: visible ASCII only, so fetch never rejects (and echoes) it. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;
/** `User-Agent`: visible ASCII and inner spaces. */
const USER_AGENT_CHARS = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function checkToken(token: unknown, source: string): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (typeof token !== 'string') throw invalidArgument(`${source} must be a string`);
  if (!TOKEN_CHARS.test(token)) {
    // Never quote the token: the message says what is wrong, not what it was.
    throw invalidArgument(`${source} contains characters not allowed in an Authorization header`);
  }
  return token;
}

function checkText(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  if (!value.isWellFormed()) throw invalidArgument(`${name} must not contain lone surrogates`);
  return value;
}

function checkOptionalText(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkText(name, value);
}

function checkStringList(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw invalidArgument(`${name} must be an array of strings`);
  return value.map((item, index) => checkText(`${name}[${index}]`, item));
}

/**
 * Encode one path segment. `.`/`..` (also as `%2E`) are dot segments to the
 * URL parser and would be collapsed into another route, and `''` hits the
 * collection route, so they are refused rather than sent.
 */
function segment(name: string, value: unknown): string {
  const text = checkText(name, value);
  if (text === '' || text === '.' || text === '..') {
    throw invalidArgument(`${name} must not be empty, "." or ".."`);
  }
  return encodeURIComponent(text);
}

function queryOf(entries: Record<string, string | undefined>): URLSearchParams | undefined {
  const query = new URLSearchParams();
  let count = 0;
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined && value !== '') {
      query.append(key, value);
      count++;
    }
  }
  return count > 0 ? query : undefined;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    isRecord(value) &&
    typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function'
  );
}

function parseBaseUrl(proxyUrl: unknown): string {
  if (typeof proxyUrl !== 'string') throw invalidArgument('proxyUrl must be a string');
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    // The input is not echoed: a malformed URL may still hold credentials.
    throw invalidArgument('proxyUrl is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidArgument(`proxyUrl must use http: or https:, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidArgument(
      'proxyUrl must not contain credentials; pass the session token as `token` or `getToken`',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidArgument('proxyUrl must not contain a query string or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Replace C0/C1 controls and cap the length, so quoted server text cannot forge log lines. */
function quote(text: string): string {
  const flat = text.replace(/\p{Cc}+/gu, ' ').trim();
  return flat.length > MAX_QUOTED_CHARS ? `${flat.slice(0, MAX_QUOTED_CHARS)}…` : flat;
}

/**
 * Defence in depth: a proxy error text that echoes a token, or any long part
 * of one (a JWT's payload or signature segment), must not carry it into a
 * message or log. `tokens` are every token the client knows, not only the one
 * sent: routes such as `/health` go without one but may still echo it.
 */
function redact(text: string, tokens: readonly string[]): string {
  let out = text;
  for (const token of tokens) {
    out = out.split(token).join('[REDACTED]');
    for (const part of token.split('.')) if (part.length >= 16) out = out.split(part).join('[REDACTED]');
  }
  return out;
}

function networkDetail(error: unknown): string {
  // undici: TypeError('fetch failed', { cause: Error { code: 'ECONNREFUSED' } }).
  // Only the errno-style code is quoted; the cause stays on `err.cause`.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    const code = current.code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return ` (${code})`;
    current = current.cause;
  }
  return '';
}

/**
 * Typed client for the ATI proxy's HTTP API (contract §4).
 *
 * Every method returns the proxy's JSON after checking its shape, and rejects
 * with a {@link ProxyError} whose `code` is one of `ERR_PROXY_HTTP` (non-2xx;
 * `status` and `proxyError` set), `ERR_PROXY_TIMEOUT`, `ERR_PROXY_ABORTED`,
 * `ERR_PROXY_NETWORK`, `ERR_PROXY_INVALID_RESPONSE` or
 * `ERR_PROXY_RESPONSE_TOO_LARGE`; bad arguments reject with an
 * {@link AtiError} `ERR_INVALID_ARGUMENT` before anything is sent. Error
 * messages name the method and path (never the query string, the host, the
 * token or the Authorization header).
 *
 * Redirects are not followed (the proxy never sends one), so the token only
 * ever goes to `proxyUrl`'s origin; a 3xx surfaces as `ERR_PROXY_HTTP`.
 *
 * @example
 * ```ts
 * import { AtiProxyClient } from 'ati-client';
 * import { resolveSessionToken } from 'ati-client/node';
 *
 * const client = new AtiProxyClient({
 *   proxyUrl: 'http://127.0.0.1:8090',
 *   getToken: () => resolveSessionToken(), // re-read per request (contract §6)
 * });
 * const quote = await client.call('finnhub:quote', { symbol: 'AAPL' });
 * ```
 */
export class AtiProxyClient {
  /** The validated base URL, without trailing slashes. */
  readonly proxyUrl: string;
  readonly #token: string | undefined;
  readonly #getToken: TokenProvider | undefined;
  /** The last token `getToken` gave, redacted from every later message as `#token` is. */
  #lastToken: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #maxResponseBytes: number;
  readonly #userAgent: string | undefined;
  readonly #signingKey: Uint8Array | undefined;
  readonly #jobId: string | undefined;

  /**
   * @throws {AtiError} `ERR_INVALID_ARGUMENT` when an option is invalid (the
   * message never quotes `proxyUrl` or `token`).
   */
  constructor(options: AtiProxyClientOptions) {
    if (!isRecord(options)) throw invalidArgument('options must be an object');
    this.proxyUrl = parseBaseUrl(options.proxyUrl);
    this.#token = checkToken(options.token, 'token');
    if (options.getToken !== undefined && typeof options.getToken !== 'function') {
      throw invalidArgument('getToken must be a function');
    }
    this.#getToken = options.getToken;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw invalidArgument('no fetch available: pass options.fetch');
    }
    this.#fetch = fetchImpl;
    this.#timeoutMs = checkInteger('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
    this.#retries = checkInteger('retries', options.retries ?? DEFAULT_RETRIES, 0, MAX_RETRIES);
    this.#maxResponseBytes = checkInteger(
      'maxResponseBytes',
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    if (options.userAgent !== undefined) {
      if (typeof options.userAgent !== 'string' || !USER_AGENT_CHARS.test(options.userAgent)) {
        throw invalidArgument('userAgent must be non-empty printable ASCII');
      }
    }
    this.#userAgent = options.userAgent;
    if (options.signingSecret !== undefined) {
      const key = usableSandboxSecret(options.signingSecret);
      if (key === undefined) {
        throw invalidArgument('signingSecret must be a non-empty string or Uint8Array');
      }
      // A copy: later changes to the caller's bytes do not change our signatures.
      this.#signingKey = Uint8Array.from(key);
    }
    if (
      options.jobId !== undefined &&
      (typeof options.jobId !== 'string' || !USER_AGENT_CHARS.test(options.jobId))
    ) {
      throw invalidArgument('jobId must be non-empty printable ASCII');
    }
    this.#jobId = options.jobId;
  }

  /**
   * `GET /health` (contract §4.2). Public: sent without Authorization.
   * @throws {ProxyError} see the class description.
   * @example `const { version, auth } = await client.health();`
   */
  health(options?: RequestOptions): Promise<HealthResponse> {
    return this.#request({
      method: 'GET',
      path: '/health',
      auth: false,
      guard: isHealthResponse,
      expected: 'a health object',
      options,
    });
  }

  /**
   * `GET /.well-known/jwks.json` (contract §1.6). Public: sent without
   * Authorization. `x5c[0]` is standard-base64 SPKI DER, not a certificate.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 404 when the proxy has no ES256 key.
   * @example `const { keys } = await client.jwks();`
   */
  jwks(options?: RequestOptions): Promise<JwksResponse> {
    return this.#request({
      method: 'GET',
      path: '/.well-known/jwks.json',
      auth: false,
      guard: isJwksResponse,
      expected: 'a JWKS',
      options,
    });
  }

  /**
   * `GET /tools` (contract §4.2): the tools the token may use.
   * @throws {ProxyError} see the class description.
   * @example `await client.listTools({ provider: 'finnhub', search: 'quote' });`
   */
  async listTools(options: ListToolsOptions = {}): Promise<ToolListEntry[]> {
    const query = queryOf({
      provider: checkOptionalText('provider', options.provider),
      search: checkOptionalText('search', options.search),
    });
    return this.#request({
      method: 'GET',
      path: '/tools',
      query,
      auth: true,
      guard: isToolList,
      expected: 'an array of tools',
      options,
    });
  }

  /**
   * `GET /tools/{name}` (contract §4.1). The name is percent-encoded
   * (`finnhub:quote` → `/tools/finnhub%3Aquote`).
   * @throws {ProxyError} `ERR_PROXY_HTTP` 404 for an unknown or out-of-scope tool.
   * @example `const tool = await client.getTool('finnhub:quote');`
   */
  async getTool(name: string, options?: RequestOptions): Promise<ToolDetail> {
    return this.#request({
      method: 'GET',
      path: `/tools/${segment('name', name)}`,
      auth: true,
      guard: isToolDetail,
      expected: 'a tool',
      options,
    });
  }

  /**
   * `GET /skills` (contract §4.2). The proxy applies one filter, with
   * precedence search > category > provider > tool.
   * @throws {ProxyError} see the class description.
   * @example `await client.listSkills({ category: 'compliance' });`
   */
  async listSkills(options: ListSkillsOptions = {}): Promise<SkillListEntry[]> {
    const query = queryOf({
      search: checkOptionalText('search', options.search),
      category: checkOptionalText('category', options.category),
      provider: checkOptionalText('provider', options.provider),
      tool: checkOptionalText('tool', options.tool),
    });
    return this.#request({
      method: 'GET',
      path: '/skills',
      query,
      auth: true,
      guard: isSkillList,
      expected: 'an array of skills',
      options,
    });
  }

  /**
   * `GET /skills/{name}` (contract §4.2): content, or metadata with `meta: true`.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 404 when the skill is unknown or not visible.
   * @example `const { content } = await client.getSkill('research-methodology');`
   */
  getSkill(name: string, options: GetSkillOptions & { meta: true }): Promise<SkillMetaDetail>;
  /** `GET /skills/{name}` (contract §4.2): content, or metadata with `meta: true`. */
  getSkill(name: string, options?: GetSkillOptions & { meta?: false }): Promise<SkillDetail>;
  /** `GET /skills/{name}` (contract §4.2): content, or metadata with `meta: true`. */
  getSkill(name: string, options?: GetSkillOptions): Promise<SkillDetail | SkillMetaDetail>;
  async getSkill(name: string, options: GetSkillOptions = {}): Promise<SkillDetail | SkillMetaDetail> {
    const path = `/skills/${segment('name', name)}`;
    const meta = options.meta === true;
    const query = queryOf({
      meta: meta ? 'true' : undefined,
      refs: options.refs === true ? 'true' : undefined,
    });
    if (meta) {
      return this.#request({
        method: 'GET',
        path,
        query,
        auth: true,
        guard: isSkillMetaDetail,
        expected: 'skill metadata',
        options,
      });
    }
    return this.#request({
      method: 'GET',
      path,
      query,
      auth: true,
      guard: isSkillDetail,
      expected: 'a skill',
      options,
    });
  }

  /**
   * `POST /skills/resolve` (contract §4.1): the skills the given scopes load,
   * filtered to what the caller's token may see. Note `["*"]` resolves to
   * nothing upstream (contract §11.6).
   * @throws {ProxyError} see the class description.
   * @example `await client.resolveSkills(['tool:finnhub:quote'], { includeContent: true });`
   */
  async resolveSkills(
    scopes: readonly string[],
    options: ResolveSkillsOptions = {},
  ): Promise<ResolvedSkill[]> {
    const body: ResolveSkillsRequest = {
      scopes: checkStringList('scopes', scopes),
      include_content: options.includeContent === true,
    };
    return this.#request({
      method: 'POST',
      path: '/skills/resolve',
      body,
      auth: true,
      guard: isResolvedSkillList,
      expected: 'an array of skills',
      options,
    });
  }

  /**
   * `GET /skills/{name}/bundle` (contract §4.1): every file of one skill.
   * File paths are untrusted; write them with `writeSkillBundle`.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 404 when the skill is unknown or not visible.
   * @example `const { files } = await client.getSkillBundle('research-methodology');`
   */
  async getSkillBundle(name: string, options?: RequestOptions): Promise<SkillBundle> {
    return this.#request({
      method: 'GET',
      path: `/skills/${segment('name', name)}/bundle`,
      auth: true,
      guard: isSkillBundle,
      expected: 'a skill bundle',
      options,
    });
  }

  /**
   * `POST /skills/bundle` (contract §4.1): several bundles at once. Lists
   * longer than {@link SKILL_BUNDLE_BATCH_LIMIT} are sent as consecutive
   * batches of 50 (the proxy answers 400 above that); `skills` are merged and
   * `missing` concatenated in request order. An empty list sends nothing.
   * @throws {ProxyError} see the class description (the first failing batch wins).
   * @example `const { skills, missing } = await client.getSkillBundles(['a', 'b']);`
   */
  async getSkillBundles(names: readonly string[], options?: RequestOptions): Promise<SkillBundleBatch> {
    const list = checkStringList('names', names);
    const skills: [string, { readonly files: BundleFiles }][] = [];
    const missing: string[] = [];
    for (let start = 0; start < list.length; start += SKILL_BUNDLE_BATCH_LIMIT) {
      const body: SkillBundleBatchRequest = { names: list.slice(start, start + SKILL_BUNDLE_BATCH_LIMIT) };
      const batch = await this.#request({
        method: 'POST',
        path: '/skills/bundle',
        body,
        auth: true,
        guard: isSkillBundleBatch,
        expected: 'a skill bundle batch',
        options,
      });
      skills.push(...Object.entries(batch.skills));
      missing.push(...batch.missing);
    }
    // Object.fromEntries defines own properties, so a skill named `__proto__` stays data.
    return { skills: Object.fromEntries(skills), missing };
  }

  /**
   * `GET /skillati/catalog` (contract §4.1): the remote skill catalog, the
   * input of `formatSkillListing`.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 503/502 when the registry is not configured or failing.
   * @example `const { skills } = await client.skillCatalog({ search: 'sanctions' });`
   */
  async skillCatalog(options: SkillCatalogOptions = {}): Promise<SkillatiCatalog> {
    return this.#request({
      method: 'GET',
      path: '/skillati/catalog',
      query: queryOf({ search: checkOptionalText('search', options.search) }),
      auth: true,
      guard: isSkillatiCatalog,
      expected: 'a skill catalog',
      options,
    });
  }

  /**
   * `GET /skillati/{name}` (contract §4.2): one remote skill's activation payload.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 404 when not visible.
   * @example `const { content } = await client.getSkillatiSkill('kyc-checklist');`
   */
  async getSkillatiSkill(name: string, options?: RequestOptions): Promise<SkillatiSkill> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${segment('name', name)}`,
      auth: true,
      guard: isSkillatiSkill,
      expected: 'a SkillATI skill',
      options,
    });
  }

  /**
   * `GET /skillati/{name}/resources` (contract §4.2): a remote skill's file list.
   * @throws {ProxyError} see the class description.
   * @example `const { resources } = await client.getSkillatiResources('kyc-checklist', { prefix: 'scripts/' });`
   */
  async getSkillatiResources(
    name: string,
    options: SkillatiResourcesOptions = {},
  ): Promise<SkillatiResources> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${segment('name', name)}/resources`,
      query: queryOf({ prefix: checkOptionalText('prefix', options.prefix) }),
      auth: true,
      guard: isSkillatiResources,
      expected: 'a resource list',
      options,
    });
  }

  /**
   * `GET /skillati/{name}/file?path=` (contract §4.2): one file of a remote
   * skill, text or base64.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 400 for an invalid path.
   * @example `const file = await client.getSkillatiFile('kyc-checklist', 'scripts/run.sh');`
   */
  async getSkillatiFile(name: string, path: string, options?: RequestOptions): Promise<SkillatiFile> {
    const filePath = checkText('path', path);
    if (filePath === '') throw invalidArgument('path must not be empty');
    return this.#request({
      method: 'GET',
      path: `/skillati/${segment('name', name)}/file`,
      query: queryOf({ path: filePath }),
      auth: true,
      guard: isSkillatiFile,
      expected: 'a SkillATI file',
      options,
    });
  }

  /**
   * `GET /skillati/{name}/refs` (contract §4.2): a remote skill's references.
   * @throws {ProxyError} see the class description.
   * @example `const { references } = await client.getSkillatiRefs('kyc-checklist');`
   */
  async getSkillatiRefs(name: string, options?: RequestOptions): Promise<SkillatiRefs> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${segment('name', name)}/refs`,
      auth: true,
      guard: isSkillatiRefs,
      expected: 'a reference list',
      options,
    });
  }

  /**
   * `GET /skillati/{name}/ref/{reference}` (contract §4.2): one reference's text.
   * @throws {ProxyError} see the class description.
   * @example `const { content } = await client.getSkillatiRef('kyc-checklist', 'sources.md');`
   */
  async getSkillatiRef(name: string, reference: string, options?: RequestOptions): Promise<SkillatiRef> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${segment('name', name)}/ref/${segment('reference', reference)}`,
      auth: true,
      guard: isSkillatiRef,
      expected: 'a reference',
      options,
    });
  }

  /**
   * `POST /call` (contract §4.2): run a tool and return its `result`. Never
   * retried (a tool call may have side effects).
   * @param toolName - e.g. `finnhub:quote`; the proxy also tries `_`→`:` splits.
   * @param args - An object for HTTP/MCP/OpenAPI tools; an array or string for CLI tools. Omitted → `{}`.
   * @throws {ProxyError} `ERR_PROXY_HTTP` with the proxy's `error` text: 404 unknown
   * tool, 403 out of scope, 429 rate limited, 502 upstream failure, 422 invalid request.
   * @example `const result = await client.call('finnhub:quote', { symbol: 'AAPL' });`
   */
  async call(toolName: string, args?: CallArgs, options: CallOptions = {}): Promise<JsonValue> {
    const body: CallRequest = {
      tool_name: checkText('toolName', toolName),
      ...(args === undefined ? {} : { args }),
      ...(options.rawArgs === undefined ? {} : { raw_args: checkStringList('rawArgs', options.rawArgs) }),
    };
    const response = await this.#request({
      method: 'POST',
      path: '/call',
      body,
      auth: true,
      guard: isCallResponse,
      expected: 'a call result',
      options,
    });
    return response.result;
  }

  /**
   * `POST /help` (contract §4.2): ask the proxy's LLM helper; returns its answer text.
   * @throws {ProxyError} `ERR_PROXY_HTTP` 503 when the helper is not configured,
   * 403 when `tool` is not visible, 502/500 on LLM errors.
   * @example `const answer = await client.help('how do I get a stock quote?');`
   */
  async help(query: string, options: HelpOptions = {}): Promise<string> {
    const tool = checkOptionalText('tool', options.tool);
    const body: HelpRequest = { query: checkText('query', query), ...(tool === undefined ? {} : { tool }) };
    const response = await this.#request({
      method: 'POST',
      path: '/help',
      body,
      auth: true,
      guard: isHelpResponse,
      expected: 'a help answer',
      options,
    });
    return response.content;
  }

  /**
   * `GET` any proxy path and return its JSON body, checked only for being
   * JSON: the escape hatch for endpoints or response shapes this client does
   * not model (the orchestrator uses it where the Python SDK reads responses
   * loosely). Same auth, timeout, retry, size cap and errors as every method.
   *
   * @param path - Starts with `/`; segments already percent-encoded; no query
   *   string, no `.`/`..` segments.
   * @param options.query - Query parameters; empty and `undefined` values are left out.
   * @throws {ProxyError} see the class description; {@link AtiError} `ERR_INVALID_ARGUMENT` for a bad path.
   * @example `const tool = await client.getJson(`/tools/${encodeURIComponent('finnhub:quote')}`);`
   */
  async getJson(
    path: string,
    options: RequestOptions & { query?: Readonly<Record<string, string | undefined>> | undefined } = {},
  ): Promise<JsonValue> {
    if (
      typeof path !== 'string' ||
      !path.startsWith('/') ||
      /[?#\\\s]/.test(path) ||
      path.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg))
    ) {
      throw invalidArgument('path must start with /, have no query, fragment or dot segments');
    }
    return this.#request({
      method: 'GET',
      path,
      query: options.query === undefined ? undefined : queryOf({ ...options.query }),
      auth: true,
      guard: isJsonValue,
      expected: 'JSON',
      options,
    });
  }

  // -------------------------------------------------------------------------

  async #request<T>(spec: RequestSpec<T>): Promise<T> {
    const options = spec.options ?? {};
    if (!isRecord(options)) throw invalidArgument('options must be an object');
    const signal = options.signal;
    if (signal !== undefined && !isAbortSignal(signal))
      throw invalidArgument('signal must be an AbortSignal');
    const timeoutMs =
      options.timeoutMs === undefined
        ? this.#timeoutMs
        : checkInteger('timeoutMs', options.timeoutMs, 1, MAX_TIMEOUT_MS);
    const { method, path } = spec;
    const fail: Fail = (code, detail, cause) =>
      new ProxyError(code, `${method} ${path} failed: ${detail}`, {
        method,
        path,
        ...(cause === undefined ? {} : { cause }),
      });

    if (signal?.aborted) throw fail('ERR_PROXY_ABORTED', 'aborted by the caller', signal.reason);

    const token = spec.auth ? await this.#resolveToken() : undefined;
    // The caller may have aborted while getToken() was pending.
    if (signal?.aborted) throw fail('ERR_PROXY_ABORTED', 'aborted by the caller', signal.reason);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (this.#userAgent !== undefined) headers['user-agent'] = this.#userAgent;
    if (this.#jobId !== undefined) headers[SANDBOX_JOB_ID_HEADER] = this.#jobId;
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const url = `${this.proxyUrl}${path}${spec.query === undefined ? '' : `?${spec.query.toString()}`}`;

    // One controller per call joins the caller's signal and the deadline, and
    // records which fired first (AbortSignal.any is not on every runtime).
    const controller = new AbortController();
    let fired: AbortCause | undefined;
    const onCallerAbort = (): void => {
      fired ??= 'aborted';
      controller.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => {
      fired ??= 'timeout';
      controller.abort();
    }, timeoutMs);

    const aborted = (cause: unknown): ProxyError =>
      fired === 'aborted'
        ? fail('ERR_PROXY_ABORTED', 'aborted by the caller', signal?.reason ?? cause)
        : fail('ERR_PROXY_TIMEOUT', `timed out after ${timeoutMs} ms`);

    try {
      const attempts = method === 'GET' ? this.#retries + 1 : 1;
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.#attempt(spec, url, headers, payload, controller.signal, token, fail);
        } catch (error) {
          // Our own verdicts (HTTP status, shape, size) stand even if the deadline passed meanwhile.
          if (error instanceof AtiError) throw error;
          if (fired !== undefined) throw aborted(error);
          if (!(error instanceof NetworkFailure)) throw error;
          if (attempt + 1 >= attempts) {
            throw fail('ERR_PROXY_NETWORK', `network error${networkDetail(error.error)}`, error.error);
          }
        }
        await sleep(BACKOFF_BASE_MS * 2 ** attempt, controller.signal);
        if (fired !== undefined) throw aborted(undefined);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async #resolveToken(): Promise<string | undefined> {
    if (this.#token !== undefined) return this.#token;
    if (this.#getToken === undefined) return undefined;
    const token = checkToken(await this.#getToken(), 'getToken() result');
    if (token !== undefined) this.#lastToken = token;
    return token;
  }

  /** Every token this client knows: the one sent (if any), the configured one, the last provided one. */
  #knownTokens(sent: string | undefined): string[] {
    return [...new Set([sent, this.#token, this.#lastToken])].filter((t) => t !== undefined);
  }

  /** One HTTP exchange. Network failures come back as {@link NetworkFailure} for the retry loop. */
  async #attempt<T>(
    spec: RequestSpec<T>,
    url: string,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal,
    token: string | undefined,
    fail: Fail,
  ): Promise<T> {
    const fetchImpl = this.#fetch; // called unbound: some runtimes reject a foreign `this`
    if (this.#signingKey !== undefined) {
      // Signed per attempt, so a retry carries a fresh timestamp. The path is the one fetch sends.
      headers = {
        ...headers,
        [SANDBOX_SIGNATURE_HEADER]: await signSandboxRequest({
          secret: this.#signingKey,
          method: spec.method,
          path: new URL(url).pathname,
        }),
      };
    }
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: spec.method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      throw new NetworkFailure(error);
    }

    if (!response.ok) {
      // The status is the verdict: a body that breaks off is not a network error (and is never retried).
      const bytes = await readBody(response, MAX_ERROR_BODY_BYTES, false).catch(() => undefined);
      const text = bytes === undefined ? '' : new TextDecoder('utf-8').decode(bytes);
      let proxyError: string | undefined;
      try {
        proxyError = proxyErrorText(JSON.parse(text));
      } catch {
        proxyError = undefined;
      }
      const tokens = this.#knownTokens(token);
      if (proxyError !== undefined) proxyError = redact(proxyError, tokens);
      const detail = quote(redact(proxyError ?? text, tokens)) || response.statusText;
      throw new ProxyError(
        'ERR_PROXY_HTTP',
        `${spec.method} ${spec.path} failed: ${response.status}${detail === '' ? '' : ` ${detail}`}`,
        { status: response.status, proxyError, method: spec.method, path: spec.path },
      );
    }

    const declared = response.headers.get('content-length');
    if (
      declared !== null &&
      /^\d+$/.test(declared.trim()) &&
      Number(declared.trim()) > this.#maxResponseBytes
    ) {
      await cancelBody(response);
      throw fail(
        'ERR_PROXY_RESPONSE_TOO_LARGE',
        `response of ${declared.trim()} bytes exceeds ${this.#maxResponseBytes}`,
      );
    }
    const bytes = await readBody(response, this.#maxResponseBytes, true);
    if (bytes === undefined) {
      throw fail('ERR_PROXY_RESPONSE_TOO_LARGE', `response exceeds ${this.#maxResponseBytes} bytes`);
    }

    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      // V8's SyntaxError quotes the body, which may echo a token.
      const message = error instanceof Error ? redact(error.message, this.#knownTokens(token)) : '';
      throw fail('ERR_PROXY_INVALID_RESPONSE', 'response is not JSON', new SyntaxError(message));
    }
    if (!spec.guard(value)) {
      throw fail('ERR_PROXY_INVALID_RESPONSE', `response is not ${spec.expected}`);
    }
    return value;
  }
}

/**
 * Read at most `limit` bytes of the body. Returns `undefined` when the body is
 * longer (the rest is never downloaded): with `strict`, so the caller can
 * report it; without, the bytes read so far are returned instead.
 */
async function readBody(response: Response, limit: number, strict: boolean): Promise<Uint8Array | undefined> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new NetworkFailure(error);
      }
      if (next.done) break;
      const room = limit - total;
      if (next.value.byteLength > room) {
        await reader.cancel().catch(() => undefined);
        if (strict) return undefined;
        chunks.push(next.value.subarray(0, room));
        total = limit;
        break;
      }
      chunks.push(next.value);
      total += next.value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function cancelBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    // Resolves early on abort; the caller checks why and throws.
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
