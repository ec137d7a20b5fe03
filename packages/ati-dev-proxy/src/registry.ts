/**
 * The dev proxy's registries (tools, providers, local skills, SkillATI
 * catalog) and the proxy's visibility rules over them: `filter_tools_by_scope`
 * (contract §2.2), skill resolution and visibility (§2.5), skill search
 * scoring, and the SkillATI catalog filter (§4.1).
 *
 * Pure; no I/O.
 *
 * @module
 */

import type { ScopeSet } from 'ati-client/internal';
import { AtiError, RUST_WHITESPACE, rustTrim } from 'ati-client/internal';
import { compareCodePoints } from './json-out.ts';
import type { Json } from './serde-json.ts';
import type {
  DevCallContext,
  DevCatalogEntry,
  DevProvider,
  DevSkill,
  DevTool,
  DevToolMethod,
} from './types.ts';

/** A provider as the registry holds it. */
export interface ProviderRec {
  readonly name: string;
  readonly category: string | undefined;
  readonly skills: string[];
  readonly internal: boolean;
}

/** A tool as the registry holds it. */
export interface ToolRec {
  readonly name: string;
  readonly description: string;
  readonly provider: ProviderRec;
  readonly scope: string | undefined;
  readonly method: DevToolMethod;
  readonly endpoint: string;
  readonly hint: string | undefined;
  readonly tags: readonly string[];
  readonly inputSchema: Json | undefined;
  readonly handler: ((args: Json, ctx: DevCallContext) => unknown) | undefined;
}

/** A local skill as the registry holds it. */
export interface SkillRec {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly author: string | undefined;
  readonly tools: readonly string[];
  readonly providers: readonly string[];
  readonly categories: readonly string[];
  readonly keywords: readonly string[];
  readonly hint: string | undefined;
  readonly dependsOn: readonly string[];
  readonly suggests: readonly string[];
  readonly license: string | undefined;
  readonly compatibility: string | undefined;
  readonly allowedTools: string | undefined;
  readonly format: string;
  /** SKILL.md as stored. */
  readonly content: string;
  /** Every bundle file by relative path, SKILL.md included. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** A SkillATI catalog entry as the registry holds it. */
export interface CatalogRec {
  readonly name: string;
  readonly description: string;
  readonly whenToUse: string | undefined;
  readonly keywords: readonly string[];
  readonly tools: readonly string[];
  readonly providers: readonly string[];
  readonly categories: readonly string[];
  /** Every file by relative path, SKILL.md included. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

const ENC = new TextEncoder();

function bad(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

function strings(value: readonly string[] | undefined, what: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw bad(`${what} must be an array of strings`);
  return Object.freeze([...value]);
}

function optString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${what} must be a string`);
  return value;
}

function fileMap(
  files: Readonly<Record<string, string | Uint8Array>> | undefined,
  what: string,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (files === undefined) return out;
  for (const [path, data] of Object.entries(files)) {
    if (typeof data === 'string') out.set(path, ENC.encode(data));
    else if (data instanceof Uint8Array) out.set(path, data.slice());
    else throw bad(`${what} file ${JSON.stringify(path)} must be a string or a Uint8Array`);
  }
  return out;
}

/** Everything the dev proxy serves. Built once; immutable afterwards. */
export class Registry {
  readonly tools: ToolRec[] = [];
  readonly toolIndex = new Map<string, ToolRec>();
  readonly providers: ProviderRec[] = [];
  readonly providerIndex = new Map<string, ProviderRec>();
  readonly skills: SkillRec[] = [];
  readonly skillIndex = new Map<string, SkillRec>();
  readonly catalog: CatalogRec[] | undefined;

