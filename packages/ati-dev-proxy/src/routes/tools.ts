/**
 * `GET /tools` and `GET /tools/{name}` (contract §4.1, §4.2), scope-filtered.
 *
 * @module
 */

import { errorJson, json, queryOf } from '../http.ts';
import { sortedJson } from '../json-out.ts';
import { rustLower } from '../registry.ts';
import type { Route } from '../router.ts';
import { toolDetail, toolListEntry } from '../wire.ts';

/** The tool routes. */
export const toolRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/tools',
    handle: ({ req, state, scopes }) => {
      const q = queryOf(req, { provider: 'opt-string', search: 'opt-string' });
      if (q instanceof Response) return q;
      const provider = q.provider as string | undefined;
      const search = q.search === undefined ? undefined : rustLower(q.search as string);
      const list = state.registry.visibleTools(scopes).filter((t) => {
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
    },
  },
  {
    method: 'GET',
    path: '/tools/{name}',
    handle: ({ state, params, scopes }) => {
      const name = params.get('name')!;
      const registry = state.registry;
      const tool = registry.toolIndex.get(name);
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
      return json(200, sortedJson(toolDetail(tool, skills)));
    },
  },
];
