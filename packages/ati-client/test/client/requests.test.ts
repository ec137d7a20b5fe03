/**
 * What AtiProxyClient puts on the wire (method, path, query, headers, body)
 * for every endpoint, and what it returns, against a real node:http server.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { AtiProxyClient, SKILL_BUNDLE_BATCH_LIMIT } from '../../src/client/client.ts';
import { isStringArray } from '../../src/client/guards.ts';
import type { AtiProxyClientOptions } from '../../src/client/options.ts';
import { resolveSessionToken } from '../../src/node/session-token.ts';
import { isRecord } from '../../src/util/values.ts';
import {
  json,
  rejectsWith,
  renderings,
  type SeenRequest,
  startServer,
  type TestServer,
} from '../helpers/http.ts';

const HEALTH = {
  status: 'ok',
  version: '0.7.10',
  tools: 3,
  providers: 2,
  skills: 1,
  auth: 'jwt',
  db: 'disabled',
};
const TOOL = {
  name: 'finnhub:quote',
  description: 'Quote',
  provider: 'finnhub',
  method: 'Get',
  tags: ['stocks'],
  skills: ['finnhub-methodology'],
  input_schema: { type: 'object', properties: { symbol: { type: 'string' } } },
};
const TOOL_DETAIL = { ...TOOL, endpoint: '/quote', hint: null, scope: 'tool:finnhub:quote' };
const SKILL_ENTRY = {
  name: 'research',
  version: '0.1.0',
  description: 'd',
  tools: [],
  providers: ['finnhub'],
  categories: [],
  hint: 'h',
};
const SKILL = { name: 'research', version: '0.1.0', description: 'd', content: '# Research\n' };
const SKILL_META = {
  name: 'research',
  version: '0.1.0',
  description: 'd',
  author: null,
  tools: [],
  providers: [],
  categories: [],
  keywords: ['k'],
  hint: null,
  depends_on: [],
  suggests: [],
  license: 'MIT',
  compatibility: null,
  allowed_tools: null,
  format: 'anthropic',
};
const BUNDLE = {
  name: 'research',
  files: { 'SKILL.md': '# R\n', 'img.png': { base64: 'iVBORw0KGgo=' }, empty: '' },
};
const CATALOG = {
  skills: [
    { name: 'a', description: 'A', skill_directory: 'skills/a' },
    {
      name: 'b',
      description: 'B',
      skill_directory: 'skills/b',
      keywords: ['x'],
      when_to_use: 'w',
      resources: ['r.md'],
    },
  ],
};
const SKILLATI = { name: 'a', description: 'A', skill_directory: 'skills/a', content: 'body' };
const JWKS = {
  keys: [
    {
      alg: 'ES256',
      kid: 'ati-proxy-1',
      kty: 'EC',
      use: 'sig',
      x5c: [
        'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9Q==',
      ],
    },
  ],
};

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

function client(overrides: Partial<AtiProxyClientOptions> = {}): AtiProxyClient {
  return new AtiProxyClient({ proxyUrl: server.url, token: 'tok-1', ...overrides });
}

/** Run `action` with the server answering `body`; return the one request it made and the result. */
async function exchange<T>(
  body: unknown,
  action: () => Promise<T>,
): Promise<{ req: SeenRequest; result: T }> {
  server.handle(json(200, body));
  const count = server.requests.length;
  const result = await action();
  assert.equal(server.requests.length, count + 1, 'exactly one request');
  const req = server.requests[count];
  assert.ok(req !== undefined);
  return { req, result };
}

