/**
 * Types of the ATI proxy's HTTP API: every JSON request body the client sends
 * and every JSON response body it accepts (contract §4, §1.6). Field names are
 * the proxy's own (snake_case), so a body can be built or read without
 * renaming. Type-only; the runtime shape checks live in `guards.ts`.
 *
 * The proxy serialises `json!`-built objects with sorted keys (contract §0,
 * §4.0); nothing here depends on key order.
 *
 * @module
 */

import type { SkillCatalogEntry } from '../skills/listing.ts';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * Body of every JSON error the proxy's handlers return, e.g.
 * `{"error":"Tool 'x' not found"}` (contract §4.1, §4.2). Middleware 401/503
 * bodies are empty and axum extractor errors are plain text (contract §4.0).
 */
export interface ProxyErrorBody {
  /** Human-readable message, e.g. `Tool 'x' not found`. */
  readonly error: string;
}

// ---------------------------------------------------------------------------
// Discovery: /health, /.well-known/jwks.json
// ---------------------------------------------------------------------------

/** `GET /health` (contract §4.2). Public, no auth. */
export interface HealthResponse {
  /** Always `"ok"`. */
  readonly status: string;
  /** Proxy version, e.g. `"0.7.10"`. */
  readonly version: string;
  /** Number of tools loaded. */
  readonly tools: number;
  /** Number of providers loaded. */
  readonly providers: number;
  /** Number of local skills loaded. */
  readonly skills: number;
  /** `"jwt"` or `"disabled"`. */
  readonly auth: string;
  /** `"disabled"` or `"connected"`. */
  readonly db: string;
}

/**
 * One key of the proxy's JWKS (contract §1.6). Non-standard: `x5c[0]` is the
 * **standard-base64 SPKI DER** of the public key (not a certificate), and there
 * is no `crv`/`x`/`y`.
 */
export interface ProxyJwk {
  /** `"ES256"`. */
  readonly alg: string;
  /** Fixed `"ati-proxy-1"`. */
  readonly kid: string;
  /** `"EC"`. */
  readonly kty: string;
  /** `"sig"`. */
  readonly use: string;
  /** One element: standard base64 (`+ / =`) of the SPKI DER. */
  readonly x5c: readonly string[];
}

/**
 * `GET /.well-known/jwks.json` (contract §1.6). 404
 * `{"error":"JWKS not configured"}` when the proxy has no ES256 key.
 */
export interface JwksResponse {
  /** The signing keys: a single entry, `kid` `ati-proxy-1`. */
  readonly keys: readonly ProxyJwk[];
}

// ---------------------------------------------------------------------------
// Tools: /tools, /tools/{name}
// ---------------------------------------------------------------------------

/** Query of `GET /tools` (contract §4.2). */
export interface ListToolsQuery {
  /** Exact provider name. */
  readonly provider?: string;
  /** Case-insensitive substring of name, description or a tag. */
  readonly search?: string;
}

/** One entry of `GET /tools` (contract §4.2); scope-filtered by the caller's token. */
export interface ToolListEntry {
  /** Tool name, e.g. `finnhub:quote`. */
  readonly name: string;
  /** Description from the provider manifest. */
  readonly description: string;
  /** Name of the provider the tool belongs to. */
  readonly provider: string;
  /** Rust `Debug` of the HTTP method: `"Get"`, `"Post"`, `"Put"` or `"Delete"`. */
  readonly method: string;
  /** Manifest tags; `[]` when none. */
  readonly tags: readonly string[];
  /** The provider manifest's skills. */
  readonly skills: readonly string[];
  /** The tool's JSON Schema, or `null` when the manifest has none. */
  readonly input_schema: JsonValue;
}

/**
 * `GET /tools/{name}` (contract §4.1). 404 `{"error":"Tool '<name>' not found"}`
 * for an unknown **or out-of-scope** tool.
 */
export interface ToolDetail extends ToolListEntry {
  /** Upstream endpoint path (may be `""`). */
  readonly endpoint: string;
  /** Short usage hint for the LLM, or `null` when the manifest has none. */
  readonly hint: string | null;
  /** The scope the tool requires, or `null` when it needs none. */
  readonly scope: string | null;
  /**
   * Manifest provider skills, then registry skills bound to the tool, then
   * registry skills bound to the provider, deduplicated in that order.
   */
  readonly skills: readonly string[];
}

// ---------------------------------------------------------------------------
// Skills: /skills, /skills/{name}, /skills/resolve, bundles
// ---------------------------------------------------------------------------

/**
 * Query of `GET /skills` (contract §4.2). The proxy applies only one filter,
 * with precedence search > category > provider > tool.
 */
export interface ListSkillsQuery {
  /** Search text; when given, the other filters are ignored. */
  readonly search?: string;
  /** Only skills bound to this category; ignored when `search` is given. */
  readonly category?: string;
  /** Only skills bound to this provider; used when neither `search` nor `category` is given. */
  readonly provider?: string;
  /** Only skills bound to this tool; used only when no other filter is given. */
  readonly tool?: string;
}