  constructor(
    tools: readonly DevTool[],
    providers: readonly DevProvider[],
    skills: readonly DevSkill[],
    catalog: readonly DevCatalogEntry[] | undefined,
  ) {
    for (const p of providers) this.provider(p.name, p);
    for (const t of tools) this.addTool(t);
    for (const s of skills) this.addSkill(s);
    if (catalog === undefined) this.catalog = undefined;
    else {
      const seen = new Set<string>();
      const recs = catalog.map((e) => {
        if (typeof e?.name !== 'string' || e.name === '')
          throw bad('catalog entry name must be a non-empty string');
        if (seen.has(e.name)) throw bad(`duplicate catalog entry ${JSON.stringify(e.name)}`);
        seen.add(e.name);
        const files = fileMap(e.files, `catalog entry ${JSON.stringify(e.name)}`);
        if (!files.has('SKILL.md')) {
          const content =
            e.content ??
            `---\nname: ${e.name}\ndescription: ${JSON.stringify(e.description)}\n---\n# ${e.name}\n\n${e.description}\n`;
          files.set('SKILL.md', ENC.encode(content));
        }
        return {
          name: e.name,
          description: optString(e.description, 'catalog description') ?? '',
          whenToUse: optString(e.whenToUse, 'catalog whenToUse'),
          keywords: strings(e.keywords, 'catalog keywords'),
          tools: strings(e.tools, 'catalog tools'),
          providers: strings(e.providers, 'catalog providers'),
          categories: strings(e.categories, 'catalog categories'),
          files,
        };
      });
      // A GCS catalog index is served sorted by lower-cased name (stable), as upstream sorts it.
      recs.sort((a, b) => compareCodePoints(a.name.toLowerCase(), b.name.toLowerCase()));
      this.catalog = recs;
    }
  }

  private provider(name: string, meta?: DevProvider): ProviderRec {
    if (typeof name !== 'string' || name === '') throw bad('provider name must be a non-empty string');
    const existing = this.providerIndex.get(name);
    if (existing !== undefined) {
      if (meta !== undefined) throw bad(`duplicate provider ${JSON.stringify(name)}`);
      return existing;
    }
    const rec: ProviderRec = {
      name,
      category: optString(meta?.category, 'provider category'),
      skills: [...strings(meta?.skills, 'provider skills')],
      internal: meta?.internal === true,
    };
    this.providers.push(rec);
    this.providerIndex.set(name, rec);
    return rec;
  }

  private addTool(t: DevTool): void {
    if (typeof t?.name !== 'string' || t.name === '') throw bad('tool name must be a non-empty string');
    if (this.toolIndex.has(t.name)) throw bad(`duplicate tool ${JSON.stringify(t.name)}`);
    const provider = this.provider(t.provider);
    for (const s of strings(t.skills, 'tool skills'))
      if (!provider.skills.includes(s)) provider.skills.push(s);
    const method = t.method ?? 'Get';
    if (!['Get', 'Post', 'Put', 'Delete'].includes(method)) throw bad(`tool ${t.name}: invalid method`);
    if (t.handler !== undefined && typeof t.handler !== 'function')
      throw bad(`tool ${t.name}: handler must be a function`);
    const rec: ToolRec = {
      name: t.name,
      description: optString(t.description, 'tool description') ?? '',
      provider,
      scope: optString(t.scope, 'tool scope'),
      method,
      endpoint: optString(t.endpoint, 'tool endpoint') ?? '',
      hint: optString(t.hint, 'tool hint'),
      tags: strings(t.tags, 'tool tags'),
      inputSchema: t.inputSchema,
      handler: t.handler,
    };
    this.tools.push(rec);
    this.toolIndex.set(rec.name, rec);
  }