describe('one method per endpoint', () => {
  it('health(): GET /health, public (no Authorization even with a token)', async () => {
    const { req, result } = await exchange(HEALTH, () => client().health());
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/health');
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers.accept, 'application/json');
    assert.deepEqual(result, HEALTH);
  });

  it('health() never calls getToken (a broken token file cannot break the health check)', async () => {
    const c = client({
      token: undefined,
      getToken: () => {
        throw new Error('must not be called');
      },
    });
    await exchange(HEALTH, () => c.health());
    await exchange(JWKS, () => c.jwks());
  });

  it('jwks(): GET /.well-known/jwks.json, public', async () => {
    const { req, result } = await exchange(JWKS, () => client().jwks());
    assert.equal(req.url, '/.well-known/jwks.json');
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(result, JWKS);
  });

  it('listTools(): GET /tools with provider and search', async () => {
    const { req, result } = await exchange([TOOL], () =>
      client().listTools({ provider: 'finnhub', search: 'quo te' }),
    );
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/tools?provider=finnhub&search=quo+te');
    assert.equal(req.headers.authorization, 'Bearer tok-1');
    assert.deepEqual(result, [TOOL]);
  });

  it('listTools(): no query when nothing (or only empty strings) is given', async () => {
    assert.equal((await exchange([], () => client().listTools())).req.url, '/tools');
    assert.equal(
      (await exchange([], () => client().listTools({ provider: '', search: '' }))).req.url,
      '/tools',
    );
  });

  it('getTool(): GET /tools/{encoded}', async () => {
    const { req, result } = await exchange(TOOL_DETAIL, () => client().getTool('finnhub:quote'));
    assert.equal(req.url, '/tools/finnhub%3Aquote');
    assert.deepEqual(result, TOOL_DETAIL);
  });

  it('listSkills(): every filter, empty ones dropped', async () => {
    const { req, result } = await exchange([SKILL_ENTRY], () =>
      client().listSkills({ search: '', category: 'comp liance', provider: 'p', tool: 't:x' }),
    );
    assert.equal(req.url, '/skills?category=comp+liance&provider=p&tool=t%3Ax');
    assert.deepEqual(result, [SKILL_ENTRY]);
    assert.equal((await exchange([], () => client().listSkills())).req.url, '/skills');
  });

  it('getSkill(): default, refs, meta', async () => {
    let x = await exchange(SKILL, () => client().getSkill('research'));
    assert.equal(x.req.url, '/skills/research');
    assert.deepEqual(x.result, SKILL);
    const withRefs = { ...SKILL, references: ['a.md'] };
    x = await exchange(withRefs, () => client().getSkill('research', { refs: true }));
    assert.equal(x.req.url, '/skills/research?refs=true');
    assert.deepEqual(x.result, withRefs);
    const m = await exchange(SKILL_META, () => client().getSkill('research', { meta: true }));
    assert.equal(m.req.url, '/skills/research?meta=true');
    assert.deepEqual(m.result, SKILL_META);
    const both = await exchange(SKILL_META, () => client().getSkill('research', { meta: true, refs: true }));
    assert.equal(both.req.url, '/skills/research?meta=true&refs=true');
    const off = await exchange(SKILL, () => client().getSkill('research', { meta: false, refs: false }));
    assert.equal(off.req.url, '/skills/research');
  });

  it('resolveSkills(): POST /skills/resolve with scopes and include_content', async () => {
    const entry = {
      name: 'r',
      version: '1',
      description: '',
      tools: [],
      providers: [],
      categories: [],
      content: 'c',
    };
    const { req, result } = await exchange([entry], () =>
      client().resolveSkills(['tool:finnhub:quote', 'help'], { includeContent: true }),
    );
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/skills/resolve');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body), { scopes: ['tool:finnhub:quote', 'help'], include_content: true });
    assert.deepEqual(result, [entry]);
    const plain = await exchange([], () => client().resolveSkills([]));
    assert.deepEqual(JSON.parse(plain.req.body), { scopes: [], include_content: false });
  });

  it('getSkillBundle(): GET /skills/{encoded}/bundle, text and base64 files', async () => {
    const { req, result } = await exchange(BUNDLE, () => client().getSkillBundle('research'));
    assert.equal(req.url, '/skills/research/bundle');
    assert.deepEqual(result, BUNDLE);
  });

  it('getSkillBundles(): POST /skills/bundle', async () => {
    const body = { skills: { research: { files: BUNDLE.files } }, missing: ['nope', 'nope'] };
    const { req, result } = await exchange(body, () =>
      client().getSkillBundles(['research', 'nope', 'nope']),
    );
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/skills/bundle');
    assert.deepEqual(JSON.parse(req.body), { names: ['research', 'nope', 'nope'] });
    assert.deepEqual(result, body);
  });

  it('skillCatalog(): GET /skillati/catalog, search only when non-empty', async () => {
    let x = await exchange(CATALOG, () => client().skillCatalog());
    assert.equal(x.req.url, '/skillati/catalog');
    assert.deepEqual(x.result, CATALOG);
    x = await exchange(CATALOG, () => client().skillCatalog({ search: '' }));
    assert.equal(x.req.url, '/skillati/catalog', 'empty search would truncate to 25 upstream');
    x = await exchange(CATALOG, () => client().skillCatalog({ search: 'kyc sanctions*~é&=' }));
    const url = new URL(x.req.url, server.url);
    assert.equal(url.pathname, '/skillati/catalog');
    assert.equal(url.searchParams.get('search'), 'kyc sanctions*~é&=');
    assert.deepEqual([...url.searchParams.keys()], ['search']);
  });

  it('getSkillatiSkill(): GET /skillati/{encoded}', async () => {
    const { req, result } = await exchange(SKILLATI, () => client().getSkillatiSkill('a b'));
    assert.equal(req.url, '/skillati/a%20b');
    assert.deepEqual(result, SKILLATI);
  });

  it('getSkillatiResources(), getSkillatiFile(), getSkillatiRefs(), getSkillatiRef()', async () => {
    const resources = { name: 'a', prefix: null, resources: ['x.md'] };
    let r = await exchange(resources, () => client().getSkillatiResources('a'));
    assert.equal(r.req.url, '/skillati/a/resources');
    assert.deepEqual(r.result, resources);
    r = await exchange({ ...resources, prefix: 'scripts/' }, () =>
      client().getSkillatiResources('a', { prefix: 'scripts/' }),
    );
    assert.equal(r.req.url, '/skillati/a/resources?prefix=scripts%2F');

    const text = { requested_skill: 'a', resolved_skill: 'a', path: 'x.md', kind: 'text', content: 'hi' };
    const f = await exchange(text, () => client().getSkillatiFile('a', 'dir/x y.md'));
    assert.equal(f.req.url, '/skillati/a/file?path=dir%2Fx+y.md');
    assert.deepEqual(f.result, text);
    const binary = { ...text, kind: 'binary', encoding: 'base64', content: 'AAE=' };
    assert.deepEqual((await exchange(binary, () => client().getSkillatiFile('a', 'b.bin'))).result, binary);

    const refs = { name: 'a', references: ['r1'] };
    const g = await exchange(refs, () => client().getSkillatiRefs('a'));
    assert.equal(g.req.url, '/skillati/a/refs');
    assert.deepEqual(g.result, refs);
    const ref = { name: 'a', reference: 'r/1', content: 'c' };
    const h = await exchange(ref, () => client().getSkillatiRef('a', 'r/1'));
    assert.equal(h.req.url, '/skillati/a/ref/r%2F1');
    assert.deepEqual(h.result, ref);
  });

  it('call(): POST /call, returns result (including null and arrays)', async () => {
    let x = await exchange({ result: { price: 1.5 } }, () =>
      client().call('finnhub:quote', { symbol: 'AAPL' }),
    );
    assert.equal(x.req.method, 'POST');
    assert.equal(x.req.url, '/call');
    assert.equal(x.req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(x.req.body), { tool_name: 'finnhub:quote', args: { symbol: 'AAPL' } });
    assert.deepEqual(x.result, { price: 1.5 });

    x = await exchange({ result: null }, () => client().call('t'));
    assert.deepEqual(JSON.parse(x.req.body), { tool_name: 't' }, 'args omitted: the proxy defaults to {}');
    assert.equal(x.result, null);

    x = await exchange({ result: [1, 'a'] }, () =>
      client().call('gh', ['pr', 'list'], { rawArgs: ['--repo', 'x'] }),
    );
    assert.deepEqual(JSON.parse(x.req.body), {
      tool_name: 'gh',
      args: ['pr', 'list'],
      raw_args: ['--repo', 'x'],
    });
    assert.deepEqual(x.result, [1, 'a']);

    x = await exchange({ result: { records: [] } }, () => client().call('gh', 'pr list'));
    assert.deepEqual(JSON.parse(x.req.body), { tool_name: 'gh', args: 'pr list' });
  });

  it('help(): POST /help, returns the content', async () => {
    let x = await exchange({ content: 'use finnhub:quote' }, () => client().help('how?'));
    assert.equal(x.req.url, '/help');
    assert.deepEqual(JSON.parse(x.req.body), { query: 'how?' });
    assert.equal(x.result, 'use finnhub:quote');
    x = await exchange({ content: 'x' }, () => client().help('how?', { tool: 'finnhub:quote' }));
    assert.deepEqual(JSON.parse(x.req.body), { query: 'how?', tool: 'finnhub:quote' });
  });

  it('extra response members are tolerated', async () => {
    const { result } = await exchange({ ...HEALTH, uptime: 5 }, () => client().health());
    assert.equal(result.version, '0.7.10');
  });
});

