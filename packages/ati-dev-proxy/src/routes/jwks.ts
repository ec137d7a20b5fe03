/**
 * `GET /.well-known/jwks.json` (contract §1.6): public; 404 without an ES256 key.
 *
 * @module
 */

import { errorJson, json } from '../http.ts';
import { sortedJson, toJson } from '../json-out.ts';
import type { Route } from '../router.ts';

/** The JWKS route. */
export const jwksRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    public: true,
    handle: ({ state }) =>
      state.jwks === undefined
        ? errorJson(404, 'JWKS not configured')
        : json(200, sortedJson(toJson(state.jwks))),
  },
];
