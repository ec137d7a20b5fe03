/**
 * The dev proxy as a Web fetch handler: the ATI proxy's routes, auth, status
 * codes and JSON bodies (contract §1.4, §2, §3, §4), over in-memory fixtures.
 * Pure Web APIs; the node:http adapter lives in `server.ts`.
 *
 * Fidelity notes (upstream `src/proxy/server.rs`, axum 0.8):
 * - auth runs before routing, so an unknown route or a wrong method without
 *   a valid token is 401; with one, an unknown route is 404 with the body
 *   `not found: passthrough disabled` and a wrong method 405 with `allow`;
 * - `json!` bodies have sorted keys; `/health`, `/call`, `/help` keep
 *   declaration order;
 * - request bodies are deserialized with serde_json's rules and messages.
 *
 * @module
 */

import type { TokenClaims } from 'ati-client/internal';
import {
  AtiError,
  base64Encode,
  clockSeconds,
  decodeSecret,
  formatWindow,
  type JwkLike,
  type Jwks,
  matchesWildcard,
  proxyRateSpec,
  type RateSpec,
  ScopeSet,
  toJwks,
  validateToken,
} from 'ati-client/internal';
import { stripFrontmatter } from './frontmatter.ts';
import { prettyJson, sortedJson, structJson, toJson } from './json-out.ts';
import { adminRoute, atiKeyClaims } from './keys/admin.ts';
import type { DevKeyDatabase } from './keys/db.ts';
import type { KeyStore } from './keys/store.ts';
import { parseQuery, type QueryKind, QueryRejection } from './query.ts';
import {
  type CatalogRec,
  filterCatalog,
  Registry,
  rustLower,
  type SkillRec,
  type ToolRec,
} from './registry.ts';
import {
  fromSlice,
  fromSliceWithPath,
  type Json,
  SerdeError,
  type StructSpec,
  valueFromSlice,
} from './serde-json.ts';
import { signatureLayer, withSignatureStatus } from './signatures.ts';
import {
  InvalidSkillPath,
  isVisibleResource,
  normalizePrefix,
  resolveRequestedPath,
  skillDirectory,
  substituteSkillRefs,
} from './skillati.ts';
import type { DevProxy, DevProxyOptions, DevSkill } from './types.ts';

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

type Handler = (req: DevRequest) => Promise<Response>;
const rawHandlers = new WeakMap<DevProxy, Handler>();

/** The transport-independent handler behind a {@link DevProxy} (for the node adapter). */
export function rawHandlerOf(proxy: DevProxy): Handler {
  const h = rawHandlers.get(proxy);
  if (h === undefined)
    throw new AtiError('ERR_INVALID_ARGUMENT', 'not a dev proxy created by createDevProxy');
  return h;
}

const DEFAULT_VERSION = '0.7.10';
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
const BATCH_LIMIT = 50;
const CATALOG_SEARCH_LIMIT = 25;
const SKILLATI_NOT_CONFIGURED =
  'SkillATI is not configured (set ATI_SKILL_REGISTRY=gcs://<bucket> or ATI_SKILL_REGISTRY=proxy)';
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NOT_FOUND_BODY = new TextEncoder().encode('not found: passthrough disabled');

// --- responses -------------------------------------------------------------

function json(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}

function errorJson(status: number, message: string): Response {
  return json(status, sortedJson({ error: message }));
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function empty(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers });
}

function callError(status: number, message: string): Response {
  return json(
    status,
    structJson([
      ['result', null],
      ['error', message],
    ]),
  );
}

// --- request structs (field order = Rust declaration order) ------------------

const CALL_REQUEST: StructSpec = {
  name: 'CallRequest',
  fields: [
    { name: 'tool_name', kind: 'string' },
    { name: 'args', kind: 'any', default: () => Object.create(null) as Json },
    { name: 'raw_args', kind: 'opt-seq-string', default: () => undefined },
  ],
};
const RESOLVE_REQUEST: StructSpec = {
  name: 'SkillResolveRequest',
  fields: [
    { name: 'scopes', kind: 'seq-string' },
    { name: 'include_content', kind: 'bool', default: () => false },
  ],
};
const BUNDLE_REQUEST: StructSpec = {
  name: 'SkillBundleBatchRequest',
  fields: [{ name: 'names', kind: 'seq-string' }],
};
const HELP_REQUEST: StructSpec = {
  name: 'HelpRequest',
  fields: [
    { name: 'query', kind: 'string' },
    { name: 'tool', kind: 'opt-string', default: () => undefined },
  ],
};

// --- routing -------------------------------------------------------------------

type RouteName =
  | 'call'
  | 'help'
  | 'mcp'
  | 'tools'
  | 'tool'
  | 'skills'
  | 'skillsResolve'
  | 'skillsBundle'
  | 'skill'
  | 'skillBundle'
  | 'catalog'
  | 'skillati'
  | 'skillatiResources'
  | 'skillatiFile'
  | 'skillatiRefs'
  | 'skillatiRef'
  | 'health'
  | 'jwks';