  private addSkill(s: DevSkill): void {
    if (typeof s?.name !== 'string' || s.name === '') throw bad('skill name must be a non-empty string');
    if (this.skillIndex.has(s.name)) return; // the first definition wins (explicit skills before skillsDir)
    if (typeof s.content !== 'string') throw bad(`skill ${s.name}: content must be a string`);
    const files = fileMap(s.files, `skill ${JSON.stringify(s.name)}`);
    if (!files.has('SKILL.md')) files.set('SKILL.md', ENC.encode(s.content));
    const rec: SkillRec = {
      name: s.name,
      version: optString(s.version, 'skill version') ?? '0.1.0',
      description: optString(s.description, 'skill description') ?? '',
      author: optString(s.author, 'skill author'),
      tools: strings(s.tools, 'skill tools'),
      providers: strings(s.providers, 'skill providers'),
      categories: strings(s.categories, 'skill categories'),
      keywords: strings(s.keywords, 'skill keywords'),
      hint: optString(s.hint, 'skill hint'),
      dependsOn: strings(s.dependsOn, 'skill dependsOn'),
      suggests: strings(s.suggests, 'skill suggests'),
      license: optString(s.license, 'skill license'),
      compatibility: optString(s.compatibility, 'skill compatibility'),
      allowedTools: optString(s.allowedTools, 'skill allowedTools'),
      format: s.format ?? 'inferred',
      content: s.content,
      files,
    };
    this.skills.push(rec);
    this.skillIndex.set(rec.name, rec);
  }

  /** Non-internal tools, in registration order (`list_public_tools`). */
  publicTools(): ToolRec[] {
    return this.tools.filter((t) => !t.provider.internal);
  }

  /** The proxy's `filter_tools_by_scope`: wildcard short-circuits; scope-less tools always pass. */
  visibleTools(scopes: ScopeSet): ToolRec[] {
    const tools = this.publicTools();
    if (scopes.isWildcard()) return tools;
    return tools.filter((t) => t.scope === undefined || scopes.isAllowed(t.scope));
  }

  skillsForTool(name: string): SkillRec[] {
    return this.skills.filter((s) => s.tools.includes(name));
  }

  skillsForProvider(name: string): SkillRec[] {
    return this.skills.filter((s) => s.providers.includes(name));
  }

  skillsForCategory(name: string): SkillRec[] {
    return this.skills.filter((s) => s.categories.includes(name));
  }

  /**
   * `resolve_skills` (contract §2.5): `skill:X` exact; `tool:Y` exact → skills
   * bound to Y, Y's provider and its category; then every allowed tool's
   * bindings (skipped for `*`); then `depends_on`, transitively.
   */
  resolveSkills(scopes: ScopeSet): SkillRec[] {
    const out: SkillRec[] = [];
    const seen = new Set<SkillRec>();
    const add = (list: readonly SkillRec[]): void => {
      for (const s of list) {
        if (!seen.has(s)) {
          seen.add(s);
          out.push(s);
        }
      }
    };
    const addToolBindings = (tool: ToolRec): void => {
      add(this.skillsForProvider(tool.provider.name));
      if (tool.provider.category !== undefined) add(this.skillsForCategory(tool.provider.category));
    };
    for (const scope of scopes.scopes) {
      if (scope.startsWith('skill:')) {
        const s = this.skillIndex.get(scope.slice(6));
        if (s !== undefined) add([s]);
      }
      if (scope.startsWith('tool:')) {
        const name = scope.slice(5);
        add(this.skillsForTool(name));
        const tool = this.toolIndex.get(name);
        if (tool !== undefined) addToolBindings(tool);
      }
    }
    if (!scopes.isWildcard()) {
      for (const tool of this.visibleTools(scopes)) {
        add(this.skillsForTool(tool.name));
        addToolBindings(tool);
      }
    }
    for (let i = 0; i < out.length; i++) {
      for (const dep of out[i]!.dependsOn) {
        const s = this.skillIndex.get(dep);
        if (s !== undefined) add([s]);
      }
    }
    return out;
  }

  /** `visible_skills`: everything for `*`, else the resolution. */
  visibleSkillNames(scopes: ScopeSet): Set<string> {
    if (scopes.isWildcard()) return new Set(this.skills.map((s) => s.name));
    return new Set(this.resolveSkills(scopes).map((s) => s.name));
  }

