/**
 * Options and fixture types of the dev proxy (`ati-client/testing`).
 *
 * @module
 */

import type {
  Clock,
  Jwk,
  JwkLike,
  SandboxSignatureVerdict,
  ScopeSet,
  TokenClaims,
} from 'ati-client/internal';
import type { DevKeyDatabase } from './keys/db.ts';
import type { Json } from './serde-json.ts';

/** HTTP method of a tool, as the proxy reports it (`format!("{:?}", method)`). */
export type DevToolMethod = 'Get' | 'Post' | 'Put' | 'Delete';

/** What a fixture tool's handler receives besides the arguments. */
export interface DevCallContext {
  /** The resolved tool name (after underscore → colon resolution). */
  readonly toolName: string;
  /** The tool name exactly as the request sent it. */
  readonly requestedName: string;
  /** Validated claims, or `undefined` in unauthenticated dev mode. */
  readonly claims: TokenClaims | undefined;
  /** The caller's scopes (`*` in dev mode). */
  readonly scopes: ScopeSet;
  /** `raw_args` from the request body, when sent (deprecated upstream). */
  readonly rawArgs: readonly string[] | undefined;
  /** `'call'` for `POST /call`, `'mcp'` for `tools/call` over `POST /mcp`. */
  readonly via: 'call' | 'mcp';
}

/**
 * A fixture tool, the dev proxy's stand-in for one `[[tools]]` entry of a
 * provider manifest.
 *
 * @example
 * ```ts
 * const quote: DevTool = {
 *   name: 'finnhub:quote', provider: 'finnhub', description: 'Real-time quote',
 *   scope: 'tool:finnhub:quote', handler: (args) => ({ symbol: args.symbol, price: 1 }),
 * };
 * ```
 */
export interface DevTool {
  /** Tool name, e.g. `finnhub:quote` or `web_search`. Unique. */
  name: string;
  /** Provider name; providers are created from the tools that name them. */
  provider: string;
  /** What the tool does, reported by `GET /tools` and matched by `?search=`. */
  description: string;
  /** Scope the tool requires (`tool:finnhub:quote`). Absent: always visible and callable. */
  scope?: string | undefined;
  /** HTTP method reported as the tool's `method`. @default 'Get' */
  method?: DevToolMethod | undefined;
  /** Upstream endpoint path, reported by `GET /tools/{name}`. @default '' */
  endpoint?: string | undefined;
  /** Short hint for the LLM. @default null on the wire */
  hint?: string | undefined;
  /** Tags, reported by `GET /tools` and matched by `?search=`. @default [] */
  tags?: readonly string[] | undefined;
  /** JSON Schema of the arguments. @default null on the wire */
  inputSchema?: Json | undefined;
  /**
   * Skills named by the provider manifest. The proxy reports a provider's
   * list on every tool of that provider, so lists are merged per provider.
   * @default []
   */
  skills?: readonly string[] | undefined;
  /**
   * Produces the call result. Receives `args` exactly as sent (default `{}`).
   * Returning `undefined` gives `{"records":[]}` (the proxy's empty-upstream
   * answer); throwing gives 502 `Upstream API error: <message>`.
   * @default echo of `args`
   */
  handler?: ((args: Json, ctx: DevCallContext) => unknown) | undefined;
}

/** Optional provider metadata (category bindings, manifest skills, `internal`). */
export interface DevProvider {
  /** Provider name, as tools' `provider` gives it. */
  name: string;
  /** Provider description (manifest `description`); accepted, not served by any route. */
  description?: string | undefined;
  /** Provider category; skills bound to it become visible with the provider's tools (contract §2.5). */
  category?: string | undefined;
  /** Manifest `skills`, reported on every tool of the provider. @default [] */
  skills?: readonly string[] | undefined;
  /** Internal providers' tools are callable but never listed. @default false */
  internal?: boolean | undefined;
}

