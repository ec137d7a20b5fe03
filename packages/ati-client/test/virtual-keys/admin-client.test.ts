/**
 * AtiAdminClient and `Ati-Key` auth against the dev proxy over real HTTP on
 * 127.0.0.1, its keys in a real (embedded PGlite) Postgres: every method,
 * every admin status mapped to its code, scope filtering by virtual key, and
 * no admin token or raw key in any rendering of any error or object.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import { AtiError, ProxyError } from '../../src/errors.ts';
import { issueToken } from '../../src/token/issue.ts';
import { AtiAdminClient, IssuedVirtualKey } from '../../src/virtual-keys/admin-client.ts';
import { hashVirtualKey, isVirtualKey } from '../../src/virtual-keys/hash.ts';
import { SECRET } from '../helpers/constants.ts';
import { rejectsWith, renderings } from '../helpers/http.ts';
import { closeKeyDatabase, startKeyProxy } from '../helpers/virtual-keys.ts';

const ADMIN_TOKEN = 'admin-token-7f3c9e1d2b4a6f8e0c1d3b5a7f9e2c4d';

let proxy: RunningDevProxy;
let admin: AtiAdminClient;
/** Every raw key issued in this file: none may show up in any error or rendering. */
const rawKeys: string[] = [];
/** Every error seen in this file, checked for secrets at the end. */
const seen: unknown[] = [];

before(async () => {
  proxy = await startKeyProxy(ADMIN_TOKEN);
  admin = new AtiAdminClient({ proxyUrl: proxy.url, adminToken: ADMIN_TOKEN });
});
after(async () => {
  await proxy.close();
  await closeKeyDatabase();
});

let aliasCounter = 0;
const nextAlias = (label: string) => `${label}-${++aliasCounter}`;

async function issue(options: Partial<Parameters<AtiAdminClient['issueKey']>[0]> = {}) {
  const key = await admin.issueKey({ userId: 'u-main', alias: nextAlias('k'), ...options });
  rawKeys.push(key.rawKey);
  return key;
}

/** Await a rejection with `code`, remember it for the secret sweep, return it as a ProxyError. */
async function fails(promise: Promise<unknown>, code: string, status?: number): Promise<ProxyError> {
  const err = await rejectsWith(promise, code);
  seen.push(err);
  assert.ok(err instanceof ProxyError, `${code} is a ProxyError`);
  if (status !== undefined) assert.equal(err.status, status);
  return err;
}

function agent(rawKey: string): AtiProxyClient {
  return new AtiProxyClient({ proxyUrl: proxy.url, apiKey: rawKey });
}