const ROUTES: ReadonlyArray<readonly [string, 'GET' | 'POST', RouteName]> = [
  ['/call', 'POST', 'call'],
  ['/help', 'POST', 'help'],
  ['/mcp', 'POST', 'mcp'],
  ['/tools', 'GET', 'tools'],
  ['/tools/{name}', 'GET', 'tool'],
  ['/skills', 'GET', 'skills'],
  ['/skills/resolve', 'POST', 'skillsResolve'],
  ['/skills/bundle', 'POST', 'skillsBundle'],
  ['/skills/{name}', 'GET', 'skill'],
  ['/skills/{name}/bundle', 'GET', 'skillBundle'],
  ['/skillati/catalog', 'GET', 'catalog'],
  ['/skillati/{name}', 'GET', 'skillati'],
  ['/skillati/{name}/resources', 'GET', 'skillatiResources'],
  ['/skillati/{name}/file', 'GET', 'skillatiFile'],
  ['/skillati/{name}/refs', 'GET', 'skillatiRefs'],
  ['/skillati/{name}/ref/{reference}', 'GET', 'skillatiRef'],
  ['/health', 'GET', 'health'],
  ['/.well-known/jwks.json', 'GET', 'jwks'],
];

interface Match {
  route: RouteName;
  method: 'GET' | 'POST';
  /** Raw (still percent-encoded) parameters by name. */
  params: Map<string, string>;
}

const COMPILED = ROUTES.map(([pattern, method, route]) => ({
  segs: pattern.split('/').slice(1),
  method,
  route,
}));

/**
 * Match a raw path like matchit (axum's router): segment by segment, a static
 * segment beats a parameter at the first place two candidates differ;
 * parameters match one non-empty segment.
 */
