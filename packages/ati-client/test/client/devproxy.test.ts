/**
 * Every AtiProxyClient method against the dev proxy over real HTTP on
 * 127.0.0.1, with real tokens: the two sides of the same contract agree.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import type { ProxyError } from '../../src/errors.ts';
import { generateKeyPair, toJwks } from '../../src/jws/keys.ts';
import { issueToken } from '../../src/token/issue.ts';
import { SECRET } from '../helpers/constants.ts';
import { rejectsWith, renderings } from '../helpers/http.ts';

let proxy: RunningDevProxy;
let token: string;
let client: AtiProxyClient;

before(async () => {
  proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET });
  token = await issueToken({
    secret: SECRET,
    sub: 'client-test',
    scope: 'tool:finnhub:quote tool:web_search skill:market-research skill:sec-filings',
    rate: { 'tool:web_search': '1/minute' },
  });
  client = new AtiProxyClient({ proxyUrl: proxy.url, token });
});
after(() => proxy.close());

describe('AtiProxyClient ⇄ dev proxy', () => {
  it('health and jwks (public)', async () => {
    const health = await client.health();
    assert.equal(health.status, 'ok');
    assert.equal(health.auth, 'jwt');
    const err = await rejectsWith(client.jwks(), 'ERR_PROXY_HTTP');
    assert.equal((err as ProxyError).status, 404);
    assert.equal((err as ProxyError).proxyError, 'JWKS not configured');
  });

  it('jwks with ES256 matches toJwks in the proxy shape', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const es = await startDevProxy({ ...sampleFixtures, publicKey });
    try {
      const c = new AtiProxyClient({
        proxyUrl: es.url,
        token: await issueToken({ privateKey, sub: 'es', scope: 'tool:web_search' }),
      });
      assert.deepEqual(await c.jwks(), toJwks(publicKey, { format: 'ati' }));
      assert.deepEqual((await c.listTools()).map((t) => t.name).sort(), ['web_fetch', 'web_search']);
    } finally {
      await es.close();
    }
  });

  it('listTools is scope-filtered; getTool 404s out-of-scope tools like missing ones', async () => {
    const names = (await client.listTools()).map((t) => t.name).sort();
    assert.deepEqual(names, ['finnhub:quote', 'web_fetch', 'web_search']);
    assert.deepEqual(
      (await client.listTools({ provider: 'finnhub' })).map((t) => t.name),
      ['finnhub:quote'],
    );
    const tool = await client.getTool('finnhub:quote');
    assert.equal(tool.provider, 'finnhub');
    assert.deepEqual(tool.skills, ['market-research']);
    const hidden = (await rejectsWith(
      client.getTool('finnhub:company_news'),
      'ERR_PROXY_HTTP',
    )) as ProxyError;
    const missing = (await rejectsWith(client.getTool('nope'), 'ERR_PROXY_HTTP')) as ProxyError;
    assert.equal(hidden.status, 404);
    assert.equal(hidden.proxyError, "Tool 'finnhub:company_news' not found");
    assert.equal(missing.proxyError, "Tool 'nope' not found");
  });

  it('skills: list, get (default, meta), resolve, bundles', async () => {
    const skills = await client.listSkills();
    assert.ok(skills.some((s) => s.name === 'market-research'));
    const detail = await client.getSkill('market-research');
    assert.match(detail.content, /market/i);
    const meta = await client.getSkill('market-research', { meta: true });
    assert.ok(Array.isArray(meta.tools));
    const resolved = await client.resolveSkills(['skill:market-research'], { includeContent: true });
    assert.ok(resolved.some((r) => r.name === 'market-research' && typeof r.content === 'string'));
    assert.deepEqual(await client.resolveSkills(['*']), []);
    const bundle = await client.getSkillBundle('market-research');
    assert.equal(bundle.name, 'market-research');
    assert.ok(Object.values(bundle.files).some((v) => typeof v === 'object' && 'base64' in v));
    const names = [...Array.from({ length: 60 }, (_, i) => `nope-${i}`), 'market-research'];
    const batch = await client.getSkillBundles(names);
    assert.deepEqual(Object.keys(batch.skills), ['market-research']);
    assert.equal(batch.missing.length, 60);
    assert.deepEqual(batch.missing.slice(0, 2), ['nope-0', 'nope-1']);
  });

  it('skillati catalog (search capped at 25), skill, resources, refs', async () => {
    const all = await client.skillCatalog();
    assert.ok(all.skills.length > 0);
    const searched = await client.skillCatalog({ search: 'guide' });
    assert.ok(searched.skills.length <= 25);
    const s = await client.getSkillatiSkill('sec-filings');
    assert.equal(s.name, 'sec-filings');
    const res = await client.getSkillatiResources('sec-filings');
    assert.equal(res.name, 'sec-filings');
    const refs = await client.getSkillatiRefs('sec-filings');
    assert.equal(refs.name, 'sec-filings');
  });

  it('call: allowed, underscore alias, 403 denied, 429 rate-limited', async () => {
    const quote = await client.call('finnhub:quote', { symbol: 'MSFT' });
    assert.equal((quote as { symbol: string }).symbol, 'MSFT');
    const viaAlias = await client.call('finnhub_quote', { symbol: 'IBM' });
    assert.equal((viaAlias as { symbol: string }).symbol, 'IBM');
    const denied = (await rejectsWith(
      client.call('finnhub:company_news', {}),
      'ERR_PROXY_HTTP',
    )) as ProxyError;
    assert.equal(denied.status, 403);
    assert.equal(denied.proxyError, "Access denied: 'finnhub:company_news' is not in your scopes");
    proxy.handler.resetRateLimits();
    await client.call('web_search', { query: 'a' });
    const limited = (await rejectsWith(
      client.call('web_search', { query: 'b' }),
      'ERR_PROXY_HTTP',
    )) as ProxyError;
    assert.equal(limited.status, 429);
    assert.match(
      limited.proxyError ?? '',
      /^Rate limit exceeded for 'tool:web_search': 1\/minute \(limit: 1\/minute\)$/,
    );
    for (const text of renderings(limited)) assert.ok(!text.includes(token));
  });

  it('help answers', async () => {
    assert.equal(typeof (await client.help('how do I get a quote?')), 'string');
  });

  it('401 for no token, an expired token, a wrong key, and token errors never leak the token', async () => {
    const anon = new AtiProxyClient({ proxyUrl: proxy.url });
    assert.equal(((await rejectsWith(anon.listTools(), 'ERR_PROXY_HTTP')) as ProxyError).status, 401);
    const expired = await issueToken({
      secret: SECRET,
      sub: 'x',
      scope: '*',
      now: 1_700_000_000,
      ttlSeconds: 60,
    });
    const wrongKey = await issueToken({ secret: 'ab'.repeat(32), sub: 'x', scope: '*' });
    for (const t of [expired, wrongKey]) {
      const err = (await rejectsWith(
        new AtiProxyClient({ proxyUrl: proxy.url, token: t }).listTools(),
        'ERR_PROXY_HTTP',
      )) as ProxyError;
      assert.equal(err.status, 401);
      for (const text of renderings(err)) assert.ok(!text.includes(t));
    }
  });

  it('a token missing the scope sees nothing scoped and is refused on /call', async () => {
    const narrow = new AtiProxyClient({
      proxyUrl: proxy.url,
      token: await issueToken({ secret: SECRET, sub: 'n', scope: '' }),
    });
    assert.deepEqual(
      (await narrow.listTools()).map((t) => t.name),
      ['web_fetch'],
    );
    assert.equal(
      ((await rejectsWith(narrow.call('web_search', {}), 'ERR_PROXY_HTTP')) as ProxyError).status,
      403,
    );
  });
});

it('an abort while getToken() is pending sends nothing', async () => {
  let requests = 0;
  const controller = new AbortController();
  const c = new AtiProxyClient({
    proxyUrl: proxy.url,
    fetch: async (...args: Parameters<typeof fetch>) => {
      requests++;
      return fetch(...args);
    },
    getToken: async () => {
      controller.abort();
      return token;
    },
  });
  await rejectsWith(c.listTools({ signal: controller.signal }), 'ERR_PROXY_ABORTED');
  assert.equal(requests, 0);
});