describe('AtiAdminClient methods', () => {
  it('issueKey returns the raw key, its hash, alias and expiry', async () => {
    const before = Date.now();
    const key = await issue({ alias: 'job-1', tools: ['web_search'], expiresInSeconds: 600 });
    assert.ok(key instanceof IssuedVirtualKey);
    assert.ok(isVirtualKey(key.rawKey), 'the proxy shape');
    assert.equal(key.hash, await hashVirtualKey(key.rawKey));
    assert.equal(key.alias, 'job-1');
    assert.ok(key.expiresAt instanceof Date);
    const ms = key.expiresAt.getTime() - before;
    assert.ok(ms > 590_000 && ms < 610_000, `expires ${ms} ms from now`);
    const forever = await issue();
    assert.equal(forever.expiresAt, null);
  });

  it('getKey returns the typed key object with every field', async () => {
    const key = await issue({
      userId: 'u-get',
      alias: 'full',
      tools: ['web_search', 'finnhub:quote'],
      providers: ['github'],
      categories: ['finance'],
      skills: ['market-research'],
      expiresInSeconds: 3600,
      metadata: { job: 'j-1', attempt: 2, tags: ['a'] },
      createdBy: 'orchestrator-7',
    });
    const info = await admin.getKey(key.hash);
    assert.equal(info.hash, key.hash);
    assert.equal(info.alias, 'full');
    assert.equal(info.userId, 'u-get');
    assert.equal(info.blocked, false);
    assert.deepEqual(info.tools, ['web_search', 'finnhub:quote']);
    assert.deepEqual(info.providers, ['github']);
    assert.deepEqual(info.categories, ['finance']);
    assert.deepEqual(info.skills, ['market-research']);
    assert.deepEqual(info.metadata, { job: 'j-1', attempt: 2, tags: ['a'] });
    assert.equal(info.createdBy, 'orchestrator-7');
    assert.ok(info.createdAt instanceof Date && !Number.isNaN(info.createdAt.getTime()));
    assert.equal(info.expiresAt?.getTime(), key.expiresAt?.getTime());
    assert.equal(info.lastUsedAt, null);
    assert.equal(info.requestCount, 0);
    assert.equal(info.errorCount, 0);
    assert.equal(JSON.stringify(info).includes(key.rawKey), false);
  });

  it('listKeys: the user’s keys newest first, nobody else’s', async () => {
    const a = await issue({ userId: 'u-list', alias: 'first' });
    const b = await issue({ userId: 'u-list', alias: 'second' });
    await issue({ userId: 'u-other', alias: 'first' });
    const keys = await admin.listKeys('u-list');
    assert.deepEqual(
      keys.map((k) => k.hash),
      [b.hash, a.hash],
    );
    assert.ok(keys.every((k) => k.userId === 'u-list'));
    assert.deepEqual(await admin.listKeys('u-nobody'), []);
  });

  it('revokeKey: true, then false (revoking twice is not an error); the key then 404s', async () => {
    const key = await issue();
    assert.equal(await admin.revokeKey(key.hash, { by: 'test' }), true);
    assert.equal(await admin.revokeKey(key.hash), false);
    await fails(admin.getKey(key.hash), 'ERR_ADMIN_KEY_NOT_FOUND', 404);
    assert.equal(await admin.revokeKey('0'.repeat(64)), false, 'never issued');
  });

  it('bulkRevoke by user, by literal alias prefix, by hashes; filters are AND-ed', async () => {
    const user = 'u-bulk';
    const plain = await issue({ userId: user, alias: 'job-a' });
    const pct = await issue({ userId: user, alias: 'j%b' });
    const under = await issue({ userId: user, alias: 'j_c' });
    const other = await issue({ userId: 'u-bulk-2', alias: 'job-a' });
    // `%` and `_` are not wildcards: 'j%' matches only 'j%b', 'j_' only 'j_c'.
    assert.equal(await admin.bulkRevoke({ userId: user, aliasPrefix: 'j%' }), 1);
    assert.equal(await admin.bulkRevoke({ userId: user, aliasPrefix: 'j_' }), 1);
    assert.deepEqual(
      (await admin.listKeys(user)).map((k) => k.hash),
      [plain.hash],
    );
    await fails(admin.getKey(pct.hash), 'ERR_ADMIN_KEY_NOT_FOUND');
    await fails(admin.getKey(under.hash), 'ERR_ADMIN_KEY_NOT_FOUND');
    // hashes AND user: the other user's key is not touched.
    assert.equal(await admin.bulkRevoke({ userId: user, hashes: [plain.hash, other.hash], by: 't' }), 1);
    assert.equal((await admin.getKey(other.hash)).alias, 'job-a');
    assert.equal(await admin.bulkRevoke({ hashes: [other.hash] }), 1);
    assert.equal(await admin.bulkRevoke({ userId: user }), 0);
  });

  it('bulkRevoke without a non-blank filter is refused before sending (nothing revoked)', async () => {
    const key = await issue({ userId: 'u-nofilter' });
    for (const filters of [
      {},
      { userId: '' },
      { userId: '  ', aliasPrefix: '\t' },
      { hashes: [] },
      { by: 'x' },
    ]) {
      await rejectsWith(admin.bulkRevoke(filters), 'ERR_INVALID_ARGUMENT');
    }
    assert.equal((await admin.getKey(key.hash)).hash, key.hash);
  });
});

