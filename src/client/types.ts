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
  readonly name: string;
  readonly description: string;
  readonly provider: string;
  /** Rust `Debug` of the HTTP method: `"Get"`, `"Post"`, `"Put"` or `"Delete"`. */
  readonly method: string;
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
  readonly search?: string;
  readonly category?: string;
  readonly provider?: string;
  readonly tool?: string;
}

/** One entry of `GET /skills` (contract §4.2): a visible local skill. */
export interface SkillListEntry {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly tools: readonly string[];
  readonly providers: readonly string[];
  readonly categories: readonly string[];
  readonly hint: string | null;
}

/** `GET /skills/{name}` and `?refs=true` (contract §4.2). */
export interface SkillDetail {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** The SKILL.md text. */
  readonly content: string;
  /** Present only with `?refs=true` (and only when the proxy could list them). */
  readonly references?: readonly string[];
}

/** `GET /skills/{name}?meta=true` (contract §4.2): metadata, no content. */
export interface SkillMetaDetail {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly author: string | null;
  readonly tools: readonly string[];
  readonly providers: readonly string[];
  readonly categories: readonly string[];
  readonly keywords: readonly string[];
  readonly hint: string | null;
  readonly depends_on: readonly string[];
  readonly suggests: readonly string[];
  readonly license: string | null;
  readonly compatibility: string | null;
  /** Space-delimited, from frontmatter `allowed-tools:`. */
  readonly allowed_tools: string | null;
  /** `"anthropic"`, `"legacy-toml"` or `"inferred"`. */
  readonly format: string;
}

/** Body of `POST /skills/resolve` (contract §4.1). */
export interface ResolveSkillsRequest {
  readonly scopes: readonly string[];
  readonly include_content: boolean;
}

/**
 * One entry of `POST /skills/resolve` (contract §4.1). Resolved from the
 * request scopes, then filtered to what the caller's token may see.
 */
export interface ResolvedSkill {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly tools: readonly string[];
  readonly providers: readonly string[];
  readonly categories: readonly string[];
  /** Present only with `include_content: true` and a readable SKILL.md. */
  readonly content?: string;
}

/**
 * One file of a skill bundle (contract §4.1): a string when the bytes are
 * valid UTF-8 (an empty file is `""`), else `{ base64 }` with standard, padded
 * base64.
 */
export type BundleFileValue = string | { readonly base64: string };

/** Files of a bundle keyed by relative path. Paths are untrusted: validate before writing. */
export type BundleFiles = Readonly<Record<string, BundleFileValue>>;

/** `GET /skills/{name}/bundle` (contract §4.1). */
export interface SkillBundle {
  readonly name: string;
  readonly files: BundleFiles;
}

/** Body of `POST /skills/bundle` (contract §4.1). At most 50 names per request. */
export interface SkillBundleBatchRequest {
  readonly names: readonly string[];
}

/** `POST /skills/bundle` (contract §4.1). */
export interface SkillBundleBatch {
  /** Found skills keyed by name. Keys are server-provided: validate before using as paths. */
  readonly skills: Readonly<Record<string, { readonly files: BundleFiles }>>;
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
  readonly resources?: readonly string[];
}

/** `GET /skillati/catalog` (contract §4.1). */
export interface SkillatiCatalog {
  readonly skills: readonly SkillatiCatalogEntry[];
}

/** `GET /skillati/{name}` (contract §4.2): the activation payload. */
export interface SkillatiSkill {
  readonly name: string;
  readonly description: string;
  readonly skill_directory: string;
  /** SKILL.md body, frontmatter stripped, paths rewritten to `skillati://` URIs. */
  readonly content: string;
}

/** `GET /skillati/{name}/resources?prefix=` (contract §4.2). */
export interface SkillatiResources {
  readonly name: string;
  readonly prefix: string | null;
  readonly resources: readonly string[];
}

/** `GET /skillati/{name}/file?path=` (contract §4.2). */
export type SkillatiFile =
  | {
      readonly requested_skill: string;
      readonly resolved_skill: string;
      readonly path: string;
      readonly kind: 'text';
      readonly content: string;
    }
  | {
      readonly requested_skill: string;
      readonly resolved_skill: string;
      readonly path: string;
      readonly kind: 'binary';
      /** `"base64"`. */
      readonly encoding: string;
      readonly content: string;
    };

/** `GET /skillati/{name}/refs` (contract §4.2). */
export interface SkillatiRefs {
  readonly name: string;
  readonly references: readonly string[];
}

/** `GET /skillati/{name}/ref/{reference}` (contract §4.2). */
export interface SkillatiRef {
  readonly name: string;
  readonly reference: string;
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
  readonly result: JsonValue;
  readonly error?: string;
}

/** Body of `POST /help` (contract §4.2). */
export interface HelpRequest {
  readonly query: string;
  /** Scope the help to one tool. */
  readonly tool?: string;
}

/**
 * `POST /help` response (contract §4.2). LLM failures (502/500) carry
 * `{"content":"","error":…}`.
 */
export interface HelpResponse {
  readonly content: string;
  readonly error?: string;
}
