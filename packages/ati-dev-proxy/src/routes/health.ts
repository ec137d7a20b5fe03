/**
 * `GET /health` (contract §4.2): public, a typed struct in declaration order.
 *
 * @module
 */

import { json } from '../http.ts';
import type { Route } from '../router.ts';
import { healthBody } from '../wire.ts';

/** The health route. */
export const healthRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/health',
    public: true,
    handle: ({ state }) => {
      const registry = state.registry;
      return json(
        200,
        healthBody({
          status: 'ok',
          version: state.version,
          tools: registry.publicTools().length,
          providers: registry.providers.length,
          skills: registry.skills.length,
          auth: state.authEnabled ? 'jwt' : 'disabled',
          db: state.keys?.connected() === true ? 'connected' : 'disabled',
        }),
      );
    },
  },
];