describe('every admin status has its code', () => {
  it('503 ERR_ADMIN_UNAVAILABLE: a proxy without an admin token', async () => {
    const bare = await startDevProxy({ ...sampleFixtures, secret: SECRET });
    try {
      const c = new AtiAdminClient({ proxyUrl: bare.url, adminToken: ADMIN_TOKEN });
      const err = await fails(c.listKeys('u'), 'ERR_ADMIN_UNAVAILABLE', 503);
      assert.match(err.message, /^GET \/admin\/keys failed: 503 admin API unavailable/);
      await fails(c.issueKey({ userId: 'u', alias: 'a' }), 'ERR_ADMIN_UNAVAILABLE', 503);
      // And Ati-Key auth without a key store is a 503 too (contract §4.0).
      const byKey = new AtiProxyClient({ proxyUrl: bare.url, apiKey: 'ati-key_AAAAAAAAAAAAAAAAAAAAAA' });
      const e = await fails(byKey.listTools(), 'ERR_PROXY_HTTP', 503);
      assert.equal(e.proxyError, undefined);
    } finally {
      await bare.close();
    }
  });

  it('401 ERR_ADMIN_UNAUTHORIZED: a wrong admin token, on every route', async () => {
    const wrong = new AtiAdminClient({ proxyUrl: proxy.url, adminToken: `${ADMIN_TOKEN}x` });
    const key = await issue();
    await fails(wrong.issueKey({ userId: 'u', alias: 'a' }), 'ERR_ADMIN_UNAUTHORIZED', 401);
    await fails(wrong.getKey(key.hash), 'ERR_ADMIN_UNAUTHORIZED', 401);
    await fails(wrong.revokeKey(key.hash), 'ERR_ADMIN_UNAUTHORIZED', 401);
    await fails(wrong.bulkRevoke({ userId: 'u-main' }), 'ERR_ADMIN_UNAUTHORIZED', 401);
    const err = await fails(wrong.listKeys('u'), 'ERR_ADMIN_UNAUTHORIZED', 401);
    assert.equal(err.message, 'GET /admin/keys failed: 401 admin token rejected');
    assert.equal((await admin.getKey(key.hash)).hash, key.hash, 'the failed revoke touched nothing');
  });

  it('404 ERR_ADMIN_KEY_NOT_FOUND: getKey of an unknown hash', async () => {
    const err = await fails(admin.getKey('f'.repeat(64)), 'ERR_ADMIN_KEY_NOT_FOUND', 404);
    assert.equal(err.proxyError, 'no such key');
  });

  it('400 ERR_ADMIN_INVALID_REQUEST: blank user id or alias, missing user_id query', async () => {
    const blankUser = await fails(
      admin.issueKey({ userId: ' ', alias: 'a' }),
      'ERR_ADMIN_INVALID_REQUEST',
      400,
    );
    assert.equal(blankUser.proxyError, 'user_id is required');
    const blankAlias = await fails(
      admin.issueKey({ userId: 'u', alias: '' }),
      'ERR_ADMIN_INVALID_REQUEST',
      400,
    );
    assert.equal(blankAlias.proxyError, 'key_alias is required');
    const list = await fails(admin.listKeys(''), 'ERR_ADMIN_INVALID_REQUEST', 400);
    assert.equal(list.proxyError, 'user_id query param required');
  });

  it('500 ERR_ADMIN_SERVER_ERROR with the proxy’s text: a duplicate (user, alias)', async () => {
    await issue({ userId: 'u-dup', alias: 'same' });
    const err = await fails(
      admin.issueKey({ userId: 'u-dup', alias: 'same' }),
      'ERR_ADMIN_SERVER_ERROR',
      500,
    );
    assert.match(err.proxyError ?? '', /^sqlx error: .*duplicate key/);
    assert.ok(err.message.includes(err.proxyError ?? '?'), 'the proxy text is in the message');
  });

  it('transport failures keep their ERR_PROXY_* codes', async () => {
    const closed = new AtiAdminClient({
      proxyUrl: 'http://127.0.0.1:9',
      adminToken: ADMIN_TOKEN,
      retries: 0,
    });
    await fails(closed.listKeys('u'), 'ERR_PROXY_NETWORK');
    const ac = new AbortController();
    ac.abort();
    await fails(admin.listKeys('u', { signal: ac.signal }), 'ERR_PROXY_ABORTED');
  });
});