describe('path segments', () => {
  const table: [string, string][] = [
    ['finnhub:quote', '/tools/finnhub%3Aquote'],
    ['with space', '/tools/with%20space'],
    ['a/b', '/tools/a%2Fb'],
    ['a?b#c', '/tools/a%3Fb%23c'],
    ['%2e%2e', '/tools/%252e%252e'],
    ['...', '/tools/...'],
    ['é', '/tools/%C3%A9'],
    ['😀', '/tools/%F0%9F%98%80'],
    ['a\\b', '/tools/a%5Cb'],
  ];
  for (const [name, path] of table) {
    it(`${JSON.stringify(name)} → ${path}`, async () => {
      const { req } = await exchange(TOOL_DETAIL, () => client().getTool(name));
      assert.equal(req.url, path);
    });
  }

  it('bundle names are encoded too (the Python SDK does not)', async () => {
    const { req } = await exchange(BUNDLE, () => client().getSkillBundle('../etc'));
    assert.equal(req.url, '/skills/..%2Fetc/bundle');
  });

  for (const bad of ['', '.', '..', '\ud800x']) {
    it(`refuses ${JSON.stringify(bad)} without sending anything`, async () => {
      const count = server.requests.length;
      await rejectsWith(client().getTool(bad), 'ERR_INVALID_ARGUMENT');
      await rejectsWith(client().getSkillBundle(bad), 'ERR_INVALID_ARGUMENT');
      assert.equal(server.requests.length, count);
    });
  }

  it('property: any well-formed name round-trips through the server as one segment', async () => {
    server.handle(json(200, TOOL_DETAIL));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 12 }), async (name) => {
        const count = server.requests.length;
        const valid = name.isWellFormed() && name !== '' && name !== '.' && name !== '..';
        if (!valid) {
          await rejectsWith(client().getTool(name), 'ERR_INVALID_ARGUMENT');
          assert.equal(server.requests.length, count);
          return;
        }
        await client().getTool(name);
        const url = server.requests[count]?.url ?? '';
        assert.ok(url.startsWith('/tools/'));
        const rest = url.slice('/tools/'.length);
        assert.ok(!rest.includes('/') && !rest.includes('?') && !rest.includes('#'));
        assert.equal(decodeURIComponent(rest), name);
      }),
      { numRuns: 150 },
    );
  });
});

