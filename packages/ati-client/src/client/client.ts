/**
 * `AtiProxyClient`: a typed HTTP client for the ATI proxy (contract §4). One
 * method per endpoint; every response is shape-checked before it is returned.
 * Uses only `fetch`, `AbortController`, `URL`, `URLSearchParams` and
 * `TextDecoder`, so it runs on Node 20+, Deno, Bun, workers and browsers.
 *
 * @module
 */

import { isRecord } from '../util/values.ts';
import * as arg from './arguments.ts';
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
} from './guards.ts';
import type * as Options from './options.ts';
import {
  type Credential,
  type RequestOptions,
  type RequestSpec,
  type StatusCodes,
  Transport,
  UrlOnlyClient,
} from './transport.ts';
import type * as Wire from './types.ts';

/** Hints for the empty-bodied answers to an `Ati-Key` request; the code stays `ERR_PROXY_HTTP`. */
const API_KEY_STATUS: StatusCodes = (status) =>
  status === 401
    ? { code: 'ERR_PROXY_HTTP', hint: 'virtual key refused (revoked, blocked, expired or unknown)' }
    : status === 503
      ? { code: 'ERR_PROXY_HTTP', hint: 'the proxy has no virtual-key database' }
      : undefined;

/** Most names the proxy accepts in one `POST /skills/bundle` (contract §4.1). */
export const SKILL_BUNDLE_BATCH_LIMIT = 50;

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
export class AtiProxyClient extends UrlOnlyClient {
  readonly #transport: Transport;

  /**
   * @throws {AtiError} `ERR_INVALID_ARGUMENT` when an option is invalid, or when
   * `apiKey` comes with `token` or `getToken` (the message never quotes
   * `proxyUrl`, `token` or `apiKey`).
   */
  constructor(options: Options.AtiProxyClientOptions) {
    if (!isRecord(options)) throw arg.invalidArgument('options must be an object');
    const token = arg.checkToken(options.token, 'token');
    const apiKey = arg.checkToken(options.apiKey, 'apiKey');
    const getToken = options.getToken;
    if (getToken !== undefined && typeof getToken !== 'function') {
      throw arg.invalidArgument('getToken must be a function');
    }
    if (apiKey !== undefined && (token !== undefined || getToken !== undefined)) {
      // Two credentials for one client is a bug at the call site, not a preference to resolve.
      throw arg.invalidArgument('apiKey cannot be combined with token or getToken');
    }
    let credential: () => Promise<Credential | undefined>;
    if (apiKey !== undefined) {
      // Contract §9: `Ati-Key <raw>`, the raw key exactly as issued.
      credential = async () => ({ scheme: 'Ati-Key', secret: apiKey });
    } else if (token !== undefined) {
      credential = async () => ({ scheme: 'Bearer', secret: token });
    } else if (getToken !== undefined) {
      credential = async () => {
        const fresh = arg.checkToken(await getToken(), 'getToken() result');
        return fresh === undefined ? undefined : { scheme: 'Bearer', secret: fresh };
      };
    } else {
      credential = async () => undefined;
    }
    // With a virtual key the proxy's 401/503 bodies are empty (contract §4.0): say what they mean.
    const statusCodes = apiKey === undefined ? undefined : API_KEY_STATUS;
    const transport = new Transport(options, credential, statusCodes, apiKey ?? token);
    super(transport.proxyUrl);
    this.#transport = transport;
  }