/**
 * The skill fields `GET /skills` and `POST /skills/resolve` both send, in
 * their wire order. Internal base of {@link SkillListEntry} and
 * {@link ResolvedSkill}.
 */
export interface SkillSummary {
  /** Skill name. */
  readonly name: string;
  /** Skill version string. */
  readonly version: string;
  /** One-line description. */
  readonly description: string;
  /** Tool names the skill is bound to. */
  readonly tools: readonly string[];
  /** Provider names the skill is bound to. */
  readonly providers: readonly string[];
  /** Categories the skill is bound to. */
  readonly categories: readonly string[];
}

/** One entry of `GET /skills` (contract §4.2): a visible local skill. */
export interface SkillListEntry extends SkillSummary {
  /** Short usage hint, or `null` when the skill has none. */
  readonly hint: string | null;
}

/** `GET /skills/{name}` and `?refs=true` (contract §4.2). */
export interface SkillDetail {
  /** Skill name. */
  readonly name: string;
  /** Skill version string. */
  readonly version: string;
  /** One-line description. */
  readonly description: string;
  /** The SKILL.md text. */
  readonly content: string;
  /** Present only with `?refs=true` (and only when the proxy could list them). */
  readonly references?: readonly string[];
}

/** `GET /skills/{name}?meta=true` (contract §4.2): metadata, no content. */
export interface SkillMetaDetail {
  /** Skill name. */
  readonly name: string;
  /** Skill version string. */
  readonly version: string;
  /** One-line description. */
  readonly description: string;
  /** Author, or `null` when the skill declares none. */
  readonly author: string | null;
  /** Tool names the skill is bound to. */
  readonly tools: readonly string[];
  /** Provider names the skill is bound to. */
  readonly providers: readonly string[];
  /** Categories the skill is bound to. */
  readonly categories: readonly string[];
  /** Search keywords; `[]` when none. */
  readonly keywords: readonly string[];
  /** Short usage hint, or `null` when the skill has none. */
  readonly hint: string | null;
  /** Skills loaded transitively with this one (contract §2.5). */
  readonly depends_on: readonly string[];
  /** Related skills worth loading too; not loaded automatically. */
  readonly suggests: readonly string[];
  /** License, or `null` when the skill declares none. */
  readonly license: string | null;
  /** Compatibility note, or `null` when the skill declares none. */
  readonly compatibility: string | null;
  /** Space-delimited, from frontmatter `allowed-tools:`. */
  readonly allowed_tools: string | null;
  /** `"anthropic"`, `"legacy-toml"` or `"inferred"`. */
  readonly format: string;
}

/** Body of `POST /skills/resolve` (contract §4.1). */
export interface ResolveSkillsRequest {
  /** Scopes to resolve skills from (not the token's); `["*"]` resolves nothing (contract §2.5). */
  readonly scopes: readonly string[];
  /** Whether each entry should carry its SKILL.md text in `content`. */
  readonly include_content: boolean;
}

/**
 * One entry of `POST /skills/resolve` (contract §4.1). Resolved from the
 * request scopes, then filtered to what the caller's token may see.
 */
export interface ResolvedSkill extends SkillSummary {
  /** Present only with `include_content: true` and a readable SKILL.md. */
  readonly content?: string;
}

/**
 * One file of a skill bundle (contract §4.1): a string when the bytes are
 * valid UTF-8 (an empty file is `""`), else `{ base64 }` with standard, padded
 * base64.
 */
export type BundleFileValue =
  | string
  | {
      /** The file's bytes, standard padded base64. */
      readonly base64: string;
    };

/** Files of a bundle keyed by relative path. Paths are untrusted: validate before writing. */
export type BundleFiles = Readonly<Record<string, BundleFileValue>>;

/** `GET /skills/{name}/bundle` (contract §4.1). */
export interface SkillBundle {
  /** Skill name, as requested. */
  readonly name: string;
  /** Every file of the skill directory, sorted by path; `{}` when it has none. */
  readonly files: BundleFiles;
}

/** Body of `POST /skills/bundle` (contract §4.1). At most 50 names per request. */
export interface SkillBundleBatchRequest {
  /** Skill names to bundle; more than 50 is a 400. */
  readonly names: readonly string[];
}

/** `POST /skills/bundle` (contract §4.1). */
export interface SkillBundleBatch {
  /** Found skills keyed by name. Keys are server-provided: validate before using as paths. */
  readonly skills: Readonly<
    Record<
      string,
      {
        /** The skill's files by relative path. */
        readonly files: BundleFiles;
      }
    >
  >;
  /** Names not visible or not found, in request order, duplicates kept. */
  readonly missing: readonly string[];
}

// ---------------------------------------------------------------------------
// SkillATI: /skillati/*
// ---------------------------------------------------------------------------

/**
 * One entry of `GET /skillati/catalog` (contract §4.1). Optional members are
 * omitted by the proxy when empty; `resources` appears when the registry
 * catalog lists them.
 */
export interface SkillatiCatalogEntry extends SkillCatalogEntry {
  /** Relative paths of the skill's resource files; absent when the catalog lists none. */
  readonly resources?: readonly string[];
}

