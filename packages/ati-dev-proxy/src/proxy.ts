/**
 * The dev proxy as a Web fetch handler: the ATI proxy's routes, auth, status
 * codes and JSON bodies (contract §1.4, §2, §3, §4), over in-memory fixtures.
 * Pure Web APIs; the node:http adapter lives in `server.ts`.
 *
 * The state is built from the options once (`state.ts`); the layers stack in
 * the proxy's order, outermost first: signature (`signatures.ts`) → auth
 * (`auth.ts`) → router (`router.ts`) over the routes in `routes/`; the admin
 * router (`routes/admin.ts`) sits beside that stack with its own bearer check.
 *
 * Fidelity notes (upstream `src/proxy/server.rs`, axum 0.8):
 * - auth runs before routing, so an unknown route or a wrong method without
 *   a valid token is 401; with one, an unknown route is 404 with the body
 *   `not found: passthrough disabled` and a wrong method 405 with `allow`;
 * - `json!` bodies have sorted keys; `/health`, `/call`, `/help` keep
 *   declaration order;
 * - request bodies are deserialized with serde_json's rules and messages.
 *
 * @module
 */

import { AtiError, type TokenClaims } from 'ati-client/internal';
import { authenticate } from './auth.ts';
import { type DevRequest, errorJson, pathOf, webRequest } from './http.ts';
import { Router } from './router.ts';
import { adminLayer } from './routes/admin.ts';
import { callRoutes } from './routes/call.ts';
import { healthRoutes } from './routes/health.ts';
import { helpRoutes } from './routes/help.ts';
import { jwksRoutes } from './routes/jwks.ts';
import { mcpRoutes } from './routes/mcp.ts';
import { skillatiRoutes } from './routes/skillati.ts';
import { skillRoutes } from './routes/skills.ts';
import { toolRoutes } from './routes/tools.ts';
import { withSignatureStatus } from './signatures.ts';
import { createState, type DevState } from './state.ts';
import type { DevProxy, DevProxyOptions } from './types.ts';

export type { DevRequest } from './http.ts';

type Handler = (req: DevRequest) => Promise<Response>;
const rawHandlers = new WeakMap<DevProxy, Handler>();

/** The transport-independent handler behind a {@link DevProxy} (for the node adapter). */
export function rawHandlerOf(proxy: DevProxy): Handler {
  const h = rawHandlers.get(proxy);
  if (h === undefined)
    throw new AtiError('ERR_INVALID_ARGUMENT', 'not a dev proxy created by createDevProxy');
  return h;
}

/** The proxy's main router. */
const MAIN = new Router([
  ...callRoutes,
  ...helpRoutes,
  ...mcpRoutes,
  ...toolRoutes,
  ...skillRoutes,
  ...skillatiRoutes,
  ...healthRoutes,
  ...jwksRoutes,
]);

/** axum's fallback (passthrough disabled): plain body, no content-type header. */
const NOT_FOUND_BODY = new TextEncoder().encode('not found: passthrough disabled');

/** The auth layer and the router, for a request past the signature layer. */
async function authAndRoute(state: DevState, req: DevRequest, path: string): Promise<Response> {
  const m = MAIN.match(path);
  let claims: TokenClaims | undefined;
  if (m?.public !== true) {
    const caller = await authenticate(state, req);
    if (caller instanceof Response) return caller;
    claims = caller.claims;
  }
  if (m === undefined) return new Response(NOT_FOUND_BODY, { status: 404 });
  return MAIN.dispatch(req, m, state, claims);
}

/** The whole stack: signature → auth → router; internal failures are 500. */
async function handle(state: DevState, req: DevRequest): Promise<Response> {
  try {
    await state.skillsReady;
  } catch {
    return errorJson(500, 'The skills directory could not be loaded');
  }
  try {
    const path = pathOf(req.target);
    // The admin router sits beside the main one: its own bearer check, no signatures, no JWT.
    const admin = await adminLayer(state, req, path);
    if (admin !== undefined) return admin;
    const checkSignature = state.signatures;
    if (checkSignature === undefined) return await authAndRoute(state, req, path);
    const outcome = await checkSignature(req.method, path, req.header, state.now());
    if ('reject' in outcome) return outcome.reject;
    const res = await authAndRoute(state, req, path);
    return outcome.statusHeader === undefined ? res : withSignatureStatus(res, outcome.statusHeader);
  } catch {
    return errorJson(500, 'Internal dev proxy error');
  }
}

/**
 * Create the dev proxy: the ATI proxy's HTTP API over fixture tools, skills
 * and a SkillATI catalog, as a Web fetch handler (no socket needed).
 *
 * With `secret` (HS256) or `publicKey` (ES256) every route but `/health` and
 * `/.well-known/jwks.json` needs `Authorization: Bearer <token>`; with
 * neither it runs unauthenticated with all scopes, like the proxy without
 * JWT configuration.
 *
 * @throws {TokenError} `ERR_KEY_INVALID` for an unusable `secret` or `publicKey`.
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for both keys at once, or invalid fixtures/options.
 * @example
 * ```ts
 * const proxy = createDevProxy({ ...sampleFixtures, secret });
 * const res = await proxy.fetch(new Request('http://dev/tools', { headers: { authorization: `Bearer ${token}` } }));
 * ```
 */
export function createDevProxy(options: DevProxyOptions = {}): DevProxy {
  const state = createState(options);
  const handler: Handler = (req) => handle(state, req);
  const proxy: DevProxy = {
    fetch: (request: Request) => handler(webRequest(request)),
    ready: state.ready,
    resetRateLimits: () => state.rates.clear(),
    close: () => state.keys?.close() ?? Promise.resolve(),
  };
  rawHandlers.set(proxy, handler);
  return proxy;
}