/**
 * A local skill, as the proxy's skill registry holds it: `skill.toml` and
 * SKILL.md frontmatter fields, the SKILL.md text and the other files of the
 * skill directory.
 *
 * @example
 * ```ts
 * const skill: DevSkill = {
 *   name: 'market-research', description: 'How to research a ticker',
 *   content: '# Market research\n', tools: ['finnhub:quote'],
 *   files: { 'assets/logo.png': new Uint8Array([0x89, 0x50]) },
 * };
 * ```
 */
export interface DevSkill {
  /** Skill name. Unique. */
  name: string;
  /** One-line description. */
  description: string;
  /** Skill version string. @default '0.1.0' */
  version?: string | undefined;
  /** SKILL.md text as stored (frontmatter included); `/skills/{name}` serves it without frontmatter. */
  content: string;
  /** Tool names this skill covers (exact names). */
  tools?: readonly string[] | undefined;
  /** Provider names this skill is bound to. @default [] */
  providers?: readonly string[] | undefined;
  /** Provider categories this skill is bound to. @default [] */
  categories?: readonly string[] | undefined;
  /** Skills loaded transitively with this one. */
  dependsOn?: readonly string[] | undefined;
  /** Related skills, reported by `?meta=true`; not loaded automatically. @default [] */
  suggests?: readonly string[] | undefined;
  /** Search keywords, reported by `?meta=true`. @default [] */
  keywords?: readonly string[] | undefined;
  /** Short hint for the LLM. @default null on the wire */
  hint?: string | undefined;
  /** Frontmatter `when_to_use`; accepted, not reported by any `/skills*` route. */
  whenToUse?: string | undefined;
  /** Author, reported by `?meta=true`. @default null on the wire */
  author?: string | undefined;
  /** License, reported by `?meta=true`. @default null on the wire */
  license?: string | undefined;
  /** Compatibility note, reported by `?meta=true`. @default null on the wire */
  compatibility?: string | undefined;
  /** Frontmatter `allowed-tools` (space-delimited). */
  allowedTools?: string | undefined;
  /** How the metadata was sourced. @default 'inferred' */
  format?: 'anthropic' | 'legacy-toml' | 'inferred' | undefined;
  /**
   * Other files of the skill directory by relative `/`-separated path
   * (`skill.toml`, `references/x.md`, `assets/logo.png`). Text is served as a
   * string; bytes that are not valid UTF-8 as `{"base64": …}`. `SKILL.md`
   * here, if given, overrides `content` in bundles.
   */
  files?: Readonly<Record<string, string | Uint8Array>> | undefined;
}

/**
 * One entry of the remote SkillATI catalog (`/skillati/*`).
 *
 * @example
 * ```ts
 * const entry: DevCatalogEntry = { name: 'sec-filings', description: 'Read 10-K filings', providers: ['finnhub'] };
 * ```
 */
export interface DevCatalogEntry {
  /** Skill name. */
  name: string;
  /** One-line description. */
  description: string;
  /** Served as the catalog's `when_to_use`; omitted there when absent. */
  whenToUse?: string | undefined;
  /** Search keywords; omitted from the catalog when empty. @default [] */
  keywords?: readonly string[] | undefined;
  /** Tools the skill is bound to; grants visibility (contract §2.5). @default [] */
  tools?: readonly string[] | undefined;
  /** Providers the skill is bound to; grants visibility (contract §2.5). @default [] */
  providers?: readonly string[] | undefined;
  /** Categories the skill is bound to; grants visibility (contract §2.5). @default [] */
  categories?: readonly string[] | undefined;
  /**
   * SKILL.md text served by `GET /skillati/{name}` (frontmatter stripped,
   * `${ATI_SKILL_DIR}` rewritten).
   * @default a frontmatter + heading + description document
   */
  content?: string | undefined;
  /** Other files, for `/skillati/{name}/resources|file|refs|ref`. */
  files?: Readonly<Record<string, string | Uint8Array>> | undefined;
}

/** Request of a fixture `/help` answer. */
export interface DevHelpRequest {
  /** The `query` of the `POST /help` body. */
  readonly query: string;
  /** The body's `tool`, or `undefined` when not sent. */
  readonly tool: string | undefined;
}

