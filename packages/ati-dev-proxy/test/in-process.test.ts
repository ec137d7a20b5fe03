/**
 * The dev proxy as a plain Web fetch handler (no socket), its construction
 * checks, dev mode, ES256 + JWKS, the skillsDir option and fixture handlers.
 */

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { AtiError, generateKeyPair, issueToken, toJwks } from 'ati-client';
import { createDevProxy, type DevProxy, sampleFixtures, startDevProxy } from '../src/index.ts';
import { bearer, FIXTURE_SKILLS, raw, SECRET, T0, token } from './helpers.ts';

async function send(
  proxy: DevProxy,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await proxy.fetch(new Request(`http://dev.local${path}`, { method, ...init }));
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('fetch handler without a socket', () => {
  it('serves every route in dev mode (no key: unauthenticated, all scopes)', async () => {
    const proxy = createDevProxy({ ...sampleFixtures });
    const health = await send(proxy, 'GET', '/health');
    assert.equal(
      health.text,
      '{"status":"ok","version":"0.7.10","tools":4,"providers":2,"skills":3,"auth":"disabled","db":"disabled"}',
    );
    assert.equal(JSON.parse((await send(proxy, 'GET', '/tools')).text).length, 4);
    // Any Bearer is ignored in dev mode.
    assert.equal(
      (await send(proxy, 'GET', '/tools', { headers: { authorization: 'Bearer junk' } })).status,
      200,
    );
    const called = await send(proxy, 'POST', '/call', {
      body: '{"tool_name":"web_search","args":{"query":"ati"}}',
    });
    assert.equal(called.status, 200);
    assert.equal(JSON.parse(called.text).result.query, 'ati');
    assert.equal((await send(proxy, 'GET', '/skillati/catalog')).text.length > 0, true);
    // /skills/resolve with ["*"] still resolves nothing in dev mode.
    const resolved = await send(proxy, 'POST', '/skills/resolve', {
      headers: { 'content-type': 'application/json' },
      body: '{"scopes":["*"],"include_content":true}',
    });
    assert.equal(resolved.text, '[]');
  });

  it('validates tokens with the injected clock', async () => {
    let now = T0;
    const proxy = createDevProxy({ ...sampleFixtures, secret: SECRET, now: () => now });
    const t = await token('tool:web_search', { ttlSeconds: 100 });
    assert.equal((await send(proxy, 'GET', '/tools', { headers: bearer(t) })).status, 200);
    now = T0 + 160; // exp + 60: still accepted
    assert.equal((await send(proxy, 'GET', '/tools', { headers: bearer(t) })).status, 200);
    now = T0 + 161;
    const res = await send(proxy, 'GET', '/tools', { headers: bearer(t) });
    assert.equal(res.status, 401);
    assert.equal(res.text, '');
  });

  it('handles concurrent requests independently', async () => {
    const proxy = createDevProxy({ ...sampleFixtures });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(proxy, 'POST', '/call', { body: JSON.stringify({ tool_name: 'web_fetch', args: { i } }) }),
      ),
    );
    for (const [i, r] of results.entries()) assert.equal(r.text, `{"result":{"i":${i}}}`);
  });

  it('fixture handlers: result, undefined → {"records":[]}, throw → 502, unserializable → 500', async () => {
    const proxy = createDevProxy({
      tools: [
        { name: 'empty', provider: 'p', description: '', handler: () => undefined },
        {
          name: 'boom',
          provider: 'p',
          description: '',
          handler: () => {
            throw new Error('upstream said no');
          },
        },
        { name: 'big', provider: 'p', description: '', handler: () => ({ n: 10n }) },
        {
          name: 'ctx',
          provider: 'p',
          description: '',
          handler: (_args, ctx) => ({ ...ctx, scopes: undefined }),
        },
        {
          name: 'keys',
          provider: 'p',
          description: '',
          handler: () => ({ b: 1, a: 2, 10: 'x', 9: 'y', é: 0 }),
        },
      ],
    });
    const call = (body: string) => send(proxy, 'POST', '/call', { body });
    assert.equal((await call('{"tool_name":"empty"}')).text, '{"result":{"records":[]}}');
    const boom = await call('{"tool_name":"boom"}');
    assert.equal(boom.status, 502);
    assert.equal(boom.text, '{"result":null,"error":"Upstream API error: upstream said no"}');
    assert.equal((await call('{"tool_name":"big"}')).status, 500);
    const ctx = JSON.parse((await call('{"tool_name":"ctx","raw_args":["a"]}')).text).result;
    assert.deepEqual(ctx, { toolName: 'ctx', requestedName: 'ctx', rawArgs: ['a'], via: 'call' });
    // serde_json's BTreeMap order: byte order, so "10" < "9" < "a" < "b" < "é".
    assert.equal(
      (await call('{"tool_name":"keys"}')).text,
      '{"result":{"10":"x","9":"y","a":2,"b":1,"é":0}}',
    );
  });

  it('HEAD strips the body; a Request URL is normalized by WHATWG before routing', async () => {
    const proxy = createDevProxy({ ...sampleFixtures });
    const head = await send(proxy, 'HEAD', '/health');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    // new Request() resolves %2e%2e: /skills/%2e%2e/bundle becomes /bundle (the node adapter keeps it raw).
    assert.equal((await send(proxy, 'GET', '/skills/%2e%2e/bundle')).text, 'not found: passthrough disabled');
  });
});