describe('arguments are checked before anything is sent', () => {
  const bad: [string, () => Promise<unknown>][] = [
    ['a raw key passed as the hash', () => admin.getKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA')],
    ['an upper-case hash', () => admin.getKey('F'.repeat(64))],
    ['a short hash', () => admin.revokeKey('abc')],
    ['a path in the hash', () => admin.revokeKey(`../${'a'.repeat(61)}`)],
    ['a raw key among bulk hashes', () => admin.bulkRevoke({ hashes: ['ati-key_AAAAAAAAAAAAAAAAAAAAAA'] })],
    ['a negative lifetime', () => admin.issueKey({ userId: 'u', alias: 'a', expiresInSeconds: -1 })],
    ['a fractional lifetime', () => admin.issueKey({ userId: 'u', alias: 'a', expiresInSeconds: 1.5 })],
    ['tools not a list', () => admin.issueKey({ userId: 'u', alias: 'a', tools: 'web_search' as never })],
    ['a lone surrogate in the alias', () => admin.issueKey({ userId: 'u', alias: 'a\ud800' })],
    ['metadata that is not JSON', () => admin.issueKey({ userId: 'u', alias: 'a', metadata: Number.NaN })],
    ['a non-string user id', () => admin.listKeys(7 as never)],
  ];
  for (const [name, run] of bad) {
    it(`${name}: ERR_INVALID_ARGUMENT, never quoting it`, async () => {
      const err = await rejectsWith(run(), 'ERR_INVALID_ARGUMENT');
      for (const text of renderings(err)) assert.ok(!text.includes('ati-key_'), text);
    });
  }

  it('construction: adminToken required and header-safe, URL without credentials', () => {
    const rows: [string, Record<string, unknown>][] = [
      ['no token', { proxyUrl: proxy.url }],
      ['empty token', { proxyUrl: proxy.url, adminToken: '' }],
      ['token with a newline', { proxyUrl: proxy.url, adminToken: `${ADMIN_TOKEN}\nX: y` }],
      ['credentials in the URL', { proxyUrl: `http://a:${ADMIN_TOKEN}@127.0.0.1`, adminToken: ADMIN_TOKEN }],
    ];
    for (const [name, options] of rows) {
      assert.throws(
        () => new AtiAdminClient(options as never),
        (err: unknown) => {
          assert.ok(err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT', name);
          for (const text of renderings(err)) assert.ok(!text.includes(ADMIN_TOKEN), `${name}: ${text}`);
          return true;
        },
      );
    }
  });
});

describe('hostile input reaches the proxy as data', () => {
  it('a 1 MiB alias: ERR_ADMIN_SERVER_ERROR (the unique index refuses it), a bounded message, no row', async () => {
    const err = await fails(
      admin.issueKey({ userId: 'u-huge', alias: 'a'.repeat(1 << 20) }),
      'ERR_ADMIN_SERVER_ERROR',
      500,
    );
    assert.ok(err.message.length < 500, 'the message quotes a bounded piece of text');
    assert.deepEqual(await admin.listKeys('u-huge'), []);
  });

  it('NUL in a field: an ERR_ADMIN_* error from the database, nothing stored', async () => {
    const err = await fails(
      admin.issueKey({ userId: 'u-nul', alias: 'a\u0000b' }),
      'ERR_ADMIN_SERVER_ERROR',
      500,
    );
    assert.ok(!/\p{Cc}/u.test(err.message), 'controls are flattened in the message');
    assert.deepEqual(await admin.listKeys('u-nul'), []);
  });
});

describe('Ati-Key auth: a virtual key is a scope, filtered like a JWT', () => {
  /** Tool names visible to a client. */
  const tools = async (c: AtiProxyClient) => (await c.listTools()).map((t) => t.name).sort();
  const jwt = async (scope: string) =>
    new AtiProxyClient({ proxyUrl: proxy.url, token: await issueToken({ secret: SECRET, sub: 's', scope }) });

  it('tools, providers and skills grant exactly what the equivalent JWT scope grants', async () => {
    const byTool = await issue({ tools: ['finnhub:quote'] });
    assert.deepEqual(await tools(agent(byTool.rawKey)), await tools(await jwt('tool:finnhub:quote')));
    const byProvider = await issue({ providers: ['finnhub'] });
    assert.deepEqual(await tools(agent(byProvider.rawKey)), await tools(await jwt('tool:finnhub:*')));
    assert.ok((await tools(agent(byProvider.rawKey))).includes('finnhub:company_news'));
    const bySkill = await issue({ skills: ['market-research'] });
    assert.deepEqual(
      (await agent(bySkill.rawKey).listSkills()).map((s) => s.name),
      (await (await jwt('skill:market-research')).listSkills()).map((s) => s.name),
    );
    const byCategory = await issue({ categories: ['finance'] });
    assert.deepEqual(
      await tools(agent(byCategory.rawKey)),
      await tools(await jwt('category:finance')),
      'category scopes are inert: only what any token sees',
    );
    assert.ok(!(await tools(agent(byCategory.rawKey))).includes('finnhub:quote'));
  });

  it('call: in scope runs, out of scope is 403, hidden tools 404 on lookup', async () => {
    const key = await issue({ tools: ['finnhub:quote'] });
    const c = agent(key.rawKey);
    const quote = await c.call('finnhub:quote', { symbol: 'MSFT' });
    assert.equal((quote as { symbol: string }).symbol, 'MSFT');
    const denied = await fails(c.call('finnhub:company_news', {}), 'ERR_PROXY_HTTP', 403);
    assert.equal(denied.proxyError, "Access denied: 'finnhub:company_news' is not in your scopes");
    await fails(c.getTool('web_search'), 'ERR_PROXY_HTTP', 404);
  });

  it('no rate limits for virtual keys (ati namespace is none)', async () => {
    const key = await issue({ tools: ['web_search'] });
    for (let i = 0; i < 3; i++) await agent(key.rawKey).call('web_search', { query: `q${i}` });
  });

  it('revoked, expired and unknown keys are 401 with an empty body', async () => {
    const key = await issue({ tools: ['web_search'] });
    const c = agent(key.rawKey);
    assert.deepEqual(await tools(c), await tools(await jwt('tool:web_search')));
    await admin.revokeKey(key.hash);
    const revoked = await fails(c.listTools(), 'ERR_PROXY_HTTP', 401);
    assert.equal(revoked.proxyError, undefined);
    assert.equal(
      revoked.message,
      'GET /tools failed: 401 virtual key refused (revoked, blocked, expired or unknown)',
    );
    const expired = await issue({ tools: ['web_search'], expiresInSeconds: 0 });
    await fails(agent(expired.rawKey).listTools(), 'ERR_PROXY_HTTP', 401);
    await fails(agent('ati-key_AAAAAAAAAAAAAAAAAAAAAA').listTools(), 'ERR_PROXY_HTTP', 401);
  });

  it('apiKey is exclusive with token and getToken, and never quoted', () => {
    const apiKey = 'ati-key_AAAAAAAAAAAAAAAAAAAAAA';
    for (const other of [{ token: 'x.y.z' }, { getToken: () => 'x.y.z' }]) {
      assert.throws(
        () => new AtiProxyClient({ proxyUrl: proxy.url, apiKey, ...other }),
        (err: unknown) => {
          assert.ok(err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT');
          for (const text of renderings(err)) assert.ok(!text.includes(apiKey), text);
          return true;
        },
      );
    }
    assert.throws(
      () => new AtiProxyClient({ proxyUrl: proxy.url, apiKey: `${apiKey}\r\nX: 1` }),
      (err: unknown) => err instanceof AtiError && !String(err).includes(apiKey),
    );
  });
});

describe('redaction', () => {
  it('an issued key shows no raw key in inspect, JSON, String, spread or keys', async () => {
    const key = await issue({ expiresInSeconds: 60 });
    const renderingsOfKey = [
      inspect(key),
      inspect(key, { showHidden: true, depth: 10, getters: true }),
      inspect({ wrapped: key }, { depth: 10 }),
      JSON.stringify(key),
      JSON.stringify({ ...key }),
      String(key),
      Object.keys(key).join(','),
    ];
    for (const text of renderingsOfKey) assert.ok(!text.includes(key.rawKey), text);
    assert.ok(inspect(key).includes('[REDACTED]'));
    assert.deepEqual(JSON.parse(JSON.stringify(key)), {
      hash: key.hash,
      alias: key.alias,
      expiresAt: key.expiresAt?.toISOString(),
      rawKey: '[REDACTED]',
    });
  });

  it('the clients show no admin token or api key in inspect or JSON', () => {
    const c = agent(rawKeys[0] ?? 'ati-key_AAAAAAAAAAAAAAAAAAAAAA');
    for (const text of [
      inspect(admin),
      inspect(admin, { showHidden: true, depth: 10 }),
      JSON.stringify(admin),
      inspect(c, { showHidden: true, depth: 10 }),
      JSON.stringify(c),
    ]) {
      assert.ok(!text.includes(ADMIN_TOKEN), text);
      for (const raw of rawKeys) assert.ok(!text.includes(raw), text);
    }
    assert.equal(inspect(admin), `AtiAdminClient { proxyUrl: ${JSON.stringify(proxy.url)} }`);
  });

  it('no error seen in this file carries the admin token or a raw key (message, cause, stack, inspect, JSON)', () => {
    assert.ok(seen.length >= 20, `${seen.length} errors collected`);
    for (const err of seen) {
      for (const text of renderings(err)) {
        assert.ok(!text.includes(ADMIN_TOKEN), text);
        for (const raw of rawKeys) assert.ok(!text.includes(raw), text);
      }
    }
  });
});