/** Context of a fixture `/help` answer. */
export interface DevHelpContext {
  /** Validated claims, or `undefined` in unauthenticated dev mode. */
  readonly claims: TokenClaims | undefined;
  /** The caller's scopes (`*` in dev mode). */
  readonly scopes: ScopeSet;
  /** Names of the tools visible to the caller. */
  readonly visibleTools: readonly string[];
}

/**
 * Options of {@link createDevProxy}. Give at most one of `secret` and
 * `publicKey`; with neither, the proxy runs unauthenticated (its dev mode).
 */
export interface DevProxyOptions {
  /** HS256 secret (strict hex, ≥ 32 bytes), the proxy's `ATI_JWT_SECRET`. */
  secret?: string | undefined;
  /** ES256 public key (SPKI PEM or public JWK), the proxy's `ATI_JWT_PUBLIC_KEY`. Enables `/.well-known/jwks.json`. */
  publicKey?: string | JwkLike | Jwk | undefined;
  /** Required `aud`. @default 'ati-proxy' */
  audience?: string | undefined;
  /** Required `iss` when a token carries one (tokens without `iss` pass, like the proxy). */
  issuer?: string | undefined;
  /** Fixture tools; providers are created from them. @default [] */
  tools?: readonly DevTool[] | undefined;
  /** Provider metadata; providers named only by tools get defaults. @default [] */
  providers?: readonly DevProvider[] | undefined;
  /** Local skills served by `/skills*`. @default [] */
  skills?: readonly DevSkill[] | undefined;
  /**
   * The SkillATI catalog. `undefined`: SkillATI not configured, every
   * `/skillati/*` route answers 503 as the proxy does without `ATI_SKILL_REGISTRY`.
   */
  catalog?: readonly DevCatalogEntry[] | undefined;
  /** An ATI skills directory loaded with `loadSkillsDir`, added after `skills` (names in `skills` win). */
  skillsDir?: string | undefined;
  /** Clock, epoch seconds (floored): a fixed number or a function read at each use. @default the system clock */
  now?: Clock | undefined;
  /** Version in `/health` and the MCP `serverInfo`. @default '0.7.10' */
  version?: string | undefined;
  /** Largest request body read, in bytes (the proxy's is ~1.4 GB). @default 8388608 (8 MiB) */
  maxBodyBytes?: number | undefined;
  /**
   * `/help` answers. `false`: no LLM configured (503, like a proxy without `_llm.toml`).
   * @default a deterministic answer naming the query and the visible tools
   */
  help?: false | ((request: DevHelpRequest, ctx: DevHelpContext) => string | Promise<string>) | undefined;
  /** Check sandbox request signatures, as the proxy does with `--sig-verify-mode`. @default not checked */
  signatures?: DevSignatureOptions | undefined;
  /**
   * The proxy's `ATI_ADMIN_TOKEN`: enables `/admin/keys*` (virtual keys,
   * contract §9) behind `Authorization: Bearer <adminToken>`. Unset or `''`:
   * those routes answer 503. Setting it opens a key database (an in-memory
   * PGlite unless `databaseUrl` or `keyDatabase` is given).
   */
  adminToken?: string | undefined;
  /**
   * The proxy's `ATI_DB_URL`: keep virtual keys on this Postgres server
   * (`pg` driver; tables created if absent). Dev proxies on one server behave
   * as proxy pods: a revocation through one reaches the others by
   * LISTEN/NOTIFY. Enables `Ati-Key` auth even without `adminToken`.
   * @default an in-memory PGlite database when `adminToken` is set
   */
  databaseUrl?: string | undefined;
  /**
   * A database from {@link openKeyDatabase}, shared with other dev proxies
   * (e.g. one PGlite for two "pods"). Not closed by the dev proxy.
   */
  keyDatabase?: DevKeyDatabase | undefined;
  /**
   * Called by this proxy's revocation listener: `revoked` when a NOTIFY
   * dropped a key hash from its cache, `reconnected` when the listening
   * connection came back after a loss (the whole cache is dropped then).
   */
  onKeyEvent?: ((event: DevKeyEvent) => void) | undefined;
}

