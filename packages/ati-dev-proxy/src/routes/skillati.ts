/**
 * The SkillATI routes (contract §4.1, §4.2): `GET /skillati/catalog` and the
 * per-skill `GET /skillati/{name}[/resources|/file|/refs|/ref/{reference}]`,
 * over the remote catalog; 503 when no catalog is configured. Query
 * extractors run before the handler, which checks the catalog first.
 *
 * @module
 */

import { base64Encode, type ScopeSet, SHAPES } from 'ati-client/internal';
import { stripFrontmatter } from '../frontmatter.ts';
import { errorJson, json, queryOf, skillNotFound, UTF8 } from '../http.ts';
import { sortedJson } from '../json-out.ts';
import type { QueryKind } from '../query.ts';
import { filterCatalog, type Registry } from '../registry.ts';
import type { Route, RouteContext } from '../router.ts';
import type { Json } from '../serde-json.ts';
import {
  InvalidSkillPath,
  isVisibleResource,
  normalizePrefix,
  resolveRequestedPath,
  skillDirectory,
  substituteSkillRefs,
} from '../skillati.ts';
import { catalogEntry, wire } from '../wire.ts';

const CATALOG_SEARCH_LIMIT = 25;
const SKILLATI_NOT_CONFIGURED =
  'SkillATI is not configured (set ATI_SKILL_REGISTRY=gcs://<bucket> or ATI_SKILL_REGISTRY=proxy)';

type Query = Record<string, string | boolean | undefined>;

/** Local and remote skill names the caller's scopes make visible. */
function remoteVisible(registry: Registry, scopes: ScopeSet): Set<string> {
  const names = registry.visibleSkillNames(scopes);
  for (const n of registry.visibleRemoteNames(scopes)) names.add(n);
  return names;
}

/** The catalog's file, or the proxy's not-found error for it. */
function catalogFile(registry: Registry, skill: string, path: string): Uint8Array | Response {
  const data = registry.catalog?.find((e) => e.name === skill)?.files.get(path);
  if (data !== undefined) return data;
  return path === 'SKILL.md'
    ? skillNotFound(skill)
    : errorJson(404, `Path '${path}' not found in skill '${skill}'`);
}

function resources(registry: Registry, name: string): string[] | Response {
  const entry = registry.catalog?.find((e) => e.name === name);
  if (entry === undefined || !entry.files.has('SKILL.md')) return skillNotFound(name);
  return [...new Set([...entry.files.keys()].filter(isVisibleResource))].sort();
}

function readPath(
  registry: Registry,
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
  const data = catalogFile(registry, resolved, normPath);
  if (data instanceof Response) return data;
  return { resolved, normPath, data };
}

/**
 * A per-skill SkillATI route: the query, then 503 without a catalog, then
 * 404 for a skill the caller may not see, then `body`.
 */
function skillRoute(
  path: string,
  fields: Readonly<Record<string, QueryKind>>,
  body: (registry: Registry, name: string, q: Query, ctx: RouteContext) => Response,
): Route {
  return {
    method: 'GET',
    path,
    handle: (ctx) => {
      const q = queryOf(ctx.req, fields);
      if (q instanceof Response) return q;
      const registry = ctx.state.registry;
      if (registry.catalog === undefined) return errorJson(503, SKILLATI_NOT_CONFIGURED);
      const name = ctx.params.get('name')!;
      if (!remoteVisible(registry, ctx.scopes).has(name)) return skillNotFound(name);
      return body(registry, name, q, ctx);
    },
  };
}

function activate(registry: Registry, name: string): Response {
  const raw = catalogFile(registry, name, 'SKILL.md');
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
    sortedJson(
      wire(SHAPES.skillatiSkill, {
        name,
        description,
        skill_directory: skillDirectory(name),
        content: substituteSkillRefs(stripFrontmatter(textBody), name, names),
      }),
    ),
  );
}

function listResources(registry: Registry, name: string, q: Query): Response {
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
  const all = resources(registry, name);
  if (all instanceof Response) return all;
  const list = prefix === undefined ? all : all.filter((p) => p === prefix || p.startsWith(`${prefix}/`));
  return json(
    200,
    sortedJson(wire(SHAPES.skillatiResources, { name, prefix: prefixRaw ?? null, resources: list })),
  );
}

function readFile(registry: Registry, name: string, q: Query): Response {
  const read = readPath(registry, name, q.path as string);
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

function listRefs(registry: Registry, name: string): Response {
  const all = resources(registry, name);
  if (all instanceof Response) return all;
  const references = all.filter((p) => p.startsWith('references/')).map((p) => p.slice(11));
  return json(200, sortedJson(wire(SHAPES.skillatiRefs, { name, references })));
}

function readRef(registry: Registry, name: string, _q: Query, ctx: RouteContext): Response {
  const reference = ctx.params.get('reference')!;
  const path = `references/${reference}`;
  const read = readPath(registry, name, path);
  if (read instanceof Response) return read;
  let content: string;
  try {
    content = UTF8.decode(read.data);
  } catch {
    return errorJson(400, `Invalid skill-relative path '${path}'`);
  }
  return json(200, sortedJson(wire(SHAPES.skillatiRef, { name, reference, content })));
}

/** The SkillATI routes. */
export const skillatiRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/skillati/catalog',
    handle: ({ req, state, scopes }) => {
      const q = queryOf(req, { search: 'opt-string' });
      if (q instanceof Response) return q;
      const registry = state.registry;
      if (registry.catalog === undefined) return errorJson(503, SKILLATI_NOT_CONFIGURED);
      const visible = remoteVisible(registry, scopes);
      let entries = registry.catalog.filter((e) => visible.has(e.name));
      if (q.search !== undefined) entries = filterCatalog(entries, q.search as string, CATALOG_SEARCH_LIMIT);
      return json(200, sortedJson({ skills: entries.map(catalogEntry) }));
    },
  },
  skillRoute('/skillati/{name}', {}, activate),
  skillRoute('/skillati/{name}/resources', { prefix: 'opt-string' }, listResources),
  skillRoute('/skillati/{name}/file', { path: 'string' }, readFile),
  skillRoute('/skillati/{name}/refs', {}, listRefs),
  skillRoute('/skillati/{name}/ref/{reference}', {}, readRef),
];