describe('authorization', () => {
  it('exactly "Bearer <token>"', async () => {
    const { req } = await exchange([], () => client({ token: 'abc.def.ghi' }).listTools());
    assert.equal(req.headers.authorization, 'Bearer abc.def.ghi');
  });

  it('no header without a token, with an empty token, or when getToken gives undefined or ""', async () => {
    for (const options of [
      { token: undefined },
      { token: '' },
      { token: undefined, getToken: () => undefined },
      { token: undefined, getToken: async () => '' },
    ]) {
      const { req } = await exchange([], () => client(options).listTools());
      assert.equal(req.headers.authorization, undefined);
    }
  });

  it('getToken is called per request (rotation)', async () => {
    let n = 0;
    const c = client({ token: undefined, getToken: async () => `tok-${++n}` });
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++)
      seen.push((await exchange([], () => c.listTools())).req.headers.authorization);
    assert.deepEqual(seen, ['Bearer tok-1', 'Bearer tok-2', 'Bearer tok-3']);
  });

  it('token wins over getToken', async () => {
    const c = client({
      token: 'fixed',
      getToken: () => {
        throw new Error('must not be called');
      },
    });
    assert.equal((await exchange([], () => c.listTools())).req.headers.authorization, 'Bearer fixed');
  });

  it('a getToken failure propagates unchanged and sends nothing', async () => {
    const failure = new Error('token store down');
    const count = server.requests.length;
    await assert.rejects(
      client({ token: undefined, getToken: () => Promise.reject(failure) }).listTools(),
      failure,
    );
    assert.equal(server.requests.length, count);
  });

  it('with resolveSessionToken, a rotated token file is picked up by the next request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ati-client-rotate-'));
    try {
      const file = join(dir, 'session_token');
      const env = { ATI_SESSION_TOKEN_FILE: file };
      const c = client({ token: undefined, getToken: () => resolveSessionToken({ env }) });
      assert.equal(
        (await exchange([], () => c.listTools())).req.headers.authorization,
        undefined,
        'no file yet',
      );
      await writeFile(file, 'tok-v1\n');
      assert.equal((await exchange([], () => c.listTools())).req.headers.authorization, 'Bearer tok-v1');
      // atomic rotation, as contract §6 asks of orchestrators
      await writeFile(join(dir, 'next'), 'tok-v2\n');
      await rename(join(dir, 'next'), file);
      assert.equal((await exchange([], () => c.listTools())).req.headers.authorization, 'Bearer tok-v2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('userAgent is sent when set', async () => {
    const { req } = await exchange(HEALTH, () => client({ userAgent: 'my-orchestrator/1.0' }).health());
    assert.equal(req.headers['user-agent'], 'my-orchestrator/1.0');
  });
});