  /** `visible_remote_skill_names`: catalog entries the caller may see. */
  visibleRemoteNames(scopes: ScopeSet): Set<string> {
    const out = new Set<string>();
    const catalog = this.catalog ?? [];
    if (catalog.length === 0) return out;
    if (scopes.isWildcard()) {
      for (const e of catalog) out.add(e.name);
      return out;
    }
    const allowed = this.visibleTools(scopes);
    const toolNames = new Set(allowed.map((t) => t.name));
    const providerNames = new Set(allowed.map((t) => t.provider.name));
    const categories = new Set<string>();
    for (const p of this.providers)
      if (providerNames.has(p.name) && p.category !== undefined) categories.add(p.category);
    for (const scope of scopes.scopes) {
      if (scope.startsWith('skill:')) {
        const name = scope.slice(6);
        if (catalog.some((e) => e.name === name)) out.add(name);
      }
    }
    for (const e of catalog) {
      if (
        e.tools.some((t) => toolNames.has(t)) ||
        e.providers.some((p) => providerNames.has(p)) ||
        e.categories.some((c) => categories.has(c))
      ) {
        out.add(e.name);
      }
    }
    return out;
  }

  /** `SkillRegistry::search`: weighted substring hits per whitespace term, score desc (stable). */
  searchSkills(query: string): SkillRec[] {
    const terms = rustLower(query)
      .split(RUST_WHITESPACE)
      .filter((t) => t !== '');
    const scored: [number, SkillRec][] = [];
    for (const s of this.skills) {
      let score = 0;
      const name = rustLower(s.name);
      const desc = rustLower(s.description);
      const hint = s.hint === undefined ? undefined : rustLower(s.hint);
      for (const term of terms) {
        if (name.includes(term)) score += 10;
        if (desc.includes(term)) score += 5;
        if (s.keywords.some((k) => rustLower(k).includes(term))) score += 8;
        if (s.tools.some((t) => rustLower(t).includes(term))) score += 6;
        if (hint?.includes(term)) score += 4;
        if (s.providers.some((p) => rustLower(p).includes(term))) score += 6;
        if (s.categories.some((c) => rustLower(c).includes(term))) score += 4;
      }
      if (score > 0) scored.push([score, s]);
    }
    scored.sort((a, b) => b[0] - a[0]);
    return scored.map(([, s]) => s);
  }
}

/** Rust `str::to_lowercase` (Unicode, locale-independent, final sigma aware), as JS's. */
export function rustLower(s: string): string {
  return s.toLowerCase();
}

function haystack(e: CatalogRec): string {
  const parts = [rustLower(e.name), rustLower(e.description)];
  if (e.keywords.length > 0) parts.push(rustLower(e.keywords.join(' ')));
  if (e.tools.length > 0) parts.push(rustLower(e.tools.join(' ')));
  if (e.providers.length > 0) parts.push(rustLower(e.providers.join(' ')));
  if (e.categories.length > 0) parts.push(rustLower(e.categories.join(' ')));
  return parts.join(' ');
}

/**
 * `SkillAtiClient::filter_catalog` (contract §4.1): trimmed, lower-cased
 * query; empty → the first `limit` entries; else entries scored by how many
 * whitespace terms occur in the haystack (name, description, keywords, tools,
 * providers, categories), kept when the score is positive or the whole query
 * occurs, sorted by score desc then lower-cased name, at most `limit`.
 */
export function filterCatalog(entries: readonly CatalogRec[], search: string, limit: number): CatalogRec[] {
  const query = rustLower(rustTrim(search));
  if (query === '') return entries.slice(0, limit);
  const terms = query.split(RUST_WHITESPACE).filter((t) => t !== '');
  const scored: [number, CatalogRec][] = [];
  for (const e of entries) {
    const h = haystack(e);
    let score = 0;
    for (const term of terms) if (h.includes(term)) score++;
    if (score > 0 || h.includes(query)) scored.push([score, e]);
  }
  scored.sort((a, b) => b[0] - a[0] || compareCodePoints(rustLower(a[1].name), rustLower(b[1].name)));
  return scored.slice(0, limit).map(([, e]) => e);
}
