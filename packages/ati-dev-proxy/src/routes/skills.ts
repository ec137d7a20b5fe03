/**
 * The local skill routes (contract §4.1, §4.2): `GET /skills`,
 * `GET /skills/{name}` (`?meta=true`, `?refs=true`), `GET /skills/{name}/bundle`,
 * `POST /skills/resolve` and `POST /skills/bundle`, all filtered to the
 * skills the caller's scopes make visible.
 *
 * @module
 */

import { ScopeSet, SKILL_BUNDLE_BATCH_LIMIT } from 'ati-client/internal';
import { errorJson, json, jsonBody, queryOf, skillNotFound } from '../http.ts';
import { sortedJson } from '../json-out.ts';
import type { SkillRec } from '../registry.ts';
import type { Route, RouteContext } from '../router.ts';
import type { Json, StructSpec } from '../serde-json.ts';
import {
  bundleFiles,
  resolvedSkill,
  skillBundle,
  skillDetail,
  skillListEntry,
  skillMetaDetail,
} from '../wire.ts';

// Request structs: field order = Rust declaration order.
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

function listSkills({ req, state, scopes }: RouteContext): Response {
  const q = queryOf(req, {
    category: 'opt-string',
    provider: 'opt-string',
    tool: 'opt-string',
    search: 'opt-string',
  });
  if (q instanceof Response) return q;
  const registry = state.registry;
  const visible = registry.visibleSkillNames(scopes);
  let list: SkillRec[];
  if (q.search !== undefined) list = registry.searchSkills(q.search as string);
  else if (q.category !== undefined) list = registry.skillsForCategory(q.category as string);
  else if (q.provider !== undefined) list = registry.skillsForProvider(q.provider as string);
  else if (q.tool !== undefined) list = registry.skillsForTool(q.tool as string);
  else list = registry.skills;
  return json(200, sortedJson(list.filter((s) => visible.has(s.name)).map(skillListEntry)));
}

/** The visible skill named by the path, or its 404. */
function visibleSkill({ state, params, scopes }: RouteContext): SkillRec | Response {
  const name = params.get('name')!;
  const skill = state.registry.skillIndex.get(name);
  if (skill === undefined || !state.registry.visibleSkillNames(scopes).has(name)) return skillNotFound(name);
  return skill;
}

/** `read_dir(references/)`: the names of its direct children, sorted. */
function referenceNames(skill: SkillRec): string[] {
  const refs = new Set<string>();
  for (const path of skill.files.keys()) {
    if (path.startsWith('references/')) {
      const child = path.slice(11).split('/')[0]!;
      if (child !== '') refs.add(child);
    }
  }
  return [...refs].sort();
}

function getSkill(ctx: RouteContext): Response {
  const q = queryOf(ctx.req, { meta: 'opt-bool', refs: 'opt-bool' });
  if (q instanceof Response) return q;
  const skill = visibleSkill(ctx);
  if (skill instanceof Response) return skill;
  if (q.meta === true) return json(200, sortedJson(skillMetaDetail(skill)));
  return json(200, sortedJson(skillDetail(skill, q.refs === true ? referenceNames(skill) : undefined)));
}

async function bundleBatch({ req, state, scopes }: RouteContext): Promise<Response> {
  const parsed = await jsonBody(req, BUNDLE_REQUEST, state.maxBody);
  if (parsed instanceof Response) return parsed;
  const names = parsed.names as string[];
  if (names.length > SKILL_BUNDLE_BATCH_LIMIT) {
    return errorJson(400, `batch size ${names.length} exceeds limit of ${SKILL_BUNDLE_BATCH_LIMIT}`);
  }
  const visible = state.registry.visibleSkillNames(scopes);
  const skills = Object.create(null) as { [k: string]: Json };
  const missing: string[] = [];
  for (const n of names) {
    const skill = state.registry.skillIndex.get(n);
    if (!visible.has(n) || skill === undefined) missing.push(n);
    else skills[n] = { files: bundleFiles(skill.files) };
  }
  return json(200, sortedJson({ skills, missing }));
}

async function resolve({ req, state, scopes }: RouteContext): Promise<Response> {
  const parsed = await jsonBody(req, RESOLVE_REQUEST, state.maxBody);
  if (parsed instanceof Response) return parsed;
  // Resolved from the request's scopes (never expiring), filtered by the caller's token (contract §2.5).
  const requested = new ScopeSet(parsed.scopes as string[], 0, state.now);
  const visible = state.registry.visibleSkillNames(scopes);
  const out = state.registry
    .resolveSkills(requested)
    .filter((s) => visible.has(s.name))
    .map((s) => resolvedSkill(s, parsed.include_content === true));
  return json(200, sortedJson(out));
}

/** The skill routes. */
export const skillRoutes: readonly Route[] = [
  { method: 'GET', path: '/skills', handle: listSkills },
  { method: 'POST', path: '/skills/resolve', handle: resolve },
  { method: 'POST', path: '/skills/bundle', handle: bundleBatch },
  { method: 'GET', path: '/skills/{name}', handle: getSkill },
  {
    method: 'GET',
    path: '/skills/{name}/bundle',
    handle: (ctx) => {
      const skill = visibleSkill(ctx);
      if (skill instanceof Response) return skill;
      return json(200, sortedJson(skillBundle(skill)));
    },
  },
];
