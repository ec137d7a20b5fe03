/**
 * Routes and the router, matched as axum 0.8's router (matchit) matches
 * them: segment by segment, a static segment beats a parameter at the first
 * place two candidates differ, parameters match one non-empty segment and
 * are percent-decoded (invalid UTF-8: 400). No route: the caller's fallback;
 * a route without the method: 405 with `allow`; `HEAD` runs a `GET` route
 * and drops the body.
 *
 * @module
 */

import type { ScopeSet, TokenClaims } from 'ati-client/internal';
import { type DevRequest, empty, text, UTF8 } from './http.ts';
import { type DevState, scopesOf } from './state.ts';

/** What a route handler gets. */
export interface RouteContext {
  readonly req: DevRequest;
  readonly state: DevState;
  /** Path parameters by name, percent-decoded. */
  readonly params: ReadonlyMap<string, string>;
  /** Validated claims; `undefined` in unauthenticated dev mode and on public routes. */
  readonly claims: TokenClaims | undefined;
  /** The caller's scopes (all of them without claims). */
  readonly scopes: ScopeSet;
}

/** One route: a method, an axum path (`/skills/{name}`) and its handler. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** Served without the auth layer (`/health`, `/.well-known/jwks.json`). */
  readonly public?: boolean;
  handle(ctx: RouteContext): Promise<Response> | Response;
}

/** A matched path: its routes by method, and the raw (still percent-encoded) parameters. */
export interface RouteMatch {
  readonly routes: readonly Route[];
  readonly params: ReadonlyMap<string, string>;
  /** Whether the path's routes are public (skip auth). */
  readonly public: boolean;
}

interface Compiled {
  readonly segs: readonly string[];
  readonly routes: Route[];
}

/** A router over a fixed set of routes. */
export class Router {
  readonly #paths: Compiled[] = [];

  /** @throws {Error} for a method declared twice on one path. */
  constructor(routes: readonly Route[]) {
    const byPath = new Map<string, Compiled>();
    for (const r of routes) {
      let c = byPath.get(r.path);
      if (c === undefined) {
        c = { segs: r.path.split('/').slice(1), routes: [] };
        byPath.set(r.path, c);
        this.#paths.push(c);
      }
      if (c.routes.some((x) => x.method === r.method))
        throw new Error(`duplicate route ${r.method} ${r.path}`);
      c.routes.push(r);
    }
  }

  /** The routes of a raw path, or `undefined` (the fallback's case). */
  match(path: string): RouteMatch | undefined {
    const parts = path.split('/');
    if (parts[0] !== '') return undefined;
    const segs = parts.slice(1);
    let best: { c: Compiled; params: Map<string, string>; rank: number[] } | undefined;
    for (const c of this.#paths) {
      const found = matchSegments(c.segs, segs);
      if (found !== undefined && (best === undefined || moreStatic(found.rank, best.rank))) {
        best = { c, ...found };
      }
    }
    if (best === undefined) return undefined;
    return { routes: best.c.routes, params: best.params, public: best.c.routes.some((r) => r.public) };
  }

  /**
   * Run the matched path's route for `req`: 405 when it has no such method,
   * 400 for a parameter that is not UTF-8 once decoded.
   */
  async dispatch(
    req: DevRequest,
    m: RouteMatch,
    state: DevState,
    claims: TokenClaims | undefined,
  ): Promise<Response> {
    const method = req.method;
    const route = m.routes.find((r) => r.method === method || (r.method === 'GET' && method === 'HEAD'));
    if (route === undefined) return empty(405, { allow: m.routes.map(allowOf).join(',') });
    const params = new Map<string, string>();
    for (const [key, raw] of m.params) {
      const decoded = decodePathParam(raw);
      if (decoded === undefined) return text(400, `Invalid URL: Invalid UTF-8 in \`${key}\``);
      params.set(key, decoded);
    }
    const res = await route.handle({ req, state, params, claims, scopes: scopesOf(state, claims) });
    return method === 'HEAD' ? new Response(null, { status: res.status, headers: res.headers }) : res;
  }
}

function allowOf(r: Route): string {
  return r.method === 'GET' ? 'GET,HEAD' : r.method;
}

function matchSegments(
  pattern: readonly string[],
  segs: readonly string[],
): { params: Map<string, string>; rank: number[] } | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params = new Map<string, string>();
  const rank: number[] = [];
  for (let i = 0; i < segs.length; i++) {
    const p = pattern[i]!;
    const s = segs[i]!;
    if (p.startsWith('{')) {
      if (s === '') return undefined;
      params.set(p.slice(1, -1), s);
      rank.push(1);
    } else if (p === s) rank.push(0);
    else return undefined;
  }
  return { params, rank };
}

/** At the first differing segment, a static segment (0) beats a parameter (1). */
function moreStatic(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** `percent_decode` then UTF-8 (axum's `Path` extraction); `undefined` for invalid UTF-8. */
export function decodePathParam(raw: string): string | undefined {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...enc.encode(String.fromCodePoint(cp)));
    }
  }
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}