describe('getSkillBundles batching', () => {
  it(`120 names → 3 requests of ≤ ${SKILL_BUNDLE_BATCH_LIMIT}, merged in request order`, async () => {
    const names = Array.from({ length: 120 }, (_, i) => `s${i}`);
    const batches: string[][] = [];
    server.handle((req, res, seen) => {
      const parsed: unknown = JSON.parse(seen.body);
      assert.ok(isRecord(parsed) && isStringArray(parsed.names));
      const batch = parsed.names;
      batches.push(batch);
      const skills: Record<string, { files: Record<string, string> }> = {};
      const missing: string[] = [];
      for (const name of batch) {
        const i = Number(name.slice(1));
        if (i % 3 === 0) missing.push(name);
        else skills[name] = { files: { 'SKILL.md': name } };
      }
      json(200, { skills, missing })(req, res, seen);
    });
    const result = await client().getSkillBundles(names);
    assert.deepEqual(
      batches.map((b) => b.length),
      [50, 50, 20],
    );
    assert.deepEqual(batches.flat(), names);
    assert.deepEqual(
      result.missing,
      names.filter((_, i) => i % 3 === 0),
    );
    const found = names.filter((_, i) => i % 3 !== 0);
    assert.deepEqual(Object.keys(result.skills).sort(), [...found].sort());
    for (const name of found) assert.deepEqual(result.skills[name], { files: { 'SKILL.md': name } });
  });

  it('exactly 50 names → one request; 51 → two; none → no request', async () => {
    for (const [count, requests] of [
      [50, 1],
      [51, 2],
      [0, 0],
    ] as const) {
      server.handle(json(200, { skills: {}, missing: [] }));
      const before = server.requests.length;
      const result = await client().getSkillBundles(Array.from({ length: count }, (_, i) => `n${i}`));
      assert.equal(server.requests.length - before, requests);
      assert.deepEqual(result, { skills: {}, missing: [] });
    }
  });

  it('a server-provided "__proto__" key stays plain data', async () => {
    server.handle((_req, res) => {
      const text = '{"missing":[],"skills":{"__proto__":{"files":{"x":"y"}}}}';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
    const result = await client().getSkillBundles(['__proto__']);
    assert.ok(Object.hasOwn(result.skills, '__proto__'));
    assert.equal(Object.getPrototypeOf(result.skills), Object.prototype);
    assert.deepEqual(Object.keys(result.skills), ['__proto__']);
  });

  it('the first failing batch rejects the call', async () => {
    let n = 0;
    server.handle((req, res, seen) => {
      n++;
      if (n === 2) json(400, { error: 'batch size 51 exceeds limit of 50' })(req, res, seen);
      else json(200, { skills: {}, missing: [] })(req, res, seen);
    });
    await rejectsWith(
      client().getSkillBundles(Array.from({ length: 120 }, (_, i) => `n${i}`)),
      'ERR_PROXY_HTTP',
    );
    assert.equal(n, 2, 'no request after the failure');
  });
});

describe('configuration', () => {
  it('trailing slashes are stripped; a base path is kept', async () => {
    assert.equal(new AtiProxyClient({ proxyUrl: `${server.url}///` }).proxyUrl, server.url);
    const c = new AtiProxyClient({ proxyUrl: `${server.url}/ati/v1/` });
    assert.equal(c.proxyUrl, `${server.url}/ati/v1`);
    server.handle(json(200, HEALTH));
    const count = server.requests.length;
    await c.health();
    assert.equal(server.requests[count]?.url, '/ati/v1/health');
  });

  const bad: [string, Record<string, unknown>][] = [
    ['proxyUrl missing', {}],
    ['proxyUrl not a string', { proxyUrl: 8090 }],
    ['proxyUrl empty', { proxyUrl: '' }],
    ['proxyUrl relative', { proxyUrl: '/ati' }],
    ['proxyUrl ftp', { proxyUrl: 'ftp://host/' }],
    ['proxyUrl file', { proxyUrl: 'file:///run/ati' }],
    ['proxyUrl with credentials', { proxyUrl: 'http://user:pw@host/' }],
    ['proxyUrl with a query', { proxyUrl: 'http://host/?a=1' }],
    ['proxyUrl with a fragment', { proxyUrl: 'http://host/#x' }],
    ['timeoutMs 0', { timeoutMs: 0 }],
    ['timeoutMs negative', { timeoutMs: -1 }],
    ['timeoutMs fractional', { timeoutMs: 1.5 }],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }],
    ['timeoutMs Infinity', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['timeoutMs past setTimeout range', { timeoutMs: 2 ** 31 }],
    ['timeoutMs string', { timeoutMs: '1000' }],
    ['retries negative', { retries: -1 }],
    ['retries 11', { retries: 11 }],
    ['retries fractional', { retries: 0.5 }],
    ['maxResponseBytes 0', { maxResponseBytes: 0 }],
    ['maxResponseBytes unsafe', { maxResponseBytes: 2 ** 53 }],
    ['token not a string', { token: 42 }],
    ['token with CR/LF', { token: 'a\r\nb' }],
    ['getToken not a function', { getToken: 'tok' }],
    ['fetch not a function', { fetch: {} }],
    ['userAgent with a newline', { userAgent: 'a\nb' }],
    ['userAgent empty', { userAgent: '' }],
  ];
  for (const [label, options] of bad) {
    it(`refuses ${label} at construction`, () => {
      const input =
        'proxyUrl' in options || label === 'proxyUrl missing'
          ? options
          : { proxyUrl: server.url, ...options };
      try {
        // Reflect.construct: deliberately ill-typed configuration, without a cast.
        Reflect.construct(AtiProxyClient, [input]);
      } catch (error) {
        assert.ok(
          error instanceof Error && 'code' in error && error.code === 'ERR_INVALID_ARGUMENT',
          String(error),
        );
        for (const text of renderings(error)) assert.ok(!text.includes('pw@'), 'credentials not echoed');
        return;
      }
      assert.fail('expected ERR_INVALID_ARGUMENT');
    });
  }

  it('per-call timeoutMs and signal are validated', async () => {
    await rejectsWith(client().health({ timeoutMs: 0 }), 'ERR_INVALID_ARGUMENT');
    await rejectsWith(
      // @ts-expect-error deliberately not an AbortSignal
      client().health({ signal: { aborted: false } }),
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('argument types are checked before anything is sent', async () => {
    const count = server.requests.length;
    // @ts-expect-error deliberately ill-typed
    await rejectsWith(client().resolveSkills('tool:x'), 'ERR_INVALID_ARGUMENT');
    // @ts-expect-error deliberately ill-typed
    await rejectsWith(client().getSkillBundles([1]), 'ERR_INVALID_ARGUMENT');
    // @ts-expect-error deliberately ill-typed
    await rejectsWith(client().call(undefined), 'ERR_INVALID_ARGUMENT');
    await rejectsWith(client().help('q', { tool: '\udc00' }), 'ERR_INVALID_ARGUMENT');
    await rejectsWith(client().getSkillatiFile('a', ''), 'ERR_INVALID_ARGUMENT');
    assert.equal(server.requests.length, count);
  });

  it('works with an injected fetch', async () => {
    const urls: string[] = [];
    const c = new AtiProxyClient({
      proxyUrl: 'http://proxy.invalid',
      fetch: async (input) => {
        urls.push(String(input));
        return new Response(JSON.stringify(HEALTH), { status: 200 });
      },
    });
    assert.deepEqual(await c.health(), HEALTH);
    assert.deepEqual(urls, ['http://proxy.invalid/health']);
  });
});
