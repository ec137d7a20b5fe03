/**
 * The response bodies the dev proxy builds from its registry records, one
 * function per wire shape (contract §4.1, §4.2). Each is written through the
 * shape `ati-client` declares for it (`ati-client/internal`), the same table
 * the client's guards are built from: the value must have the client type's
 * every member (a compile error otherwise) and only the declared members
 * are written.
 *
 * @module
 */

import type {
  BundleFiles,
  HealthResponse,
  ResolvedSkill,
  SkillatiCatalogEntry,
  SkillDetail,
  SkillListEntry,
  SkillMetaDetail,
  ToolDetail,
  ToolListEntry,
} from 'ati-client';
import { base64Encode, SHAPES, type Shape } from 'ati-client/internal';
import { stripFrontmatter } from './frontmatter.ts';
import { UTF8 } from './http.ts';
import { structJson } from './json-out.ts';
import type { CatalogRec, SkillRec, ToolRec } from './registry.ts';
import type { Json } from './serde-json.ts';
import { skillDirectory } from './skillati.ts';

/** The members of `value` that `shape` declares, in its order; `undefined` members omitted. */
export function wire<T>(shape: Shape<T>, value: T): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  const members = value as Record<string, unknown>;
  for (const key of Object.keys(shape)) {
    const v = members[key];
    // The shape's checks are the client's JSON checks: a T's members are JSON.
    if (v !== undefined) out[key] = v as Json;
  }
  return out;
}

/** `GET /health`: a typed struct, so declaration (shape) order, not sorted. */
export function healthBody(value: HealthResponse): string {
  return structJson(Object.entries(wire(SHAPES.health, value)));
}

/** A bundle's `files`: text when the bytes are UTF-8, else `{ base64 }`. */
export function bundleFiles(files: ReadonlyMap<string, Uint8Array>): BundleFiles {
  const out = Object.create(null) as Record<string, BundleFiles[string]>;
  for (const [path, data] of files) {
    try {
      out[path] = UTF8.decode(data);
    } catch {
      const b64 = Object.create(null) as { base64: string };
      b64.base64 = base64Encode(data);
      out[path] = b64;
    }
  }
  return out;
}

/** `GET /skills/{name}/bundle`, and one skill of `POST /skills/bundle` (`files` only). */
export function skillBundle(s: SkillRec): Json {
  return wire(SHAPES.skillBundle, { name: s.name, files: bundleFiles(s.files) });
}

function toolEntry(t: ToolRec): ToolListEntry {
  return {
    name: t.name,
    description: t.description,
    provider: t.provider.name,
    method: t.method,
    tags: [...t.tags],
    skills: [...t.provider.skills],
    input_schema: t.inputSchema ?? null,
  };
}

/** One `GET /tools` entry. */
export function toolListEntry(t: ToolRec): Json {
  return wire(SHAPES.toolListEntry, toolEntry(t));
}

/** `GET /tools/{name}`: `skills` as the route computed them. */
export function toolDetail(t: ToolRec, skills: readonly string[]): Json {
  const detail: ToolDetail = {
    ...toolEntry(t),
    endpoint: t.endpoint,
    hint: t.hint ?? null,
    skills: [...skills],
    scope: t.scope ?? null,
  };
  return wire(SHAPES.toolDetail, detail);
}

/** The members every skill summary has. */
function skillSummary(s: SkillRec): Omit<SkillListEntry, 'hint'> {
  return {
    name: s.name,
    version: s.version,
    description: s.description,
    tools: [...s.tools],
    providers: [...s.providers],
    categories: [...s.categories],
  };
}

/** One `GET /skills` entry. */
export function skillListEntry(s: SkillRec): Json {
  return wire<SkillListEntry>(SHAPES.skillListEntry, { ...skillSummary(s), hint: s.hint ?? null });
}

/** One `POST /skills/resolve` entry; `content` (frontmatter stripped) only when asked for. */
export function resolvedSkill(s: SkillRec, includeContent: boolean): Json {
  return wire<ResolvedSkill>(SHAPES.resolvedSkill, {
    ...skillSummary(s),
    content: includeContent ? stripFrontmatter(s.content) : undefined,
  });
}

/** `GET /skills/{name}`: `references` only when listed. */
export function skillDetail(s: SkillRec, references: readonly string[] | undefined): Json {
  return wire<SkillDetail>(SHAPES.skillDetail, {
    name: s.name,
    version: s.version,
    description: s.description,
    content: stripFrontmatter(s.content),
    references,
  });
}

/** `GET /skills/{name}?meta=true`. */
export function skillMetaDetail(s: SkillRec): Json {
  return wire<SkillMetaDetail>(SHAPES.skillMetaDetail, {
    ...skillSummary(s),
    author: s.author ?? null,
    keywords: [...s.keywords],
    hint: s.hint ?? null,
    depends_on: [...s.dependsOn],
    suggests: [...s.suggests],
    license: s.license ?? null,
    compatibility: s.compatibility ?? null,
    allowed_tools: s.allowedTools ?? null,
    format: s.format,
  });
}

function nonEmpty(list: readonly string[]): string[] | undefined {
  return list.length > 0 ? [...list] : undefined;
}

/** One `GET /skillati/catalog` entry: empty optional members omitted. */
export function catalogEntry(e: CatalogRec): Json {
  return wire<SkillatiCatalogEntry>(SHAPES.skillatiCatalogEntry, {
    name: e.name,
    description: e.description,
    skill_directory: skillDirectory(e.name),
    when_to_use: e.whenToUse,
    keywords: nonEmpty(e.keywords),
    tools: nonEmpty(e.tools),
    providers: nonEmpty(e.providers),
    categories: nonEmpty(e.categories),
    resources: undefined,
  });
}
