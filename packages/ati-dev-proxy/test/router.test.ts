/**
 * The router on its own: matchit's precedence, axum's path decoding, 405
 * with `allow`, HEAD on GET routes, and the routes table checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DevRequest } from '../src/http.ts';
import { decodePathParam, type Route, Router } from '../src/router.ts';
import { createState } from '../src/state.ts';

const state = createState({});

function request(method: string, target: string): DevRequest {
  return { method, target, header: () => undefined, body: async () => new Uint8Array(0) };
}

function named(method: Route['method'], path: string): Route {
  return {
    method,
    path,
    handle: ({ params }) => new Response(JSON.stringify({ route: `${method} ${path}`, params: [...params] })),
  };
}

const router = new Router([
  named('GET', '/skills/{name}'),
  named('POST', '/skills/resolve'),
  named('GET', '/skills/{name}/bundle'),
  named('GET', '/keys/{hash}'),
  named('DELETE', '/keys/{hash}'),
]);

async function run(
  method: string,
  path: string,
): Promise<{ status: number; body: string; allow: string | null }> {
  const m = router.match(path);
  if (m === undefined) return { status: 404, body: '', allow: null };
  const res = await router.dispatch(request(method, path), m, state, undefined);
  return { status: res.status, body: await res.text(), allow: res.headers.get('allow') };
}

describe('Router', () => {
  it('a static segment beats a parameter, whatever the declaration order', async () => {
    const res = await run('POST', '/skills/resolve');
    assert.equal(JSON.parse(res.body).route, 'POST /skills/resolve');
    // GET on the static path is a 405 there, not the parameter route (matchit picks the path first).
    assert.deepEqual(await run('GET', '/skills/resolve'), { status: 405, body: '', allow: 'POST' });
    assert.equal(JSON.parse((await run('GET', '/skills/x')).body).route, 'GET /skills/{name}');
  });

  it('parameters match one non-empty segment and are percent-decoded', async () => {
    assert.equal(router.match('/skills/'), undefined);
    assert.equal(router.match('/skills/a/b'), undefined);
    assert.equal(router.match('skills/a'), undefined);
    const res = await run('GET', '/skills/a%20b%2Fc/bundle');
    assert.deepEqual(JSON.parse(res.body).params, [['name', 'a b/c']]);
  });

  it('a parameter that is not UTF-8 once decoded is a plain-text 400 naming it', async () => {
    const res = await run('GET', '/skills/%FF');
    assert.equal(res.status, 400);
    assert.equal(res.body, 'Invalid URL: Invalid UTF-8 in `name`');
  });

  it('405 lists the path’s methods in declaration order, GET with HEAD', async () => {
    assert.deepEqual(await run('POST', '/keys/h'), { status: 405, body: '', allow: 'GET,HEAD,DELETE' });
    assert.equal(JSON.parse((await run('DELETE', '/keys/h')).body).route, 'DELETE /keys/{hash}');
  });

  it('HEAD runs the GET route without a body', async () => {
    const res = await run('HEAD', '/skills/x');
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
  });

  it('refuses a method declared twice on one path', () => {
    assert.throws(() => new Router([named('GET', '/a'), named('GET', '/a')]), /duplicate route GET \/a/);
  });

  it('decodePathParam: invalid escapes stay literal, astral characters pass', () => {
    const table: [string, string | undefined][] = [
      ['a%2', 'a%2'],
      ['%zz', '%zz'],
      ['%C3%A9', 'é'],
      ['%C3', undefined],
      ['😀%F0%9F%98%80', '😀😀'],
    ];
    for (const [raw, want] of table) assert.equal(decodePathParam(raw), want, raw);
  });
});