function matchRoute(path: string): Match | undefined {
  const parts = path.split('/');
  if (parts[0] !== '') return undefined;
  const segs = parts.slice(1);
  let best: { m: Match; rank: number[] } | undefined;
  for (const r of COMPILED) {
    if (r.segs.length !== segs.length) continue;
    const params = new Map<string, string>();
    const rank: number[] = [];
    let ok = true;
    for (let i = 0; i < segs.length; i++) {
      const p = r.segs[i]!;
      const s = segs[i]!;
      if (p.startsWith('{')) {
        if (s === '') {
          ok = false;
          break;
        }
        params.set(p.slice(1, -1), s);
        rank.push(1);
      } else if (p === s) rank.push(0);
      else {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (best === undefined || moreStatic(rank, best.rank))
      best = { m: { route: r.route, method: r.method, params }, rank };
  }
  return best?.m;
}

/** At the first differing segment, a static segment (0) beats a parameter (1). */
function moreStatic(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** `percent_decode` then UTF-8 (axum's `Path` extraction); `undefined` for invalid UTF-8. */
export function decodePathParam(raw: string): string | undefined {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...enc.encode(String.fromCodePoint(cp)));
    }
  }
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** axum's `json_content_type`: `application/json` or any `application/*+json`, parameters allowed. */
function isJsonContentType(value: string | undefined): boolean {
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

/** `HeaderValue::to_str`: visible ASCII and tab only, else treated as absent. */
function headerText(value: string | undefined): string | undefined {
  return value !== undefined && /^[\t\x20-\x7e]*$/.test(value) ? value : undefined;
}

// --- rate limits (contract §3) ------------------------------------------------

/** `ScopeConfig::from_jwt`'s rate config: none when absent or empty, and none at all if any spec is bad. */
function rateConfig(claims: TokenClaims | undefined): [string, RateSpec][] | undefined {
  const rate = claims?.ati?.rate;
  if (rate === undefined) return undefined;
  const entries = Object.entries(rate);
  if (entries.length === 0) return undefined;
  const out: [string, RateSpec][] = [];
  for (const [pattern, spec] of entries) {
    const parsed = proxyRateSpec(spec);
    if (parsed === undefined) return undefined;
    out.push([pattern, parsed]);
  }
  return out;
}

// --- bundles ---------------------------------------------------------------------

function bundleFiles(files: ReadonlyMap<string, Uint8Array>): { [path: string]: Json } {
  const out = Object.create(null) as { [path: string]: Json };
  for (const [path, data] of files) {
    try {
      out[path] = UTF8.decode(data);
    } catch {
      const b64 = Object.create(null) as { [k: string]: Json };
      b64.base64 = base64Encode(data);
      out[path] = b64;
    }
  }
  return out;
}

function listOrEmpty(v: readonly string[]): Json {
  return [...v];
}

function toolListEntry(t: ToolRec): Json {
  return {
    name: t.name,
    description: t.description,
    provider: t.provider.name,
    method: t.method,
    tags: listOrEmpty(t.tags),
    skills: listOrEmpty(t.provider.skills),
    input_schema: t.inputSchema ?? null,
  };
}

function skillListEntry(s: SkillRec): Json {
  return {
    name: s.name,
    version: s.version,
    description: s.description,
    tools: listOrEmpty(s.tools),
    providers: listOrEmpty(s.providers),
    categories: listOrEmpty(s.categories),
    hint: s.hint ?? null,
  };
}

function catalogEntry(e: CatalogRec): Json {
  const out: { [k: string]: Json } = {
    name: e.name,
    description: e.description,
    skill_directory: skillDirectory(e.name),
  };
  if (e.whenToUse !== undefined) out.when_to_use = e.whenToUse;
  if (e.keywords.length > 0) out.keywords = [...e.keywords];
  if (e.tools.length > 0) out.tools = [...e.tools];
  if (e.providers.length > 0) out.providers = [...e.providers];
  if (e.categories.length > 0) out.categories = [...e.categories];
  return out;
}

/** Read a request body as a UTF-8-agnostic byte array, or report it too large. */
async function readStream(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Create the dev proxy: the ATI proxy's HTTP API over fixture tools, skills
 * and a SkillATI catalog, as a Web fetch handler (no socket needed).
 *
 * With `secret` (HS256) or `publicKey` (ES256) every route but `/health` and
 * `/.well-known/jwks.json` needs `Authorization: Bearer <token>`; with
 * neither it runs unauthenticated with all scopes, like the proxy without
 * JWT configuration.
 *
 * @throws {TokenError} `ERR_KEY_INVALID` for an unusable `secret` or `publicKey`.
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for both keys at once, or invalid fixtures/options.
 * @example
 * ```ts
 * const proxy = createDevProxy({ ...sampleFixtures, secret });
 * const res = await proxy.fetch(new Request('http://dev/tools', { headers: { authorization: `Bearer ${token}` } }));
 * ```
 */
export function createDevProxy(options: DevProxyOptions = {}): DevProxy {
  const o = options;
  if (o.secret !== undefined && o.publicKey !== undefined) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'Give secret (HS256) or publicKey (ES256), not both');
  }
  if (o.secret !== undefined) decodeSecret(o.secret);
  const publicKey = o.publicKey;
  const jwks: Jwks | undefined = publicKey === undefined ? undefined : toJwks(publicKey, { format: 'ati' });
  const authEnabled = o.secret !== undefined || o.publicKey !== undefined;
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(maxBody) || maxBody < 0) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'maxBodyBytes must be a non-negative integer');
  }
  if (o.now !== undefined && typeof o.now !== 'function' && typeof o.now !== 'number') {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'now must be epoch seconds or a function returning them');
  }
  const clock = o.now;
  const now = (): number => Math.floor(clockSeconds(clock));
  const version = o.version ?? DEFAULT_VERSION;
  const checkSignature = signatureLayer(o.signatures);
  const helpOption = o.help;
  const fixtureSkills: readonly DevSkill[] = o.skills ?? [];

  const keys = openKeys(o);
  let registry = new Registry(o.tools ?? [], o.providers ?? [], fixtureSkills, o.catalog);
  let ready: Promise<void> = Promise.resolve();
  if (o.skillsDir !== undefined) {
    const dir = o.skillsDir;
    ready = (async () => {
      const { loadSkillsDir } = await import('#skills-dir');
      const loaded = await loadSkillsDir(dir);
      registry = new Registry(o.tools ?? [], o.providers ?? [], [...fixtureSkills, ...loaded], o.catalog);
    })();
    ready.catch(() => undefined);
  }
  const skillsReady = ready;
  if (keys !== undefined) ready = Promise.all([ready, keys.opened]).then(() => undefined);
  ready.catch(() => undefined);

  /** Rate windows keyed by pattern, shared by every token (contract §3). */
  const rateState = new Map<string, number[]>();

  function checkRate(toolName: string, limits: [string, RateSpec][]): string | undefined {
    const t = now();
    const key = `tool:${toolName}`;
    for (const [pattern, limit] of limits) {
      if (!matchesWildcard(key, pattern)) continue;
      const kept = (rateState.get(pattern) ?? []).filter((ts) => ts > t - limit.windowSeconds);
      rateState.set(pattern, kept);
      if (kept.length >= limit.count) {
        const w = formatWindow(limit.windowSeconds);
        return `Rate limit exceeded for '${pattern}': ${kept.length}/${w} (limit: ${limit.count}/${w})`;
      }
      kept.push(t);
    }
    return undefined;
  }

  async function authenticate(req: DevRequest): Promise<Response | { claims: TokenClaims | undefined }> {
    const auth = headerText(req.header('authorization'));
    // Ati-Key is tried first, even in dev mode (contract §4.0, §9).
    if (auth?.startsWith('Ati-Key ')) {
      const outcome = await atiKeyClaims(auth, await keys?.store(), clockSeconds(clock));
      return outcome instanceof Response ? outcome : { claims: outcome };
    }
    if (!authEnabled) return { claims: undefined };
    if (auth === undefined || !auth.startsWith('Bearer ')) return empty(401);
    try {
      const claims = await validateToken(auth.slice(7), {
        secret: o.secret,
        publicKey,
        audience: o.audience ?? 'ati-proxy',
        issuer: o.issuer,
        requireIssuer: false,
        leeway: 60,
        now: now(),
      });
      return { claims };
    } catch {
      return empty(401);
    }
  }

  function scopesOf(claims: TokenClaims | undefined): ScopeSet {
    return claims === undefined ? ScopeSet.unrestricted() : ScopeSet.fromClaims(claims, now);
  }

  async function jsonBody(
    req: DevRequest,
    spec: StructSpec,
    limit = maxBody,
  ): Promise<Response | Record<string, Json | undefined>> {
    if (!isJsonContentType(headerText(req.header('content-type')))) {
      return text(415, 'Expected request with `Content-Type: application/json`');
    }
    const bytes = await req.body(limit);
    if (bytes === undefined) return text(413, 'Failed to buffer the request body: length limit exceeded');
    try {
      return fromSliceWithPath(bytes, spec);
    } catch (err) {
      if (!(err instanceof SerdeError)) throw err;
      return err.category === 'data'
        ? text(422, `Failed to deserialize the JSON body into the target type: ${err.pathMessage()}`)
        : text(400, `Failed to parse the request body as JSON: ${err.pathMessage()}`);
    }
  }

  function query(
    req: DevRequest,
    fields: Readonly<Record<string, QueryKind>>,
  ): ReturnType<typeof parseQuery> | Response {
    const q = req.target.indexOf('?');
    try {
      return parseQuery(q < 0 ? undefined : req.target.slice(q + 1), fields);
    } catch (err) {
      if (err instanceof QueryRejection) return text(400, err.message);
      throw err;
    }
  }

  function skillNotFound(name: string): Response {
    return errorJson(404, `Skill '${name}' not found`);
  }

  function remoteVisible(scopes: ScopeSet): Set<string> {
    const names = registry.visibleSkillNames(scopes);
    for (const n of registry.visibleRemoteNames(scopes)) names.add(n);
    return names;
  }

  /** The catalog's file, or the proxy's not-found error for it. */
  function catalogFile(skill: string, path: string): Uint8Array | Response {
    const entry = registry.catalog?.find((e) => e.name === skill);
    const data = entry?.files.get(path);
    if (data !== undefined) return data;
    return path === 'SKILL.md'
      ? skillNotFound(skill)
      : errorJson(404, `Path '${path}' not found in skill '${skill}'`);
  }

  function resources(name: string): string[] | Response {
    const entry = registry.catalog?.find((e) => e.name === name);
    if (entry === undefined || !entry.files.has('SKILL.md')) return skillNotFound(name);
    return [...new Set([...entry.files.keys()].filter(isVisibleResource))].sort();
  }

  function readPath(
    requested: string,
    path: string,
  ): Response | { resolved: string; normPath: string; data: Uint8Array } {
    let resolved: string;
    let normPath: string;
    try {
      [resolved, normPath] = resolveRequestedPath(requested, path);
    } catch (err) {
      if (err instanceof InvalidSkillPath) return errorJson(400, err.message);
      throw err;
    }
    const data = catalogFile(resolved, normPath);
    if (data instanceof Response) return data;
    return { resolved, normPath, data };
  }

  async function route(req: DevRequest, m: Match, claims: TokenClaims | undefined): Promise<Response> {
    const name = m.params.get('name');
    const scopes = scopesOf(claims);
    switch (m.route) {
      case 'health':
        return json(
          200,
          structJson([
            ['status', 'ok'],
            ['version', version],
            ['tools', registry.publicTools().length],
            ['providers', registry.providers.length],
            ['skills', registry.skills.length],
            ['auth', authEnabled ? 'jwt' : 'disabled'],
            ['db', keys?.connected() === true ? 'connected' : 'disabled'],
          ]),
        );
      case 'jwks':
        return jwks === undefined
          ? errorJson(404, 'JWKS not configured')
          : json(200, sortedJson(toJson(jwks)));
      case 'tools': {
        const q = query(req, { provider: 'opt-string', search: 'opt-string' });
        if (q instanceof Response) return q;
        const provider = q.provider as string | undefined;
        const search = q.search === undefined ? undefined : rustLower(q.search as string);
        const list = registry.visibleTools(scopes).filter((t) => {
          if (provider !== undefined && t.provider.name !== provider) return false;
          if (search !== undefined) {
            return (
              rustLower(t.name).includes(search) ||
              rustLower(t.description).includes(search) ||
              t.tags.some((tag) => rustLower(tag).includes(search))
            );
          }
          return true;
        });
        return json(200, sortedJson(list.map(toolListEntry)));
      }
      case 'tool': {
        const tool = registry.toolIndex.get(name!);
        if (tool === undefined || (tool.scope !== undefined && !scopes.isAllowed(tool.scope))) {
          return errorJson(404, `Tool '${name}' not found`);
        }
        const skills = [...tool.provider.skills];
        for (const s of [
          ...registry.skillsForTool(tool.name),
          ...registry.skillsForProvider(tool.provider.name),
        ]) {
          if (!skills.includes(s.name)) skills.push(s.name);
        }
        return json(
          200,
          sortedJson({
            name: tool.name,
            description: tool.description,
            provider: tool.provider.name,
            method: tool.method,
            endpoint: tool.endpoint,
            tags: [...tool.tags],
            hint: tool.hint ?? null,
            skills,
            input_schema: tool.inputSchema ?? null,
            scope: tool.scope ?? null,
          }),
        );
      }
      case 'skills': {
        const q = query(req, {
          category: 'opt-string',
          provider: 'opt-string',
          tool: 'opt-string',
          search: 'opt-string',
        });
        if (q instanceof Response) return q;
        const visible = registry.visibleSkillNames(scopes);
        let list: SkillRec[];
        if (q.search !== undefined) list = registry.searchSkills(q.search as string);
        else if (q.category !== undefined) list = registry.skillsForCategory(q.category as string);
        else if (q.provider !== undefined) list = registry.skillsForProvider(q.provider as string);
        else if (q.tool !== undefined) list = registry.skillsForTool(q.tool as string);
        else list = registry.skills;
        return json(200, sortedJson(list.filter((s) => visible.has(s.name)).map(skillListEntry)));
      }
      case 'skill': {
        const q = query(req, { meta: 'opt-bool', refs: 'opt-bool' });
        if (q instanceof Response) return q;
        const skill = registry.skillIndex.get(name!);
        if (skill === undefined || !registry.visibleSkillNames(scopes).has(skill.name))
          return skillNotFound(name!);
        if (q.meta === true) {
          return json(
            200,
            sortedJson({
              name: skill.name,
              version: skill.version,
              description: skill.description,
              author: skill.author ?? null,
              tools: [...skill.tools],
              providers: [...skill.providers],
              categories: [...skill.categories],
              keywords: [...skill.keywords],
              hint: skill.hint ?? null,
              depends_on: [...skill.dependsOn],
              suggests: [...skill.suggests],
              license: skill.license ?? null,
              compatibility: skill.compatibility ?? null,
              allowed_tools: skill.allowedTools ?? null,
              format: skill.format,
            }),
          );
        }
        const body: { [k: string]: Json } = {
          name: skill.name,
          version: skill.version,
          description: skill.description,
          content: stripFrontmatter(skill.content),
        };
        if (q.refs === true) {
          // `read_dir(references/)`: the names of its direct children, sorted.
          const refs = new Set<string>();
          for (const path of skill.files.keys()) {
            if (path.startsWith('references/')) {
              const child = path.slice(11).split('/')[0]!;
              if (child !== '') refs.add(child);
            }
          }
          body.references = [...refs].sort();
        }
        return json(200, sortedJson(body));
      }
      case 'skillBundle': {
        const skill = registry.skillIndex.get(name!);
        if (skill === undefined || !registry.visibleSkillNames(scopes).has(name!))
          return skillNotFound(name!);
        return json(200, sortedJson({ name: skill.name, files: bundleFiles(skill.files) }));
      }
      case 'skillsBundle': {
        const parsed = await jsonBody(req, BUNDLE_REQUEST);
        if (parsed instanceof Response) return parsed;
        const names = parsed.names as string[];
        if (names.length > BATCH_LIMIT) {
          return errorJson(400, `batch size ${names.length} exceeds limit of ${BATCH_LIMIT}`);
        }
        const visible = registry.visibleSkillNames(scopes);
        const skills = Object.create(null) as { [k: string]: Json };
        const missing: string[] = [];
        for (const n of names) {
          const skill = registry.skillIndex.get(n);
          if (!visible.has(n) || skill === undefined) missing.push(n);
          else skills[n] = { files: bundleFiles(skill.files) };
        }
        return json(200, sortedJson({ skills, missing }));
      }
      case 'skillsResolve': {
        const parsed = await jsonBody(req, RESOLVE_REQUEST);
        if (parsed instanceof Response) return parsed;
        // Resolved from the request's scopes (never expiring), filtered by the caller's token (contract §2.5).
        const requested = new ScopeSet(parsed.scopes as string[], 0, now);
        const visible = registry.visibleSkillNames(scopes);
        const out = registry
          .resolveSkills(requested)
          .filter((s) => visible.has(s.name))
          .map((s) => {
            const e: { [k: string]: Json } = {
              name: s.name,
              version: s.version,
              description: s.description,
              tools: [...s.tools],
              providers: [...s.providers],
              categories: [...s.categories],
            };
            if (parsed.include_content === true) e.content = stripFrontmatter(s.content);
            return e;
          });
        return json(200, sortedJson(out));
      }
      case 'catalog': {
        // Extractors (the query) run before the handler, which checks the registry first.
        const q = query(req, { search: 'opt-string' });
        if (q instanceof Response) return q;
        if (registry.catalog === undefined) return errorJson(503, SKILLATI_NOT_CONFIGURED);
        const visible = remoteVisible(scopes);
        let entries = registry.catalog.filter((e) => visible.has(e.name));
        if (q.search !== undefined)
          entries = filterCatalog(entries, q.search as string, CATALOG_SEARCH_LIMIT);
        return json(200, sortedJson({ skills: entries.map(catalogEntry) }));
      }
      case 'skillati':
      case 'skillatiResources':
      case 'skillatiFile':
      case 'skillatiRefs':
      case 'skillatiRef': {
        const fields: Record<string, QueryKind> =
          m.route === 'skillatiResources'
            ? { prefix: 'opt-string' }
            : m.route === 'skillatiFile'
              ? { path: 'string' }
              : {};
        const q = query(req, fields);
        if (q instanceof Response) return q;
        if (registry.catalog === undefined) return errorJson(503, SKILLATI_NOT_CONFIGURED);
        if (!remoteVisible(scopes).has(name!)) return skillNotFound(name!);
        return skillati(m, name!, q);
      }
      case 'call':
        return call(req, claims, scopes);
      case 'help':
        return help(req, claims, scopes);
      case 'mcp':
        return mcp(req, claims, scopes);
    }
  }

  async function skillati(
    m: Match,
    name: string,
    q: Record<string, string | boolean | undefined>,
  ): Promise<Response> {
    switch (m.route) {
      case 'skillati': {
        const raw = catalogFile(name, 'SKILL.md');
        if (raw instanceof Response) return raw;
        let textBody: string;
        try {
          textBody = UTF8.decode(raw);
        } catch {
          return errorJson(502, `invalid UTF-8 in ${name}/SKILL.md`);
        }
        const catalog = registry.catalog ?? [];
        const description = catalog.find((e) => e.name === name)?.description ?? '';
        const names = new Set(catalog.map((e) => e.name));
        return json(
          200,
          sortedJson({
            name,
            description,
            skill_directory: skillDirectory(name),
            content: substituteSkillRefs(stripFrontmatter(textBody), name, names),
          }),
        );
      }
      case 'skillatiResources': {
        const prefixRaw = q.prefix as string | undefined;
        let prefix: string | undefined;
        if (prefixRaw !== undefined && prefixRaw.trim() !== '') {
          try {
            prefix = normalizePrefix(prefixRaw);
          } catch (err) {
            if (err instanceof InvalidSkillPath) return errorJson(400, err.message);
            throw err;
          }
        }
        const all = resources(name);
        if (all instanceof Response) return all;
        const list =
          prefix === undefined ? all : all.filter((p) => p === prefix || p.startsWith(`${prefix}/`));
        return json(200, sortedJson({ name, prefix: prefixRaw ?? null, resources: list }));
      }
      case 'skillatiFile': {
        const read = readPath(name, q.path as string);
        if (read instanceof Response) return read;
        const body: { [k: string]: Json } = {
          requested_skill: name,
          resolved_skill: read.resolved,
          path: read.normPath,
        };
        try {
          body.content = UTF8.decode(read.data);
          body.kind = 'text';
        } catch {
          body.kind = 'binary';
          body.encoding = 'base64';
          body.content = base64Encode(read.data);
        }
        return json(200, sortedJson(body));
      }
      case 'skillatiRefs': {
        const all = resources(name);
        if (all instanceof Response) return all;
        const references = all.filter((p) => p.startsWith('references/')).map((p) => p.slice(11));
        return json(200, sortedJson({ name, references }));
      }
      default: {
        const reference = m.params.get('reference')!;
        const path = `references/${reference}`;
        const read = readPath(name, path);
        if (read instanceof Response) return read;
        let content: string;
        try {
          content = UTF8.decode(read.data);
        } catch {
          return errorJson(400, `Invalid skill-relative path '${path}'`);
        }
        return json(200, sortedJson({ name, reference, content }));
      }
    }
  }

  async function call(req: DevRequest, claims: TokenClaims | undefined, scopes: ScopeSet): Promise<Response> {
    // The body is parsed by hand, not by axum's Json: no content-type needed (contract §4.2).
    const bytes = await req.body(maxBody);
    if (bytes === undefined) return callError(400, 'Failed to read request body: length limit exceeded');
    let parsed: Record<string, Json | undefined>;
    try {
      parsed = fromSlice(bytes, CALL_REQUEST);
    } catch (err) {
      if (!(err instanceof SerdeError)) throw err;
      return callError(422, `Invalid request: ${err.serdeMessage()}`);
    }
    const requested = parsed.tool_name as string;
    let tool = registry.toolIndex.get(requested);
    if (tool === undefined) {
      // "finnhub_quote" → "finnhub:quote": try each underscore, left to right.
      for (let i = requested.indexOf('_'); i >= 0 && tool === undefined; i = requested.indexOf('_', i + 1)) {
        tool = registry.toolIndex.get(`${requested.slice(0, i)}:${requested.slice(i + 1)}`);
      }
    }
    if (tool === undefined) return callError(404, `Unknown tool: '${requested}'`);
    if (tool.scope !== undefined && !scopes.isAllowed(tool.scope)) {
      return callError(403, `Access denied: '${tool.name}' is not in your scopes`);
    }
    const limits = rateConfig(claims);
    if (limits !== undefined) {
      const denied = checkRate(requested, limits);
      if (denied !== undefined) return callError(429, denied);
    }
    const args = parsed.args as Json;
    let result: unknown;
    try {
      result =
        tool.handler === undefined
          ? args
          : await tool.handler(args, {
              toolName: tool.name,
              requestedName: requested,
              claims,
              scopes,
              rawArgs: parsed.raw_args as string[] | undefined,
              via: 'call',
            });
    } catch (err) {
      return callError(502, `Upstream API error: ${err instanceof Error ? err.message : String(err)}`);
    }
    let out: Json;
    try {
      out = result === undefined ? { records: [] } : toJson(result);
    } catch (err) {
      return callError(500, `Response processing error: ${err instanceof Error ? err.message : String(err)}`);
    }
    return json(200, structJson([['result', out]]));
  }

  async function help(req: DevRequest, claims: TokenClaims | undefined, scopes: ScopeSet): Promise<Response> {
    const parsed = await jsonBody(req, HELP_REQUEST);
    if (parsed instanceof Response) return parsed;
    const helpError = (status: number, message: string): Response =>
      json(
        status,
        structJson([
          ['content', ''],
          ['error', message],
        ]),
      );
    if (helpOption === false) {
      return helpError(503, 'No _llm.toml manifest found. Proxy help requires a configured LLM provider.');
    }
    const queryText = parsed.query as string;
    const tool = parsed.tool as string | undefined;
    const visible = registry.visibleTools(scopes);
    if (tool !== undefined && !visible.some((t) => t.name === tool || t.provider.name === tool)) {
      return helpError(403, `Scope '${tool}' is not visible in your current scopes.`);
    }
    const visibleTools = visible.map((t) => t.name);
    let content: string;
    try {
      content =
        helpOption === undefined
          ? `Dev proxy help (fixture answer, no LLM).\nQuery: ${queryText}\n${tool === undefined ? '' : `Tool: ${tool}\n`}Visible tools: ${visibleTools.join(', ') || '(none)'}`
          : await helpOption({ query: queryText, tool }, { claims, scopes, visibleTools });
    } catch (err) {
      return helpError(502, `LLM request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return json(200, structJson([['content', String(content)]]));
  }

  async function mcp(req: DevRequest, claims: TokenClaims | undefined, scopes: ScopeSet): Promise<Response> {
    if (!isJsonContentType(headerText(req.header('content-type')))) {
      return text(415, 'Expected request with `Content-Type: application/json`');
    }
    const bytes = await req.body(maxBody);
    if (bytes === undefined) return text(413, 'Failed to buffer the request body: length limit exceeded');
    let msg: Json;
    try {
      msg = valueFromSlice(bytes);
    } catch (err) {
      if (!(err instanceof SerdeError)) throw err;
      return text(400, `Failed to parse the request body as JSON: ${err.serdeMessage()}`);
    }
    const obj = msg !== null && typeof msg === 'object' && !Array.isArray(msg) ? msg : undefined;
    const method = typeof obj?.method === 'string' ? obj.method : '';
    const id: Json = obj !== undefined && Object.hasOwn(obj, 'id') ? obj.id! : null;
    const ok = (result: Json): Response => json(200, sortedJson({ jsonrpc: '2.0', id, result }));
    const fail = (code: number, message: string): Response =>
      json(200, sortedJson({ jsonrpc: '2.0', id, error: { code, message } }));
    switch (method) {
      case 'initialize':
        return ok({
          protocolVersion: '2025-03-26',
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: 'ati-proxy', version },
        });
      case 'notifications/initialized':
        return json(202, 'null');
      case 'tools/list':
        return ok({
          tools: registry.visibleTools(scopes).map((t) => ({
            name: t.name,
            description: t.description,
            inputSchema: t.inputSchema ?? { type: 'object', properties: {} },
          })),
        });
      case 'tools/call': {
        const params = obj?.params;
        const p =
          params !== null && typeof params === 'object' && !Array.isArray(params) ? params : undefined;
        const toolName = typeof p?.name === 'string' ? p.name : '';
        const a = p?.arguments;
        const args: Json = a !== null && typeof a === 'object' && !Array.isArray(a) ? a : {};
        if (toolName === '') return fail(-32602, 'Missing tool name in params.name');
        const tool = registry.toolIndex.get(toolName);
        if (tool === undefined) return fail(-32602, `Unknown tool: '${toolName}'`);
        if (tool.scope !== undefined && !scopes.isAllowed(tool.scope)) {
          return fail(-32001, `Access denied: '${tool.name}' is not in your scopes`);
        }
        try {
          const result =
            tool.handler === undefined
              ? args
              : await tool.handler(args, {
                  toolName: tool.name,
                  requestedName: toolName,
                  claims,
                  scopes,
                  rawArgs: undefined,
                  via: 'mcp',
                });
          const value = result === undefined ? { records: [] } : toJson(result);
          const textOut = typeof value === 'string' ? value : prettyJson(value);
          return ok({ content: [{ type: 'text', text: textOut }], isError: false });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          return ok({ content: [{ type: 'text', text: `Error: ${message}` }], isError: true });
        }
      }
      default:
        return fail(-32601, `Method not found: '${method}'`);
    }
  }

  async function handle(req: DevRequest): Promise<Response> {
    try {
      await skillsReady;
    } catch {
      return errorJson(500, 'The skills directory could not be loaded');
    }
    try {
      const q = req.target.indexOf('?');
      const path = q < 0 ? req.target : req.target.slice(0, q);
      // The admin router sits beside the main one: its own bearer check, no signatures, no JWT.
      const admin = await adminRoute(req, path, {
        token: o.adminToken,
        store: async () => keys?.store(),
        jsonBody,
        decodePathParam,
      });
      if (admin !== undefined) return admin;
      // The proxy's layers, outermost first: signature check, then auth, then the route.
      if (checkSignature === undefined) return await authenticated(req, path);
      const outcome = await checkSignature(req.method, path, req.header, now());
      if ('reject' in outcome) return outcome.reject;
      const res = await authenticated(req, path);
      return outcome.statusHeader === undefined ? res : withSignatureStatus(res, outcome.statusHeader);
    } catch {
      return errorJson(500, 'Internal dev proxy error');
    }
  }

  /** Auth, routing and the handler, for a request past the signature layer. */
  async function authenticated(req: DevRequest, path: string): Promise<Response> {
    let claims: TokenClaims | undefined;
    if (path !== '/health' && path !== '/.well-known/jwks.json') {
      const auth = await authenticate(req);
      if (auth instanceof Response) return auth;
      claims = auth.claims;
    }
    const m = matchRoute(path);
    // axum's fallback (passthrough disabled): plain body, no content-type header.
    if (m === undefined) return new Response(NOT_FOUND_BODY, { status: 404 });
    const method = req.method;
    const allowed = m.method === 'GET' ? method === 'GET' || method === 'HEAD' : method === 'POST';
    if (!allowed) return empty(405, { allow: m.method === 'GET' ? 'GET,HEAD' : 'POST' });
    for (const [key, raw] of m.params) {
      const decoded = decodePathParam(raw);
      if (decoded === undefined) return text(400, `Invalid URL: Invalid UTF-8 in \`${key}\``);
      m.params.set(key, decoded);
    }
    const res = await route(req, m, claims);
    return method === 'HEAD' ? new Response(null, { status: res.status, headers: res.headers }) : res;
  }

  const proxy: DevProxy = {
    fetch: (request: Request) => {
      let target: string;
      try {
        const url = new URL(request.url);
        target = url.pathname + url.search;
      } catch {
        target = '/';
      }
      return handle({
        method: request.method,
        target,
        header: (n) => request.headers.get(n) ?? undefined,
        body: (limit) => readStream(request.body, limit),
      });
    },
    ready,
    resetRateLimits: () => rateState.clear(),
    close: () => keys?.close() ?? Promise.resolve(),
  };
  rawHandlers.set(proxy, handle);
  return proxy;
}