describe('construction', () => {
  it('fails early on bad configuration, with codes', () => {
    const cases: [() => unknown, string][] = [
      [() => createDevProxy({ secret: 'zz' }), 'ERR_KEY_INVALID'],
      [() => createDevProxy({ secret: 'abcd' }), 'ERR_KEY_INVALID'],
      [() => createDevProxy({ publicKey: 'not a pem' }), 'ERR_KEY_INVALID'],
      [() => createDevProxy({ secret: SECRET, publicKey: 'x' }), 'ERR_INVALID_ARGUMENT'],
      [() => createDevProxy({ maxBodyBytes: -1 }), 'ERR_INVALID_ARGUMENT'],
      [
        () =>
          createDevProxy({
            tools: [
              { name: 'a', provider: 'p', description: '' },
              { name: 'a', provider: 'p', description: '' },
            ],
          }),
        'ERR_INVALID_ARGUMENT',
      ],
      [() => createDevProxy({ catalog: [{ name: '', description: '' }] }), 'ERR_INVALID_ARGUMENT'],
    ];
    for (const [make, code] of cases) {
      assert.throws(make, (err: unknown) => err instanceof AtiError && err.code === code);
    }
  });

  it('never puts the secret in an error message', () => {
    const secret = `${SECRET.slice(0, 60)}zz`;
    try {
      createDevProxy({ secret });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(!(err as Error).message.includes(secret.slice(0, 16)));
    }
  });

  it('startDevProxy rejects a bad port and an unloadable skillsDir', async () => {
    await assert.rejects(
      startDevProxy({ port: 70000 }),
      (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
    );
    await assert.rejects(
      startDevProxy({ skillsDir: '/nonexistent/skills' }),
      (err: unknown) => err instanceof AtiError && err.code === 'ERR_SKILL_BUNDLE_INVALID',
    );
    const proxy = createDevProxy({ skillsDir: '/nonexistent/skills' });
    await assert.rejects(proxy.ready);
    assert.equal((await send(proxy, 'GET', '/health')).status, 500);
  });

  it('skillsDir adds the skills from disk; explicit skills win on a name clash', async () => {
    const proxy = createDevProxy({
      tools: sampleFixtures.tools,
      skills: [{ name: 'citation-style', description: 'override', content: '# mine\n' }],
      skillsDir: FIXTURE_SKILLS,
    });
    await proxy.ready;
    const list = JSON.parse((await send(proxy, 'GET', '/skills')).text) as {
      name: string;
      description: string;
    }[];
    assert.deepEqual(
      list.map((s) => [s.name, s.description]),
      [
        ['citation-style', 'override'],
        ['market-research', 'Research a listed company: quote, news and a sourced summary'],
        ['web-search-guide', 'Search the web efficiently and verify what you find'],
      ],
    );
  });
});

describe('ES256 and JWKS (contract §1.6)', () => {
  it('serves the proxy-shaped JWKS, validates ES256 tokens, rejects HS256 ones', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const proxy = await startDevProxy({ ...sampleFixtures, publicKey });
    try {
      const jwks = await raw(proxy.url, 'GET', '/.well-known/jwks.json');
      assert.equal(jwks.status, 200);
      assert.equal(jwks.text, JSON.stringify(toJwks(publicKey, { format: 'ati' })));
      const key = (JSON.parse(jwks.text) as { keys: Record<string, unknown>[] }).keys[0]!;
      assert.deepEqual(Object.keys(key), ['alg', 'kid', 'kty', 'use', 'x5c']);
      assert.equal(key.kid, 'ati-proxy-1');
      const es = await issueToken({ privateKey, sub: 'a', scope: 'tool:web_search' });
      assert.equal((await raw(proxy.url, 'GET', '/tools', bearer(es))).status, 200);
      const hs = await issueToken({ secret: SECRET, sub: 'a', scope: 'tool:web_search' });
      assert.equal((await raw(proxy.url, 'GET', '/tools', bearer(hs))).status, 401);
      assert.match((await raw(proxy.url, 'GET', '/health')).text, /"auth":"jwt"/);
      // The same key as a JsonWebKey (as Web Crypto exports it) gives the same JWKS.
      const jwk = (await crypto.subtle.exportKey(
        'jwk',
        await crypto.subtle.importKey(
          'spki',
          createPublicKey(publicKey).export({ type: 'spki', format: 'der' }),
          { name: 'ECDSA', namedCurve: 'P-256' },
          true,
          ['verify'],
        ),
      )) as JsonWebKey;
      const fromJwk = createDevProxy({ publicKey: jwk });
      assert.equal(
        await (await fromJwk.fetch(new Request('http://dev/.well-known/jwks.json'))).text(),
        jwks.text,
      );
    } finally {
      await proxy.close();
    }
  });
});