/** What the dev proxy's revocation listener saw (see `onKeyEvent`). */
export type DevKeyEvent = DevKeyRevokedEvent | DevKeyReconnectedEvent;

/** A revocation's NOTIFY reached this dev proxy: the key is refused from now on. */
export interface DevKeyRevokedEvent {
  /** The event kind. */
  type: 'revoked';
  /** The revoked key's hash (SHA-256 hex of the raw key). */
  hash: string;
}

/** The LISTEN connection was re-established (the lookup cache was dropped). */
export interface DevKeyReconnectedEvent {
  /** The event kind. */
  type: 'reconnected';
}

/** How the dev proxy checks `X-Sandbox-Signature` (the proxy's `--sig-verify-mode` and friends, contract §7). */
export interface DevSignatureOptions {
  /**
   * `log`: pass every request (the verdict goes to `onVerdict` only);
   * `warn`: pass, and answer with `X-Signature-Status: <verdict>`;
   * `enforce`: answer 403 with the verdict as the plain body unless valid.
   * @default 'log'
   */
  mode?: 'log' | 'warn' | 'enforce' | undefined;
  /**
   * The shared secret (keyring entry `sandbox_signing_shared_secret`; a
   * string is hex-decoded when valid hex, else UTF-8). Required for `enforce`,
   * as the proxy refuses to start without it.
   */
  secret?: string | Uint8Array | undefined;
  /** Largest accepted |now − t|, in seconds (`--sig-drift-seconds`). @default 60 */
  driftSeconds?: number | undefined;
  /**
   * Paths that skip the check (`--sig-exempt-paths`, replacing the defaults):
   * globs where `*` (and `**`) match any run of characters, `/` included, and
   * `?` one character. @default the proxy's: `/healthz`, `/health`, `/root/*`,
   * `/root/**`, `/npm/*`, `/npm/**`, `/otel/*`, `/otel/**`, `/.well-known/jwks.json`
   */
  exemptPaths?: readonly string[] | undefined;
  /** Called with every verdict on a non-exempt request (the proxy's `sig_verify` log line). */
  onVerdict?: ((event: DevSignatureEvent) => void) | undefined;
}

/** One verdict of the dev proxy's signature check. */
export interface DevSignatureEvent {
  /** What the check decided (the proxy's `sig_verify` outcome). */
  verdict: SandboxSignatureVerdict;
  /** The request's HTTP method. */
  method: string;
  /** The request's path (what the signature covers). */
  path: string;
  /** `X-Sandbox-Job-Id`, or `'none'`. */
  jobId: string;
}

/** The dev proxy: a Web fetch handler holding the whole app. */
export interface DevProxy {
  /**
   * Answer one request, as the proxy would. Never throws: unexpected
   * failures become a 500.
   */
  fetch(request: Request): Promise<Response>;
  /** Resolves once `skillsDir` (if any) is loaded; rejects with its load error. */
  readonly ready: Promise<void>;
  /** Forget every rate-limit window (state is per dev proxy, keyed by pattern, shared by tokens as in the proxy). */
  resetRateLimits(): void;
  /** Stop the key store's listener and close the key database it opened (not a shared `keyDatabase`). */
  close(): Promise<void>;
}

/** Options of {@link startDevProxy}. */
export interface StartDevProxyOptions extends DevProxyOptions {
  /** Port to listen on. @default 0 (any free port) */
  port?: number | undefined;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string | undefined;
}

/** A running dev proxy. */
export interface RunningDevProxy {
  /** `http://<host>:<port>` */
  readonly url: string;
  /** The port actually bound (the chosen one when `port` was 0). */
  readonly port: number;
  /** Stop listening, destroy open (keep-alive) connections and close the key store. */
  close(): Promise<void>;
  /** The underlying dev proxy, e.g. for `resetRateLimits()`. */
  readonly handler: DevProxy;
}