  /**
   * `GET /health` (contract §4.2). Public: sent without Authorization.
   * @throws {ProxyError} see the class description.
   * @example `const { version, auth } = await client.health();`
   */
  health(options?: RequestOptions): Promise<Wire.HealthResponse> {
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
  jwks(options?: RequestOptions): Promise<Wire.JwksResponse> {
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
  async listTools(options: Options.ListToolsOptions = {}): Promise<Wire.ToolListEntry[]> {
    const query = arg.queryOf({
      provider: arg.checkOptionalText('provider', options.provider),
      search: arg.checkOptionalText('search', options.search),
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
  async getTool(name: string, options?: RequestOptions): Promise<Wire.ToolDetail> {
    return this.#request({
      method: 'GET',
      path: `/tools/${arg.segment('name', name)}`,
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
  async listSkills(options: Options.ListSkillsOptions = {}): Promise<Wire.SkillListEntry[]> {
    const query = arg.queryOf({
      search: arg.checkOptionalText('search', options.search),
      category: arg.checkOptionalText('category', options.category),
      provider: arg.checkOptionalText('provider', options.provider),
      tool: arg.checkOptionalText('tool', options.tool),
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
  getSkill(name: string, options: Options.GetSkillOptions & { meta: true }): Promise<Wire.SkillMetaDetail>;
  /** `GET /skills/{name}` (contract §4.2): content, or metadata with `meta: true`. */
  getSkill(name: string, options?: Options.GetSkillOptions & { meta?: false }): Promise<Wire.SkillDetail>;
  /** `GET /skills/{name}` (contract §4.2): content, or metadata with `meta: true`. */
  getSkill(name: string, options?: Options.GetSkillOptions): Promise<Wire.SkillDetail | Wire.SkillMetaDetail>;
  async getSkill(
    name: string,
    options: Options.GetSkillOptions = {},
  ): Promise<Wire.SkillDetail | Wire.SkillMetaDetail> {
    const path = `/skills/${arg.segment('name', name)}`;
    const meta = options.meta === true;
    const query = arg.queryOf({
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
    options: Options.ResolveSkillsOptions = {},
  ): Promise<Wire.ResolvedSkill[]> {
    const body: Wire.ResolveSkillsRequest = {
      scopes: arg.checkStringList('scopes', scopes),
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
  async getSkillBundle(name: string, options?: RequestOptions): Promise<Wire.SkillBundle> {
    return this.#request({
      method: 'GET',
      path: `/skills/${arg.segment('name', name)}/bundle`,
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
  async getSkillBundles(names: readonly string[], options?: RequestOptions): Promise<Wire.SkillBundleBatch> {
    const list = arg.checkStringList('names', names);
    const skills: [string, { readonly files: Wire.BundleFiles }][] = [];
    const missing: string[] = [];
    for (let start = 0; start < list.length; start += SKILL_BUNDLE_BATCH_LIMIT) {
      const body: Wire.SkillBundleBatchRequest = {
        names: list.slice(start, start + SKILL_BUNDLE_BATCH_LIMIT),
      };
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
  async skillCatalog(options: Options.SkillCatalogOptions = {}): Promise<Wire.SkillatiCatalog> {
    return this.#request({
      method: 'GET',
      path: '/skillati/catalog',
      query: arg.queryOf({ search: arg.checkOptionalText('search', options.search) }),
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
  async getSkillatiSkill(name: string, options?: RequestOptions): Promise<Wire.SkillatiSkill> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${arg.segment('name', name)}`,
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
    options: Options.SkillatiResourcesOptions = {},
  ): Promise<Wire.SkillatiResources> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${arg.segment('name', name)}/resources`,
      query: arg.queryOf({ prefix: arg.checkOptionalText('prefix', options.prefix) }),
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
  async getSkillatiFile(name: string, path: string, options?: RequestOptions): Promise<Wire.SkillatiFile> {
    const filePath = arg.checkText('path', path);
    if (filePath === '') throw arg.invalidArgument('path must not be empty');
    return this.#request({
      method: 'GET',
      path: `/skillati/${arg.segment('name', name)}/file`,
      query: arg.queryOf({ path: filePath }),
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
  async getSkillatiRefs(name: string, options?: RequestOptions): Promise<Wire.SkillatiRefs> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${arg.segment('name', name)}/refs`,
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
  async getSkillatiRef(name: string, reference: string, options?: RequestOptions): Promise<Wire.SkillatiRef> {
    return this.#request({
      method: 'GET',
      path: `/skillati/${arg.segment('name', name)}/ref/${arg.segment('reference', reference)}`,
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
  async call(
    toolName: string,
    args?: Wire.CallArgs,
    options: Options.CallOptions = {},
  ): Promise<Wire.JsonValue> {
    const body: Wire.CallRequest = {
      tool_name: arg.checkText('toolName', toolName),
      ...(args === undefined ? {} : { args }),
      ...(options.rawArgs === undefined ? {} : { raw_args: arg.checkStringList('rawArgs', options.rawArgs) }),
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
  async help(query: string, options: Options.HelpOptions = {}): Promise<string> {
    const tool = arg.checkOptionalText('tool', options.tool);
    const body: Wire.HelpRequest = {
      query: arg.checkText('query', query),
      ...(tool === undefined ? {} : { tool }),
    };
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
  ): Promise<Wire.JsonValue> {
    if (
      typeof path !== 'string' ||
      !path.startsWith('/') ||
      /[?#\\\s]/.test(path) ||
      path.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg))
    ) {
      throw arg.invalidArgument('path must start with /, have no query, fragment or dot segments');
    }
    return this.#request({
      method: 'GET',
      path,
      query: options.query === undefined ? undefined : arg.queryOf({ ...options.query }),
      auth: true,
      guard: isJsonValue,
      expected: 'JSON',
      options,
    });
  }

  // -------------------------------------------------------------------------

  #request<T>(spec: RequestSpec<T>): Promise<T> {
    return this.#transport.request(spec);
  }
}