/** `GET /skillati/catalog` (contract §4.1). */
export interface SkillatiCatalog {
  /** Visible entries: catalog order without `?search=`, else best score first, at most 25. */
  readonly skills: readonly SkillatiCatalogEntry[];
}

/** `GET /skillati/{name}` (contract §4.2): the activation payload. */
export interface SkillatiSkill {
  /** Skill name. */
  readonly name: string;
  /** One-line description. */
  readonly description: string;
  /** `skillati://<name>`: the base URI the rewritten paths in `content` point into. */
  readonly skill_directory: string;
  /** SKILL.md body, frontmatter stripped, paths rewritten to `skillati://` URIs. */
  readonly content: string;
}

/** `GET /skillati/{name}/resources?prefix=` (contract §4.2). */
export interface SkillatiResources {
  /** Skill name. */
  readonly name: string;
  /** The `prefix` query as sent, or `null` when none was sent (then every resource is listed). */
  readonly prefix: string | null;
  /** Relative paths of the skill's resource files under `prefix`. */
  readonly resources: readonly string[];
}

/** `GET /skillati/{name}/file?path=` (contract §4.2). */
export type SkillatiFile =
  | {
      /** The skill named in the URL. */
      readonly requested_skill: string;
      /** The skill the file was read from; a sibling when `path` starts with `../<sibling>/`. */
      readonly resolved_skill: string;
      /** The file's normalised path within `resolved_skill`. */
      readonly path: string;
      /** `content` is the file's UTF-8 text. */
      readonly kind: 'text';
      /** The file's text. */
      readonly content: string;
    }
  | {
      /** The skill named in the URL. */
      readonly requested_skill: string;
      /** The skill the file was read from; a sibling when `path` starts with `../<sibling>/`. */
      readonly resolved_skill: string;
      /** The file's normalised path within `resolved_skill`. */
      readonly path: string;
      /** The file is not valid UTF-8; `content` holds its bytes. */
      readonly kind: 'binary';
      /** `"base64"`. */
      readonly encoding: string;
      /** The file's bytes as standard base64. */
      readonly content: string;
    };

/** `GET /skillati/{name}/refs` (contract §4.2). */
export interface SkillatiRefs {
  /** Skill name. */
  readonly name: string;
  /** Names of the files under the skill's `references/` directory. */
  readonly references: readonly string[];
}

/** `GET /skillati/{name}/ref/{reference}` (contract §4.2). */
export interface SkillatiRef {
  /** Skill name. */
  readonly name: string;
  /** Reference name, as requested (a path under `references/`). */
  readonly reference: string;
  /** The reference file's text. */
  readonly content: string;
}

// ---------------------------------------------------------------------------
// Execution: /call, /help
// ---------------------------------------------------------------------------

/**
 * Tool arguments for `POST /call` (contract §4.2): an object for HTTP/MCP/
 * OpenAPI tools, an array of strings or one whitespace-split string for CLI
 * tools.
 */
export type CallArgs = JsonObject | readonly JsonValue[] | string;

/** Body of `POST /call` (contract §4.2). */
export interface CallRequest {
  /** Tool to call; a `_` may stand for `:` (each split tried left to right, contract §4.2). */
  readonly tool_name: string;
  /** Defaults to `{}` on the proxy. */
  readonly args?: CallArgs;
  /** Deprecated upstream; when present it wins for CLI tools. */
  readonly raw_args?: readonly string[];
}

/**
 * `POST /call` response (contract §4.2). On success `error` is omitted; on
 * 422 it is `{"result":null,"error":"Invalid request: …"}`.
 */
export interface CallResponse {
  /** The tool's JSON result (`{"records":[]}` for an empty upstream answer), or `null` on 422. */
  readonly result: JsonValue;
  /** Error message; absent on success. */
  readonly error?: string;
}

/** Body of `POST /help` (contract §4.2). */
export interface HelpRequest {
  /** The question to answer. */
  readonly query: string;
  /** Scope the help to one tool. */
  readonly tool?: string;
}

/**
 * `POST /help` response (contract §4.2). LLM failures (502/500) carry
 * `{"content":"","error":…}`.
 */
export interface HelpResponse {
  /** The answer text; `""` when `error` is set. */
  readonly content: string;
  /** LLM failure message; absent on success. */
  readonly error?: string;
}

/**
 * A virtual key as the admin API sends it (contract §9, the proxy's
 * `ati_key_to_json`). The SDK hands out `VirtualKeyInfo` instead (camel case,
 * `Date`s); this is the wire form both packages check and write. Not
 * exported by the package's public entry.
 */
export interface AdminKeyWire {
  readonly token_hash: string;
  readonly key_alias: string;
  readonly user_id: string;
  readonly blocked: boolean;
  /** RFC 3339, or `null` for never. */
  readonly expires_at: string | null;
  readonly tools: readonly string[];
  readonly providers: readonly string[];
  readonly categories: readonly string[];
  readonly skills: readonly string[];
  readonly request_count: number;
  readonly error_count: number;
  /** RFC 3339, or `null`. */
  readonly last_used_at: string | null;
  readonly metadata: JsonValue;
  /** RFC 3339. */
  readonly created_at: string;
  readonly created_by: string | null;
}
