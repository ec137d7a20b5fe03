/**
 * The response bodies the dev proxy builds from its registry records, one
 * function per wire shape (contract §4.1, §4.2).
 *
 * @module
 */

import { base64Encode } from 'ati-client/internal';
import { stripFrontmatter } from './frontmatter.ts';
import { UTF8 } from './http.ts';
import type { CatalogRec, SkillRec, ToolRec } from './registry.ts';
import type { Json } from './serde-json.ts';
import { skillDirectory } from './skillati.ts';

/** A bundle's `files`: text when the bytes are UTF-8, else `{ base64 }`. */
export function bundleFiles(files: ReadonlyMap<string, Uint8Array>): { [path: string]: Json } {
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

/** One `GET /tools` entry. */
export function toolListEntry(t: ToolRec): Json {
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

/** `GET /tools/{name}`: `skills` as the route computed them. */
export function toolDetail(t: ToolRec, skills: readonly string[]): Json {
  return {
    name: t.name,
    description: t.description,
    provider: t.provider.name,
    method: t.method,
    endpoint: t.endpoint,
    tags: [...t.tags],
    hint: t.hint ?? null,
    skills: [...skills],
    input_schema: t.inputSchema ?? null,
    scope: t.scope ?? null,
  };
}

/** The members every skill summary has. */
function skillSummary(s: SkillRec): { [k: string]: Json } {
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
  return { ...skillSummary(s), hint: s.hint ?? null };
}

/** One `POST /skills/resolve` entry; `content` (frontmatter stripped) only when asked for. */
export function resolvedSkill(s: SkillRec, includeContent: boolean): Json {
  const e = skillSummary(s);
  if (includeContent) e.content = stripFrontmatter(s.content);
  return e;
}

/** `GET /skills/{name}?meta=true`. */
export function skillMetaDetail(skill: SkillRec): Json {
  return {
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
  };
}

/** One `GET /skillati/catalog` entry: empty optional members omitted. */
export function catalogEntry(e: CatalogRec): Json {
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