/** The dev proxy's key store, opened in the background when virtual keys are configured. */
interface Keys {
  /** Resolves once the tables exist and the listener runs; rejects with `ERR_KEY_DATABASE`. */
  readonly opened: Promise<void>;
  /** The store, or `undefined` when it could not be opened (the proxy's "no key store": 503). */
  store(): Promise<KeyStore | undefined>;
  connected(): boolean;
  close(): Promise<void>;
}

function openKeys(o: DevProxyOptions): Keys | undefined {
  const wanted =
    (o.adminToken !== undefined && o.adminToken !== '') ||
    o.databaseUrl !== undefined ||
    o.keyDatabase !== undefined;
  if (!wanted) return undefined;
  if (o.adminToken !== undefined && typeof o.adminToken !== 'string') {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'adminToken must be a string');
  }
  if (o.databaseUrl !== undefined && o.keyDatabase !== undefined) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'Give databaseUrl or keyDatabase, not both');
  }
  let db: DevKeyDatabase | undefined;
  let store: KeyStore | undefined;
  let closing: Promise<void> | undefined;
  const owned = o.keyDatabase === undefined;
  const opening = (async () => {
    const { openKeyDatabase } = await import('./keys/db.ts');
    const { KeyStore } = await import('./keys/store.ts');
    db = o.keyDatabase ?? (await openKeyDatabase({ url: o.databaseUrl }));
    if (closing !== undefined) throw new AtiError('ERR_KEY_DATABASE', 'The dev proxy was closed');
    store = await KeyStore.open(db, o.onKeyEvent);
    return store;
  })();
  const opened = opening.then(
    () => undefined,
    async (err: unknown) => {
      if (owned) await db?.close();
      if (err instanceof AtiError) throw err;
      throw new AtiError(
        'ERR_KEY_DATABASE',
        `The key database could not be prepared: ${err instanceof Error ? err.message : String(err)}`,
      );
    },
  );
  opened.catch(() => undefined);
  return {
    opened,
    store: () => opening.catch(() => undefined),
    connected: () => store !== undefined && closing === undefined,
    close() {
      closing ??= (async () => {
        await opened.catch(() => undefined);
        store?.close();
        if (owned) await db?.close();
      })();
      return closing;
    },
  };
}
