/**
 * The dev proxy over real HTTP against the contract (§1.4, §1.6, §2, §3,
 * §4): auth (401 with an empty body), public routes, 404/403/405/429 shapes
 * byte for byte, batch limits, skill resolution and visibility, the SkillATI
 * catalog cap, `/call` resolution, and axum's extractor statuses.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type RunningDevProxy, sampleFixtures, startDevProxy } from '../src/index.ts';
import {
  bearer,
  handSigned,
  JSON_CT,
  OTHER_SECRET,
  type RawResponse,
  raw,
  SECRET,
  T0,
  token,
} from './helpers.ts';

let now = T0;
let proxy: RunningDevProxy;
let all: string; // token with every tool and skill scope used below
let quoteOnly: string; // tool:finnhub:quote

before(async () => {
  proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET, now: () => now });
  all = await token('tool:finnhub:* tool:web_search skill:citation-style');
  quoteOnly = await token('tool:finnhub:quote');
});
after(() => proxy.close());
beforeEach(() => {
  now = T0;
  proxy.handler.resetRateLimits();
});

function get(path: string, headers: Record<string, string> = bearer(all)): Promise<RawResponse> {
  return raw(proxy.url, 'GET', path, headers);
}

function post(path: string, body: unknown, headers: Record<string, string> = { ...bearer(all), ...JSON_CT }) {
  return raw(proxy.url, 'POST', path, headers, typeof body === 'string' ? body : JSON.stringify(body));
}

function call(t: string, toolName: string, args: unknown = {}): Promise<RawResponse> {
  return raw(proxy.url, 'POST', '/call', bearer(t), JSON.stringify({ tool_name: toolName, args }));
}

describe('auth middleware (contract §4.0, §1.4, §1.7)', () => {
  it('401 with an empty body for every bad Authorization', async () => {
    const expired = await token('tool:finnhub:quote', { now: T0 - 3661 }); // exp = T0 - 61
    const wrongKey = await token('tool:finnhub:quote', { secret: OTHER_SECRET });
    const wrongAud = await token('tool:finnhub:quote', { aud: 'other-proxy' });
    const cases: [string, Record<string, string>][] = [
      ['no header', {}],
      ['lower-case bearer', { authorization: `bearer ${quoteOnly}` }],
      ['BEARER', { authorization: `BEARER ${quoteOnly}` }],
      ['two spaces', { authorization: `Bearer  ${quoteOnly}` }],
      ['no space', { authorization: `Bearer${quoteOnly}` }],
      ['Basic', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['garbage token', { authorization: 'Bearer not.a.token' }],
      ['empty token', { authorization: 'Bearer ' }],
      ['expired beyond leeway', bearer(expired)],
      ['wrong key', bearer(wrongKey)],
      ['wrong audience', bearer(wrongAud)],
    ];
    for (const [name, headers] of cases) {
      for (const path of ['/tools', '/call', '/skills/resolve', '/no-such-route']) {
        const res = await raw(proxy.url, path === '/tools' ? 'GET' : 'POST', path, headers, '{}');
        assert.equal(res.status, 401, `${name} ${path}`);
        assert.equal(res.text, '', `${name} ${path}: body must be empty`);
      }
    }
  });

  it('accepts a token until exp + 60 (the JWT leeway), boundary included', async () => {
    const atBoundary = await token('tool:finnhub:quote', { now: T0 - 3660 }); // exp = T0 - 60
    assert.equal((await get('/tools', bearer(atBoundary))).status, 200);
  });

  it('Ati-Key is answered 503 (no key store), even before JWT', async () => {
    const res = await get('/tools', { authorization: 'Ati-Key ati_key_abc' });
    assert.equal(res.status, 503);
    assert.equal(res.text, '');
  });

  it('/health and /.well-known/jwks.json are public', async () => {
    const health = await get('/health', {});
    assert.equal(health.status, 200);
    assert.equal(
      health.text,
      '{"status":"ok","version":"0.7.10","tools":4,"providers":2,"skills":3,"auth":"jwt","db":"disabled"}',
    );
    const jwks = await get('/.well-known/jwks.json', {});
    assert.equal(jwks.status, 404);
    assert.equal(jwks.text, '{"error":"JWKS not configured"}');
    assert.equal(jwks.headers['content-type'], 'application/json');
  });

  it('only the exact public paths are public', async () => {
    for (const path of ['/health/', '//health', '/Health', '/.well-known/jwks.json/']) {
      assert.equal((await get(path, {})).status, 401, path);
    }
  });

  it('an issuer-configured proxy accepts tokens without iss but not with another iss (contract §1.4)', async () => {
    const p = await startDevProxy({ ...sampleFixtures, secret: SECRET, issuer: 'orch', now: () => T0 });
    try {
      assert.equal((await raw(p.url, 'GET', '/tools', bearer(await token('', { iss: null })))).status, 200);
      assert.equal((await raw(p.url, 'GET', '/tools', bearer(await token('', { iss: 'orch' })))).status, 200);
      assert.equal(
        (await raw(p.url, 'GET', '/tools', bearer(await token('', { iss: 'other' })))).status,
        401,
      );
    } finally {
      await p.close();
    }
  });
});

describe('routing (axum 0.8 semantics)', () => {
  it('unknown route: 401 without a token, then 404 with the passthrough body', async () => {
    assert.equal((await get('/nope', {})).status, 401);
    const res = await get('/nope');
    assert.equal(res.status, 404);
    assert.equal(res.text, 'not found: passthrough disabled');
    assert.equal(res.headers['content-type'], undefined);
    for (const path of ['/tools/', '/skills/x/bundle/', '/skillati', '/', '/call/x']) {
      assert.equal((await get(path)).status, 404, path);
    }
  });

  it('wrong method: 405 with allow, empty body (after auth)', async () => {
    const cases: [string, string, string][] = [
      ['POST', '/tools', 'GET,HEAD'],
      ['DELETE', '/health', 'GET,HEAD'],
      ['GET', '/call', 'POST'],
      ['GET', '/skills/resolve', 'POST'],
      ['GET', '/skills/bundle', 'POST'],
      ['PUT', '/skills/market-research', 'GET,HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await raw(proxy.url, method, path, bearer(all));
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.allow, allow);
      assert.equal(res.text, '');
    }
    assert.equal((await raw(proxy.url, 'GET', '/call', {})).status, 401);
  });

  it('HEAD on a GET route answers the status without a body', async () => {
    const res = await raw(proxy.url, 'HEAD', '/health', {});
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });
});

describe('tools (contract §4.1, §4.2, §2.2)', () => {
  it('GET /tools is scope-filtered; scope-less tools are always listed', async () => {
    const res = await get('/tools', bearer(quoteOnly));
    assert.equal(res.status, 200);
    const names = (JSON.parse(res.text) as { name: string }[]).map((t) => t.name);
    assert.deepEqual(names, ['finnhub:quote', 'web_fetch']);
    assert.ok(res.text.startsWith('[{"description":'), 'keys sorted');
  });

  it('GET /tools?provider=&search= filter', async () => {
    const byProvider = JSON.parse((await get('/tools?provider=web')).text) as { name: string }[];
    assert.deepEqual(
      byProvider.map((t) => t.name),
      ['web_search', 'web_fetch'],
    );
    const bySearch = JSON.parse((await get('/tools?search=NEWS')).text) as { name: string }[];
    assert.deepEqual(
      bySearch.map((t) => t.name),
      ['finnhub:company_news'],
    );
    assert.equal((await get('/tools?search=a&search=b')).status, 400);
  });

  it('GET /tools/{name}: exact detail; unknown and out-of-scope give the same 404', async () => {
    const ok = await get('/tools/finnhub%3Aquote', bearer(quoteOnly));
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(JSON.parse(ok.text)), [
      'description',
      'endpoint',
      'hint',
      'input_schema',
      'method',
      'name',
      'provider',
      'scope',
      'skills',
      'tags',
    ]);
    assert.deepEqual(JSON.parse(ok.text).skills, ['market-research']);
    const outOfScope = await get('/tools/web_search', bearer(quoteOnly));
    const missing = await get('/tools/web_searchx', bearer(quoteOnly));
    assert.equal(outOfScope.status, 404);
    assert.equal(outOfScope.text, `{"error":"Tool 'web_search' not found"}`);
    assert.equal(missing.text, `{"error":"Tool 'web_searchx' not found"}`);
    // No underscore fallback on this route (contract §4.1).
    assert.equal((await get('/tools/finnhub_quote', bearer(quoteOnly))).status, 404);
    const scopeless = JSON.parse((await get('/tools/web_fetch', bearer(quoteOnly))).text);
    assert.equal(scopeless.scope, null);
  });
});

describe('POST /call (contract §4.2, §2.2)', () => {
  it('resolves underscores to colons, left to right', async () => {
    const res = await call(quoteOnly, 'finnhub_quote', { symbol: 'MSFT' });
    assert.equal(res.status, 200);
    assert.match(
      res.text,
      /^\{"result":\{"c":[0-9.]+,"h":[0-9.]+,"l":[0-9.]+,"symbol":"MSFT","t":1700000000\}\}$/,
    );
  });

  it('unknown tool: 404 with the raw name', async () => {
    const res = await call(all, 'finnhub_nope');
    assert.equal(res.status, 404);
    assert.equal(res.text, `{"result":null,"error":"Unknown tool: 'finnhub_nope'"}`);
  });

  it('out of scope: 403 naming the resolved tool', async () => {
    const res = await call(quoteOnly, 'finnhub_company_news');
    assert.equal(res.status, 403);
    assert.equal(
      res.text,
      `{"result":null,"error":"Access denied: 'finnhub:company_news' is not in your scopes"}`,
    );
  });

  it('legacy alias: granted tool:finnhub_* allows finnhub:quote (contract §2.3)', async () => {
    const legacy = await token('tool:finnhub_*');
    assert.equal((await call(legacy, 'finnhub:quote')).status, 200);
  });

  it('scope-layer expiry: 403 during (exp, exp+60] while the JWT is accepted; scope-less still works', async () => {
    const t = await token('tool:finnhub:quote', { now: T0 - 3630 }); // exp = T0 - 30
    assert.equal((await get('/tools', bearer(t))).status, 200);
    assert.equal((await call(t, 'finnhub:quote')).status, 403);
    assert.equal((await call(t, 'web_fetch', { url: 'x' })).status, 200);
  });

  it('a scope-less tool is callable with an empty scope; args default to {}', async () => {
    const none = await token('');
    const res = await raw(proxy.url, 'POST', '/call', bearer(none), '{"tool_name":"web_fetch"}');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"result":{}}');
  });

  it('needs no content-type; body errors are 422 in the CallResponse shape', async () => {
    const cases: [string, string][] = [
      ['', 'Invalid request: EOF while parsing a value at line 1 column 0'],
      ['{}', 'Invalid request: missing field `tool_name` at line 1 column 2'],
      [
        '{"tool_name":5}',
        'Invalid request: invalid type: integer `5`, expected a string at line 1 column 14',
      ],
      [
        '{"tool_name":"a","tool_name":"b"}',
        'Invalid request: duplicate field `tool_name` at line 1 column 28',
      ],
      ['{"tool_name":"a"} x', 'Invalid request: trailing characters at line 1 column 19'],
      [
        '[]',
        'Invalid request: invalid length 0, expected struct CallRequest with 3 elements at line 1 column 2',
      ],
      ['nul', 'Invalid request: EOF while parsing a value at line 1 column 3'],
      [
        '{"tool_name":"a","raw_args":[1]}',
        'Invalid request: invalid type: integer `1`, expected a string at line 1 column 30',
      ],
    ];
    for (const [body, error] of cases) {
      const res = await raw(proxy.url, 'POST', '/call', bearer(all), body);
      assert.equal(res.status, 422, body);
      assert.equal(res.text, JSON.stringify({ result: null, error }), body);
    }
  });
});

describe('rate limits (contract §3)', () => {
  it('429 with the exact body once a window is full; windows slide in whole seconds', async () => {
    const t = await token('tool:finnhub:*', { rate: { 'tool:finnhub:*': '2/minute' } });
    assert.equal((await call(t, 'finnhub:quote')).status, 200);
    now += 30;
    assert.equal((await call(t, 'finnhub:company_news')).status, 200);
    const denied = await call(t, 'finnhub:quote');
    assert.equal(denied.status, 429);
    assert.equal(
      denied.text,
      `{"result":null,"error":"Rate limit exceeded for 'tool:finnhub:*': 2/minute (limit: 2/minute)"}`,
    );
    // A rejected call is not recorded: the count stays 2.
    assert.match((await call(t, 'finnhub:quote')).text, /: 2\/minute \(limit/);
    now = T0 + 60; // the first call (at T0) leaves the window: ts > now - 60 fails
    assert.equal((await call(t, 'finnhub:quote')).status, 200);
    assert.equal((await call(t, 'finnhub:quote')).status, 429);
  });

  it('keys on "tool:" + the raw request name (before underscore resolution)', async () => {
    const t = await token('tool:finnhub:quote', { rate: { 'tool:finnhub:quote': '1/hour' } });
    for (let i = 0; i < 3; i++) assert.equal((await call(t, 'finnhub_quote')).status, 200);
    assert.equal((await call(t, 'finnhub:quote')).status, 200);
    assert.equal((await call(t, 'finnhub:quote')).status, 429);
  });

  it('state is keyed by pattern and shared by every token', async () => {
    const a = await token('tool:web_search', { sub: 'a', rate: { 'tool:web*': '1/day' } });
    const b = await token('tool:web_search', { sub: 'b', rate: { 'tool:web*': '1/day' } });
    assert.equal((await call(a, 'web_search', { query: 'x' })).status, 200);
    const res = await call(b, 'web_search', { query: 'x' });
    assert.equal(res.status, 429);
    assert.equal(
      res.text,
      `{"result":null,"error":"Rate limit exceeded for 'tool:web*': 1/day (limit: 1/day)"}`,
    );
  });

  it('every matching pattern is its own window', async () => {
    const t = await token('tool:*', { rate: { 'tool:*': '3/hour', 'tool:web_fetch': '1/hour' } });
    assert.equal((await call(t, 'web_fetch')).status, 200);
    assert.match((await call(t, 'web_fetch')).text, /'tool:web_fetch': 1\/hour/);
    assert.equal((await call(t, 'finnhub:quote')).status, 200);
  });

  it('count 0 rejects every call; other units render as the proxy does', async () => {
    const t = await token('tool:*', { rate: { 'tool:*': '0/s' } });
    const res = await call(t, 'web_fetch');
    assert.equal(res.status, 429);
    assert.equal(
      res.text,
      `{"result":null,"error":"Rate limit exceeded for 'tool:*': 0/second (limit: 0/second)"}`,
    );
  });

  it('one invalid spec drops every limit of the token', async () => {
    const t = handSigned({
      sub: 'x',
      aud: 'ati-proxy',
      iat: T0,
      exp: T0 + 600,
      scope: 'tool:*',
      ati: { v: 1, rate: { 'tool:*': '1/hour', 'tool:web_fetch': '10/hours' } },
    });
    for (let i = 0; i < 4; i++) assert.equal((await call(t, 'web_fetch')).status, 200);
  });

  it('dev mode (no key) has no rate limits', async () => {
    const p = await startDevProxy({ ...sampleFixtures });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await raw(p.url, 'POST', '/call', {}, '{"tool_name":"web_fetch"}');
        assert.equal(res.status, 200);
      }
    } finally {
      await p.close();
    }
  });
});

describe('skills (contract §2.5, §4.1, §4.2)', () => {
  it('POST /skills/resolve with ["*"] resolves nothing', async () => {
    const res = await post('/skills/resolve', { scopes: ['*'], include_content: true });
    assert.equal(res.status, 200);
    assert.equal(res.text, '[]');
  });

  it('resolves from the request scopes in resolution order, dependencies last', async () => {
    const res = await post('/skills/resolve', { scopes: ['tool:finnhub:quote'], include_content: true });
    const list = JSON.parse(res.text) as { name: string; content?: string }[];
    // 1st pass: tool:finnhub:quote binds market-research; 2nd pass: every allowed tool, and the
    // scope-less web_fetch is always allowed, so its provider's web-search-guide; then depends_on.
    assert.deepEqual(
      list.map((s) => s.name),
      ['market-research', 'web-search-guide', 'citation-style'],
    );
    assert.ok(list[0]!.content!.startsWith('# Market research'));
    assert.deepEqual(Object.keys(list[0]!), [
      'categories',
      'content',
      'description',
      'name',
      'providers',
      'tools',
      'version',
    ]);
    const noContent = JSON.parse((await post('/skills/resolve', { scopes: ['skill:citation-style'] })).text);
    assert.equal('content' in noContent[0], false);
  });

  it('then filters to what the caller may see', async () => {
    const webOnly = await token('tool:web_search');
    const res = await post(
      '/skills/resolve',
      { scopes: ['tool:finnhub:quote', 'tool:web_search'] },
      {
        ...bearer(webOnly),
        ...JSON_CT,
      },
    );
    assert.deepEqual(
      (JSON.parse(res.text) as { name: string }[]).map((s) => s.name),
      ['web-search-guide'],
    );
  });

  it('skill visibility: exact skill: scopes only; wildcards grant nothing (contract §2.4)', async () => {
    // Scope-less tools are allowed to everyone, so their provider's skills are always visible.
    const baseline = (await get('/skills', bearer(await token('')))).text;
    assert.deepEqual(
      (JSON.parse(baseline) as { name: string }[]).map((s) => s.name),
      ['web-search-guide'],
    );
    assert.equal((await get('/skills', bearer(await token('skill:*')))).text, baseline);
    assert.equal((await get('/skills', bearer(await token('skill:citation-*')))).text, baseline);
    const exact = await token('skill:citation-style');
    const list = JSON.parse((await get('/skills', bearer(exact))).text) as { name: string }[];
    assert.deepEqual(
      list.map((s) => s.name),
      ['citation-style', 'web-search-guide'],
    );
    const hidden = await get('/skills/market-research', bearer(exact));
    assert.equal(hidden.status, 404);
    assert.equal(hidden.text, `{"error":"Skill 'market-research' not found"}`);
    assert.equal((await get('/skills/market-research/bundle', bearer(exact))).text, hidden.text);
  });

  it('GET /skills filters with precedence search > category > provider > tool', async () => {
    const names = async (q: string) =>
      (JSON.parse((await get(`/skills${q}`)).text) as { name: string }[]).map((s) => s.name);
    assert.deepEqual(await names(''), ['citation-style', 'market-research', 'web-search-guide']);
    // Scored: name 10, description 5, keywords 8, tools 6, hint 4, providers 6, categories 4.
    assert.deepEqual(await names('?search=search'), [
      'web-search-guide',
      'market-research',
      'citation-style',
    ]);
    assert.deepEqual(await names('?search=browse'), ['web-search-guide']);
    assert.deepEqual(await names('?category=finance&search=citations'), ['citation-style']);
    assert.deepEqual(await names('?provider=web'), ['web-search-guide']);
    assert.deepEqual(await names('?tool=finnhub:quote'), ['market-research']);
  });

  it('GET /skills/{name}: content without frontmatter, ?refs, ?meta, bool query errors', async () => {
    const plain = JSON.parse((await get('/skills/web-search-guide')).text);
    assert.deepEqual(Object.keys(plain), ['content', 'description', 'name', 'version']);
    assert.ok(plain.content.startsWith('# Web search guide'));
    assert.equal(plain.version, '2.0.0');
    const refs = JSON.parse((await get('/skills/market-research?refs=true')).text);
    assert.deepEqual(refs.references, ['data-sources.md', 'deep']);
    const meta = JSON.parse((await get('/skills/web-search-guide?meta=true&refs=false')).text);
    assert.equal(meta.format, 'anthropic');
    assert.equal(meta.author, 'ati-client fixtures');
    assert.equal(meta.license, null);
    for (const q of ['?meta=yes', '?meta=', '?meta=TRUE', '?refs=1', '?meta=true&meta=true']) {
      const res = await get(`/skills/market-research${q}`);
      assert.equal(res.status, 400, q);
      assert.match(res.text, /^Failed to deserialize query string: /);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
    }
  });

  it('GET /skills/{name}/bundle: every file, sorted, binary as standard base64', async () => {
    const res = await get('/skills/market-research/bundle');
    const bundle = JSON.parse(res.text) as { name: string; files: Record<string, unknown> };
    assert.equal(bundle.name, 'market-research');
    assert.deepEqual(Object.keys(bundle.files), [
      'SKILL.md',
      'assets/logo.png',
      'references/data-sources.md',
      'references/deep/notes.md',
      'scripts/summarize.sh',
      'skill.toml',
    ]);
    const png = bundle.files['assets/logo.png'] as { base64: string };
    assert.equal(Buffer.from(png.base64, 'base64')[0], 0x89);
    assert.match(png.base64, /=$/);
    assert.ok(res.text.startsWith('{"files":{"SKILL.md":'), 'files before name (sorted)');
  });

  it('POST /skills/bundle: 51 names → 400, 50 → 200 with missing in request order, duplicates kept', async () => {
    const tooMany = await post('/skills/bundle', { names: Array.from({ length: 51 }, () => 'x') });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.text, '{"error":"batch size 51 exceeds limit of 50"}');
    const names = ['nope', 'citation-style', 'nope', 'market-research', 'web-search-guide'];
    while (names.length < 50) names.push(`gone-${names.length}`);
    const limited = await token('skill:citation-style');
    const res = await post('/skills/bundle', { names }, { ...bearer(limited), ...JSON_CT });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.text) as { skills: Record<string, unknown>; missing: string[] };
    assert.deepEqual(Object.keys(body.skills), ['citation-style', 'web-search-guide']);
    assert.deepEqual(body.missing.slice(0, 4), ['nope', 'nope', 'market-research', 'gone-5']);
    assert.equal(body.missing.length, 48);
    assert.ok(res.text.startsWith('{"missing":['));
  });
});

describe('SkillATI catalog (contract §4.1)', () => {
  it('search is scored, sorted and capped at 25', async () => {
    const star = bearer(await token('*'));
    const res = await get('/skillati/catalog?search=guide', star);
    const skills = (JSON.parse(res.text) as { skills: { name: string }[] }).skills;
    assert.equal(skills.length, 25);
    // "style-guide" hits "guide" as well, but every entry scores 1: ties sort by name.
    const names = skills.map((s) => s.name);
    assert.deepEqual(names, [...names].sort());
    const ranked = (
      JSON.parse((await get('/skillati/catalog?search=finance+guide', star)).text) as {
        skills: { name: string }[];
      }
    ).skills.map((s) => s.name);
    assert.deepEqual(ranked.slice(0, 3), ['competitive-analysis', 'portfolio-review', 'valuation-basics']);
  });

  it('?search= (empty) returns the first 25; no search returns every visible entry', async () => {
    const star = await token('*');
    const emptySearch = (
      JSON.parse((await get('/skillati/catalog?search=', bearer(star))).text) as {
        skills: { name: string }[];
      }
    ).skills;
    assert.equal(emptySearch.length, 25);
    assert.equal(emptySearch[0]!.name, 'api-pagination', 'catalog order: sorted by lower-cased name');
    const allEntries = (JSON.parse((await get('/skillati/catalog')).text) as { skills: { name: string }[] })
      .skills;
    const everything = (
      JSON.parse((await get('/skillati/catalog', bearer(star))).text) as { skills: unknown[] }
    ).skills;
    assert.equal(everything.length, 30);
    assert.ok(allEntries.length < 30 && allEntries.length > 0);
  });

  it('entries have sorted keys and omit empty optional fields', async () => {
    const star = await token('*');
    const res = await get('/skillati/catalog', bearer(star));
    const first = (JSON.parse(res.text) as { skills: Record<string, unknown>[] }).skills[0]!;
    assert.deepEqual(Object.keys(first), ['description', 'name', 'skill_directory']);
    assert.equal(first.skill_directory, `skillati://${first.name as string}`);
  });

  it('remote visibility follows allowed tools, providers and categories', async () => {
    const webOnly = await token('tool:web_search');
    const names = (
      JSON.parse((await get('/skillati/catalog', bearer(webOnly))).text) as {
        skills: { name: string }[];
      }
    ).skills.map((s) => s.name);
    // web_search and the scope-less web_fetch are allowed → provider web, category search.
    assert.ok(names.includes('web-research'));
    assert.ok(names.includes('page-extraction'));
    assert.ok(names.includes('news-monitoring'));
    assert.ok(!names.includes('sec-filings'));
    const denied = await get('/skillati/sec-filings', bearer(webOnly));
    assert.equal(denied.status, 404);
    assert.equal(denied.text, `{"error":"Skill 'sec-filings' not found"}`);
  });

  it('GET /skillati/{name}: activation with rewritten references', async () => {
    const res = await get('/skillati/sec-filings');
    const body = JSON.parse(res.text) as Record<string, string>;
    assert.deepEqual(Object.keys(body), ['content', 'description', 'name', 'skill_directory']);
    assert.match(body.content!, /skillati:\/\/sec-filings\/references\/forms\.md/);
    assert.match(body.content!, /skillati:\/\/earnings-calls\/SKILL\.md/);
    assert.match(body.content!, /skillati:\/\/earnings-calls\/references\/speakers\.md/);
  });

  it('resources, file, refs, ref', async () => {
    const resources = JSON.parse((await get('/skillati/sec-filings/resources?prefix=references')).text);
    assert.deepEqual(resources, {
      name: 'sec-filings',
      prefix: 'references',
      resources: ['references/forms.md'],
    });
    const file = JSON.parse(
      (await get('/skillati/sec-filings/file?path=./references/../references/forms.md')).text,
    );
    assert.equal(file.kind, 'text');
    assert.equal(file.path, 'references/forms.md');
    assert.equal((await get('/skillati/sec-filings/file')).status, 400);
    const escaped = await get('/skillati/sec-filings/file?path=../../etc/passwd');
    assert.equal(escaped.status, 400);
    assert.equal(escaped.text, `{"error":"Invalid skill-relative path '../../etc/passwd'"}`);
    const missing = await get('/skillati/sec-filings/file?path=nope.md');
    assert.equal(missing.status, 404);
    assert.equal(missing.text, `{"error":"Path 'nope.md' not found in skill 'sec-filings'"}`);
    assert.deepEqual(JSON.parse((await get('/skillati/sec-filings/refs')).text).references, ['forms.md']);
    assert.match(JSON.parse((await get('/skillati/sec-filings/ref/forms.md')).text).content, /10-K/);
  });

  it('503 when SkillATI is not configured', async () => {
    const p = await startDevProxy({ tools: sampleFixtures.tools });
    try {
      const res = await raw(p.url, 'GET', '/skillati/catalog', {});
      assert.equal(res.status, 503);
      assert.equal(
        res.text,
        '{"error":"SkillATI is not configured (set ATI_SKILL_REGISTRY=gcs://<bucket> or ATI_SKILL_REGISTRY=proxy)"}',
      );
    } finally {
      await p.close();
    }
  });
});

describe("axum's Json extractor on POST routes other than /call (contract §4.0)", () => {
  it('415 / 400 / 422 with plain-text bodies', async () => {
    const auth = bearer(all);
    const cases: [string, Record<string, string>, string, number, string][] = [
      ['/skills/bundle', auth, '{"names":[]}', 415, 'Expected request with `Content-Type: application/json`'],
      ['/skills/resolve', { ...auth, 'content-type': 'text/plain' }, '{"scopes":[]}', 415, ''],
      ['/skills/resolve', { ...auth, 'content-type': 'text/json' }, '{"scopes":[]}', 415, ''],
      ['/skills/resolve', { ...auth, 'content-type': 'application/json garbage' }, '{"scopes":[]}', 415, ''],
      [
        '/skills/resolve',
        { ...auth, ...JSON_CT },
        '{"scopes":[}',
        400,
        'Failed to parse the request body as JSON: scopes[0]: expected value at line 1 column 12',
      ],
      [
        '/skills/resolve',
        { ...auth, ...JSON_CT },
        '{"scopes":["a",]}',
        400,
        'Failed to parse the request body as JSON: scopes: trailing comma at line 1 column 16',
      ],
      [
        '/skills/bundle',
        { ...auth, ...JSON_CT },
        '{"names":"x"}',
        422,
        'Failed to deserialize the JSON body into the target type: names: invalid type: string "x", expected a sequence at line 1 column 12',
      ],
      [
        '/skills/bundle',
        { ...auth, ...JSON_CT },
        '{"names":["a",7]}',
        422,
        'Failed to deserialize the JSON body into the target type: names[1]: invalid type: integer `7`, expected a string at line 1 column 15',
      ],
      [
        '/skills/resolve',
        { ...auth, ...JSON_CT },
        '{"include_content":true}',
        422,
        'Failed to deserialize the JSON body into the target type: missing field `scopes` at line 1 column 24',
      ],
      [
        '/skills/resolve',
        { ...auth, ...JSON_CT },
        '{"scopes":[],"include_content":null}',
        422,
        'Failed to deserialize the JSON body into the target type: include_content: invalid type: null, expected a boolean at line 1 column 35',
      ],
      [
        '/help',
        { ...auth, ...JSON_CT },
        '',
        400,
        'Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0',
      ],
      [
        '/help',
        { ...auth, ...JSON_CT },
        '{"query":"q"} {',
        400,
        'Failed to parse the request body as JSON: trailing characters at line 1 column 15',
      ],
    ];
    for (const [path, headers, body, status, text] of cases) {
      const res = await raw(proxy.url, 'POST', path, headers, body);
      assert.equal(res.status, status, `${path} ${body}`);
      if (text !== '') assert.equal(res.text, text, `${path} ${body}`);
      assert.match(String(res.headers['content-type']), /^text\/plain; charset=utf-8$/);
    }
  });

  it('accepts application/json with parameters and application/*+json', async () => {
    for (const ct of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.ati+json']) {
      const res = await raw(
        proxy.url,
        'POST',
        '/skills/resolve',
        { ...bearer(all), 'content-type': ct },
        '{"scopes":[]}',
      );
      assert.equal(res.status, 200, ct);
    }
  });
});

describe('POST /help and POST /mcp', () => {
  it('/help answers with {content}; scoped help on an invisible tool is 403', async () => {
    const ok = await post('/help', { query: 'how do I get a quote?', tool: 'finnhub' });
    assert.equal(ok.status, 200);
    assert.ok(ok.text.startsWith('{"content":"'));
    const res = await post('/help', { query: 'q', tool: 'web_search' }, { ...bearer(quoteOnly), ...JSON_CT });
    assert.equal(res.status, 403);
    assert.equal(
      res.text,
      `{"content":"","error":"Scope 'web_search' is not visible in your current scopes."}`,
    );
  });

  it('/help without an LLM is 503, like a proxy without _llm.toml', async () => {
    const p = await startDevProxy({ ...sampleFixtures, help: false });
    try {
      const res = await raw(p.url, 'POST', '/help', JSON_CT, '{"query":"q"}');
      assert.equal(res.status, 503);
      assert.equal(
        res.text,
        '{"content":"","error":"No _llm.toml manifest found. Proxy help requires a configured LLM provider."}',
      );
    } finally {
      await p.close();
    }
  });

  it('/mcp speaks JSON-RPC with errors at HTTP 200', async () => {
    const rpc = (body: unknown, t = quoteOnly) =>
      raw(proxy.url, 'POST', '/mcp', { ...bearer(t), ...JSON_CT }, JSON.stringify(body));
    const init = JSON.parse((await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize' })).text);
    assert.equal(init.result.protocolVersion, '2025-03-26');
    const list = JSON.parse((await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).text);
    assert.deepEqual(
      list.result.tools.map((t: { name: string }) => t.name),
      ['finnhub:quote', 'web_fetch'],
    );
    const denied = JSON.parse(
      (await rpc({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'web_search' } })).text,
    );
    assert.deepEqual(denied.error, {
      code: -32001,
      message: "Access denied: 'web_search' is not in your scopes",
    });
    const noUnderscore = JSON.parse(
      (await rpc({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'finnhub_quote' } })).text,
    );
    assert.equal(noUnderscore.error.code, -32602);
    const initialized = await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(initialized.status, 202);
    assert.equal(initialized.text, 'null');
    assert.equal(JSON.parse((await rpc({ id: 5, method: 'x' })).text).error.code, -32601);
  });
});
