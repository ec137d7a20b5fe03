/**
 * Virtual keys on the dev proxy (contract §9, §9.1): the admin API, Ati-Key
 * auth and revocation across two dev proxies on one database ("two pods"),
 * each suite run on PGlite and on a real Postgres server started here.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { renderings } from '../../ati-client/test/helpers/http.ts';
import {
  createDevProxy,
  type DevKeyDatabase,
  type DevKeyEvent,
  openKeyDatabase,
  type RunningDevProxy,
  type StartDevProxyOptions,
  sampleFixtures,
  startDevProxy,
} from '../src/index.ts';
import { constantTimeEqual } from '../src/keys/admin.ts';
import { escapeLike, hashKey, rfc3339 } from '../src/keys/store.ts';
import { bearer, JSON_CT, raw, SECRET, token } from './helpers.ts';
import { postgresSkipReason, startTestPostgres, type TestPostgres } from './postgres-server.ts';

const ADMIN = 'admin-token-for-tests';
const ADMIN_H = { ...bearer(ADMIN), ...JSON_CT };
const KEY_FIELDS = [
  'blocked',
  'categories',
  'created_at',
  'created_by',
  'error_count',
  'expires_at',
  'key_alias',
  'last_used_at',
  'metadata',
  'providers',
  'request_count',
  'skills',
  'token_hash',
  'tools',
  'user_id',
];
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z$/;

interface Issued {
  raw_key: string;
  hash: string;
  alias: string;
  expires_at: string | null;
}

/** Where a suite runs: proxies on one database, and that database for direct checks. */
interface Backend {
  db: DevKeyDatabase;
  proxy(options?: StartDevProxyOptions): Promise<RunningDevProxy>;
}

const unique = (): string => randomUUID().slice(0, 8);

async function issue(url: string, body: Record<string, unknown>): Promise<Issued> {
  const res = await adminPost(url, '/admin/keys/issue', body);
  assert.equal(res.status, 201, res.text);
  return JSON.parse(res.text) as Issued;
}

/** POST a JSON body to an admin route with the admin token. */
function adminPost(url: string, path: string, body: unknown) {
  return raw(url, 'POST', path, ADMIN_H, JSON.stringify(body));
}

function withKey(rawKey: string): Record<string, string> {
  return { authorization: `Ati-Key ${rawKey}` };
}

async function count(db: DevKeyDatabase, sql: string, params: unknown[]): Promise<number> {
  const rows = await db.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return Number(rows[0]!.n);
}

/** Resolves with the first listener event of this type and hash. */
function nextEvent(events: DevKeyEvent[], waiters: Array<() => void>, match: (e: DevKeyEvent) => boolean) {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      if (events.some(match)) resolve();
      else waiters.push(check);
    };
    check();
  });
}

function adminSuite(backend: () => Backend): void {
  let url: string;
  let proxy: RunningDevProxy;
  before(async () => {
    proxy = await backend().proxy({ ...sampleFixtures, secret: SECRET, adminToken: ADMIN });
    url = proxy.url;
  });
  after(() => proxy.close());

  test('admin auth: 401 with an empty body for a missing, lowercase, longer or wrong bearer', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `bearer ${ADMIN}` },
      { authorization: `Bearer ${ADMIN}x` },
      { authorization: `Bearer ${ADMIN.slice(0, -1)}` },
      { authorization: `Bearer  ${ADMIN}` },
      { authorization: `Ati-Key ${ADMIN}` },
    ]) {
      for (const [method, path] of [
        ['GET', '/admin/keys?user_id=x'],
        ['POST', '/admin/keys/issue'],
        ['DELETE', '/admin/keys/abc'],
        ['PUT', '/admin/keys/abc'],
      ] as const) {
        const res = await raw(url, method, path, headers);
        assert.equal(res.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        assert.equal(res.text, '');
      }
    }
  });

  test('issue: 201, sorted keys, the hash is the SHA-256 hex of the whole raw key', async () => {
    const user = `u-${unique()}`;
    const res = await adminPost(url, '/admin/keys/issue', { user_id: user, alias: 'job-1' });
    assert.equal(res.status, 201);
    assert.match(
      res.text,
      /^\{"alias":"job-1","expires_at":null,"hash":"[0-9a-f]{64}","raw_key":"ati-key_[A-Za-z0-9_-]{22}"\}$/,
    );
    const body = JSON.parse(res.text) as Issued;
    assert.equal(body.hash, createHash('sha256').update(body.raw_key).digest('hex'));
  });

  test('get: the key object (15 sorted fields, RFC 3339 with Z, metadata as sent with sorted keys)', async () => {
    const user = `u-${unique()}`;
    const k = await issue(url, {
      user_id: user,
      alias: 'job-1',
      tools: ['finnhub:quote'],
      providers: ['web'],
      skills: ['s1'],
      categories: ['finance'],
      expires_in_secs: 3600,
      metadata: { z: 1, a: { '10': true, '9': 1.5 } },
      created_by: 'orch',
    });
    assert.match(k.expires_at!, TIMESTAMP);
    const res = await raw(url, 'GET', `/admin/keys/${k.hash}`, ADMIN_H);
    assert.equal(res.status, 200);
    const obj = JSON.parse(res.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(obj), KEY_FIELDS);
    assert.ok(res.text.includes('"metadata":{"a":{"10":true,"9":1.5},"z":1}'), res.text);
    assert.match(obj.created_at as string, TIMESTAMP);
    assert.equal(obj.expires_at, k.expires_at);
    assert.deepEqual(
      [obj.tools, obj.providers, obj.skills, obj.categories, obj.created_by, obj.blocked],
      [['finnhub:quote'], ['web'], ['s1'], ['finance'], 'orch', false],
    );
    assert.deepEqual([obj.request_count, obj.error_count, obj.last_used_at], [0, 0, null]);
    const plain = await issue(url, { user_id: user, alias: 'job-2' });
    const got = JSON.parse((await raw(url, 'GET', `/admin/keys/${plain.hash}`, ADMIN_H)).text);
    assert.deepEqual([got.metadata, got.created_by, got.expires_at], [null, null, null]);
  });

  test('Ati-Key: the synthetic scope filters every route; unknown, expired and revoked keys get an empty 401', async () => {
    const user = `u-${unique()}`;
    const k = await issue(url, { user_id: user, alias: 'a', tools: ['finnhub:quote'] });
    const tools = JSON.parse((await raw(url, 'GET', '/tools', withKey(k.raw_key))).text) as {
      name: string;
    }[];
    assert.deepEqual(tools.map((t) => t.name).sort(), ['finnhub:quote', 'web_fetch']);
    const call = (name: string) =>
      raw(
        url,
        'POST',
        '/call',
        withKey(k.raw_key),
        JSON.stringify({ tool_name: name, args: { symbol: 'X' } }),
      );
    assert.equal((await call('finnhub:quote')).status, 200);
    assert.equal((await call('web_search')).status, 403);
    const byProvider = await issue(url, { user_id: user, alias: 'b', providers: ['finnhub'] });
    const listed = JSON.parse((await raw(url, 'GET', '/tools', withKey(byProvider.raw_key))).text) as {
      name: string;
    }[];
    assert.deepEqual(listed.map((t) => t.name).sort(), [
      'finnhub:company_news',
      'finnhub:quote',
      'web_fetch',
    ]);
    const expired = await issue(url, {
      user_id: user,
      alias: 'c',
      tools: ['finnhub:quote'],
      expires_in_secs: 0,
    });
    for (const rawKey of [
      expired.raw_key,
      'ati-key_AAAAAAAAAAAAAAAAAAAAAA',
      `${k.raw_key}x`,
      ` ${k.raw_key}`,
      '',
    ]) {
      const res = await raw(url, 'GET', '/tools', withKey(rawKey));
      assert.equal(res.status, 401, rawKey);
      assert.equal(res.text, '');
    }
    // Ati-Key wins over a valid JWT in the same request: only one Authorization header, so its scheme decides.
    const jwt = await token('*', { now: Math.floor(Date.now() / 1000) });
    assert.equal((await raw(url, 'GET', '/tools', bearer(jwt))).status, 200);
    assert.equal((await raw(url, 'DELETE', `/admin/keys/${k.hash}`, ADMIN_H)).status, 200);
    assert.equal((await raw(url, 'GET', '/tools', withKey(k.raw_key))).status, 401);
  });

  test('duplicate (user_id, alias): 500 with the database text; the first key is untouched', async () => {
    const user = `u-${unique()}`;
    const first = await issue(url, { user_id: user, alias: 'job' });
    const res = await adminPost(url, '/admin/keys/issue', { user_id: user, alias: 'job' });
    assert.equal(res.status, 500);
    assert.equal(
      res.text,
      '{"error":"sqlx error: error returned from database: duplicate key value violates unique constraint \\"ati_keys_user_id_key_alias_key\\""}',
    );
    assert.equal(await count(backend().db, 'ati_keys WHERE user_id = $1', [user]), 1);
    assert.equal((await raw(url, 'GET', '/tools', withKey(first.raw_key))).status, 200);
  });

  test('revoke: soft delete, deleted_by, audit rows; a second revoke and a get are 404', async () => {
    const user = `u-${unique()}`;
    const k = await issue(url, { user_id: user, alias: 'job', created_by: 'orch-1' });
    const res = await raw(url, 'DELETE', `/admin/keys/${k.hash}?by=orch-2`, ADMIN_H);
    assert.deepEqual([res.status, res.text], [200, '{"revoked":true}']);
    for (const [method, path] of [
      ['DELETE', `/admin/keys/${k.hash}`],
      ['GET', `/admin/keys/${k.hash}`],
    ] as const) {
      const again = await raw(url, method, path, ADMIN_H);
      assert.deepEqual([again.status, again.text], [404, '{"error":"no such key"}']);
    }
    const db = backend().db;
    const [del] = await db.query(
      "SELECT deleted_by, snapshot->>'key_alias' AS alias, snapshot->>'created_by' AS created_by FROM ati_deleted_keys WHERE token_hash = $1",
      [k.hash],
    );
    assert.deepEqual({ ...del }, { deleted_by: 'orch-2', alias: 'job', created_by: 'orch-1' });
    const audit = await db.query(
      "SELECT actor, action, after_value->>'alias' AS alias, before_value->>'user_id' AS before_user FROM ati_audit_log WHERE target_id = $1 ORDER BY id",
      [k.hash],
    );
    assert.deepEqual(
      audit.map((r) => ({ ...r })),
      [
        { actor: 'orch-1', action: 'key.issue', alias: 'job', before_user: null },
        { actor: 'orch-2', action: 'key.revoke', alias: null, before_user: user },
      ],
    );
    // Without ?by= the actor is "admin".
    const k2 = await issue(url, { user_id: user, alias: 'job2' });
    await raw(url, 'DELETE', `/admin/keys/${k2.hash}`, ADMIN_H);
    const [row] = await db.query(
      "SELECT actor FROM ati_audit_log WHERE target_id = $1 AND action = 'key.revoke'",
      [k2.hash],
    );
    assert.equal(row!.actor, 'admin');
  });

  test('list: newest first, every key of the user only; user_id required', async () => {
    const user = `u-${unique()}`;
    const a = await issue(url, { user_id: user, alias: 'first' });
    await issue(url, { user_id: `${user}-other`, alias: 'x' });
    const b = await issue(url, { user_id: user, alias: 'second', expires_in_secs: 0 });
    const res = await raw(url, 'GET', `/admin/keys?user_id=${user}`, ADMIN_H);
    assert.equal(res.status, 200);
    const sessions = (JSON.parse(res.text) as { sessions: { token_hash: string; created_at: string }[] })
      .sessions;
    assert.deepEqual(new Set(sessions.map((s) => s.token_hash)), new Set([a.hash, b.hash]));
    assert.ok(sessions[0]!.created_at >= sessions[1]!.created_at);
    const missing = await raw(url, 'GET', '/admin/keys', ADMIN_H);
    assert.deepEqual([missing.status, missing.text], [400, '{"error":"user_id query param required"}']);
    const none = await raw(url, 'GET', '/admin/keys?user_id=', ADMIN_H);
    assert.deepEqual([none.status, none.text], [200, '{"sessions":[]}']);
  });

  test('list: at most 100 keys, as the proxy limits it', async () => {
    const user = `u-${unique()}`;
    for (let i = 0; i < 101; i++) await issue(url, { user_id: user, alias: `k${i}` });
    const res = await raw(url, 'GET', `/admin/keys?user_id=${user}`, ADMIN_H);
    assert.equal((JSON.parse(res.text) as { sessions: unknown[] }).sessions.length, 100);
  });

  test('bulk revoke: filters AND-ed; no filter, blank filters and [] are 400 and touch nothing', async () => {
    const user = `u-${unique()}`;
    const a = await issue(url, { user_id: user, alias: 'job-1' });
    const b = await issue(url, { user_id: user, alias: 'job-2' });
    const c = await issue(url, { user_id: user, alias: 'other' });
    const before = await count(backend().db, 'ati_keys', []);
    for (const body of [
      '{}',
      '{"user_id":"  ","alias_prefix":"\\t","hashes":[]}',
      '{"by":"x"}',
      '{"hashes":null}',
    ]) {
      const res = await raw(url, 'POST', '/admin/keys/bulk-revoke', ADMIN_H, body);
      assert.deepEqual(
        [res.status, res.text],
        [400, '{"error":"bulk_revoke requires at least one filter field"}'],
        body,
      );
    }
    assert.equal(await count(backend().db, 'ati_keys', []), before);
    const res = await adminPost(url, '/admin/keys/bulk-revoke', {
      user_id: user,
      alias_prefix: 'job-',
      hashes: [a.hash, c.hash],
      by: 'sweeper',
    });
    assert.deepEqual([res.status, res.text], [200, '{"revoked":1}']);
    assert.equal((await raw(url, 'GET', '/tools', withKey(a.raw_key))).status, 401);
    assert.equal((await raw(url, 'GET', '/tools', withKey(b.raw_key))).status, 200);
    assert.equal((await raw(url, 'GET', '/tools', withKey(c.raw_key))).status, 200);
    const [audit] = await backend().db.query(
      "SELECT actor FROM ati_audit_log WHERE target_id = $1 AND action = 'key.bulk_revoke'",
      [a.hash],
    );
    assert.equal(audit!.actor, 'sweeper');
  });

  test('bulk revoke: % and _ in alias_prefix match literally', async () => {
    const user = `u-${unique()}`;
    const keys = await Promise.all(
      ['50%-off', '50x-off', 'a_b', 'axb', 'c\\d', 'cd'].map((alias) => issue(url, { user_id: user, alias })),
    );
    const revoke = async (prefix: string): Promise<string> =>
      (await adminPost(url, '/admin/keys/bulk-revoke', { user_id: user, alias_prefix: prefix })).text;
    assert.equal(await revoke('%'), '{"revoked":0}');
    assert.equal(await revoke('_'), '{"revoked":0}');
    assert.equal(await revoke('50%'), '{"revoked":1}');
    assert.equal(await revoke('a_'), '{"revoked":1}');
    assert.equal(await revoke('c\\'), '{"revoked":1}');
    const left = (
      await backend().db.query('SELECT key_alias FROM ati_keys WHERE user_id = $1 ORDER BY key_alias', [user])
    ).map((r) => r.key_alias);
    assert.deepEqual(left, ['50x-off', 'axb', 'cd']);
    assert.equal(keys.length, 6);
  });

  test('request validation: extractor errors, blank fields, expiry overflow, wrong methods', async () => {
    const post = (body: string, headers: Record<string, string> = ADMIN_H) =>
      raw(url, 'POST', '/admin/keys/issue', headers, body);
    const cases: [string, number, string | RegExp][] = [
      ['{"user_id":" ","alias":"a"}', 400, '{"error":"user_id is required"}'],
      ['{"user_id":"u","alias":"\\n"}', 400, '{"error":"key_alias is required"}'],
      [
        '{"user_id":"u","alias":"a","expires_in_secs":9223372036854776}',
        400,
        '{"error":"expires_in overflows chrono::Duration"}',
      ],
      [
        '{"user_id":"u","alias":"far","expires_in_secs":9000000000000}',
        500,
        '{"error":"`DateTime + TimeDelta` overflowed"}',
      ],
      [
        '{"user_id":"u"}',
        422,
        /^Failed to deserialize the JSON body into the target type: missing field `alias` at line 1 column 15$/,
      ],
      [
        '{"user_id":"u","alias":"a","expires_in_secs":-1}',
        422,
        /expires_in_secs: invalid value: integer `-1`, expected u64/,
      ],
      [
        '{"user_id":"u","alias":"a","expires_in_secs":1.5}',
        422,
        /expires_in_secs: invalid type: floating point `1.5`, expected u64/,
      ],
      [
        '{"user_id":"u","alias":"a","tools":"x"}',
        422,
        /tools: invalid type: string "x", expected a sequence/,
      ],
      ['{"user_id":', 400, /^Failed to parse the request body as JSON: /],
    ];
    for (const [body, status, expected] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, body);
      if (typeof expected === 'string') assert.equal(res.text, expected, body);
      else assert.match(res.text, expected, body);
    }
    assert.equal((await post('{}', bearer(ADMIN))).status, 415);
    const notAllowed = [
      ['GET', '/admin/keys/issue', 'POST'],
      ['DELETE', '/admin/keys/bulk-revoke', 'POST'],
      ['POST', '/admin/keys/abc', 'GET,HEAD,DELETE'],
      ['DELETE', '/admin/keys', 'GET,HEAD'],
    ] as const;
    for (const [method, path, allow] of notAllowed) {
      const res = await raw(url, method, path, ADMIN_H);
      assert.deepEqual([res.status, res.headers.allow], [405, allow], `${method} ${path}`);
    }
    // Not admin routes: the main router's fallback, behind JWT auth.
    assert.equal((await raw(url, 'GET', '/admin/keys/', ADMIN_H)).status, 401);
    assert.equal((await raw(url, 'GET', '/admin/keys/a/b', ADMIN_H)).status, 401);
  });

  test('hostile input: NUL, non-UTF-8, a 1 MB alias, an oversized body: clear errors, no row touched', async () => {
    const user = `u-${unique()}`;
    const keep = await issue(url, { user_id: user, alias: 'keep' });
    const db = backend().db;
    const total = await count(db, 'ati_keys', []);
    const nul = [
      [{ user_id: `${user}\u0000`, alias: 'a' }, 'invalid byte sequence for encoding \\"UTF8\\": 0x00'],
      [
        { user_id: user, alias: 'a', tools: ['x\u0000'] },
        'invalid byte sequence for encoding \\"UTF8\\": 0x00',
      ],
      [{ user_id: user, alias: 'a', metadata: { k: '\u0000' } }, 'unsupported Unicode escape sequence'],
    ] as const;
    for (const [body, message] of nul) {
      const res = await adminPost(url, '/admin/keys/issue', body);
      assert.equal(res.status, 500, res.text);
      assert.ok(res.text.startsWith('{"error":"sqlx error: error returned from database: '), res.text);
      assert.ok(res.text.includes(message), res.text);
    }
    // Invalid UTF-8 inside a JSON string: the extractor's 400, before any database work.
    const bad = Buffer.concat([
      Buffer.from(`{"user_id":"${user}","alias":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const res = await raw(url, 'POST', '/admin/keys/issue', ADMIN_H, bad);
    assert.equal(res.status, 400);
    assert.match(res.text, /^Failed to parse the request body as JSON: .*invalid unicode code point/);
    // In the path: not UTF-8 is 400, NUL reaches the database.
    const badPath = await raw(url, 'GET', '/admin/keys/%FF', ADMIN_H);
    assert.deepEqual([badPath.status, badPath.text], [400, 'Invalid URL: Invalid UTF-8 in `hash`']);
    for (const method of ['GET', 'DELETE']) {
      const r = await raw(url, method, '/admin/keys/%00', ADMIN_H);
      assert.equal(r.status, 500, method);
      assert.ok(r.text.includes('0x00'), r.text);
    }
    const bulk = await adminPost(url, '/admin/keys/bulk-revoke', { user_id: `${user}\u0000` });
    assert.equal(bulk.status, 500);
    // A 1 MB alias of one repeated letter fits (Postgres compresses it); either way nothing else changes.
    const big = await adminPost(url, '/admin/keys/issue', { user_id: user, alias: 'x'.repeat(1 << 20) });
    assert.ok(big.status === 201 || big.status === 500, big.text.slice(0, 200));
    if (big.status === 201) {
      const prefix = await adminPost(url, '/admin/keys/bulk-revoke', {
        user_id: user,
        alias_prefix: 'x'.repeat(1 << 20),
      });
      assert.equal(prefix.text, '{"revoked":1}');
    }
    const huge = await adminPost(url, '/admin/keys/issue', { user_id: user, alias: 'y'.repeat(3 << 20) });
    assert.equal(huge.status, 413);
    assert.equal(await count(db, 'ati_keys', []), total);
    assert.equal((await raw(url, 'GET', '/tools', withKey(keep.raw_key))).status, 200);
  });
}

function podSuite(backend: () => Backend): void {
  let a: RunningDevProxy;
  let b: RunningDevProxy;
  const events: DevKeyEvent[] = [];
  const waiters: Array<() => void> = [];
  before(async () => {
    a = await backend().proxy({ ...sampleFixtures, secret: SECRET, adminToken: ADMIN });
    b = await backend().proxy({
      ...sampleFixtures,
      secret: SECRET,
      adminToken: ADMIN,
      onKeyEvent: (e) => {
        events.push(e);
        for (const w of waiters.splice(0)) w();
      },
    });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  test('a key revoked through one pod is refused by the other once its NOTIFY lands, not after the TTL', async () => {
    const k = await issue(a.url, { user_id: `u-${unique()}`, alias: 'job', tools: ['finnhub:quote'] });
    // b has never seen the key: a database read, then cached.
    assert.equal((await raw(b.url, 'GET', '/tools', withKey(k.raw_key))).status, 200);
    assert.equal((await raw(b.url, 'GET', '/tools', withKey(k.raw_key))).status, 200);
    assert.equal((await raw(a.url, 'DELETE', `/admin/keys/${k.hash}`, ADMIN_H)).status, 200);
    await nextEvent(events, waiters, (e) => e.type === 'revoked' && e.hash === k.hash);
    const res = await raw(b.url, 'GET', '/tools', withKey(k.raw_key));
    assert.deepEqual([res.status, res.text], [401, '']);
  });

  test('bulk revoke through one pod reaches the other, one NOTIFY per key', async () => {
    const user = `u-${unique()}`;
    const keys = [
      await issue(b.url, { user_id: user, alias: 'j1' }),
      await issue(b.url, { user_id: user, alias: 'j2' }),
    ];
    for (const k of keys) assert.equal((await raw(b.url, 'GET', '/tools', withKey(k.raw_key))).status, 200);
    const res = await adminPost(a.url, '/admin/keys/bulk-revoke', { user_id: user });
    assert.equal(res.text, '{"revoked":2}');
    for (const k of keys) {
      await nextEvent(events, waiters, (e) => e.type === 'revoked' && e.hash === k.hash);
      assert.equal((await raw(b.url, 'GET', '/tools', withKey(k.raw_key))).status, 401);
    }
  });

  test('two pods create the tables concurrently without failing', async () => {
    const [c, d] = await Promise.all([
      backend().proxy({ adminToken: ADMIN }),
      backend().proxy({ adminToken: ADMIN }),
    ]);
    await c.close();
    await d.close();
  });
}

describe('virtual keys on PGlite (embedded, the default)', () => {
  let db: DevKeyDatabase;
  const backend: Backend = {
    get db() {
      return db;
    },
    proxy: (options = {}) => startDevProxy({ ...options, keyDatabase: db }),
  };
  before(async () => {
    db = await openKeyDatabase();
  });
  after(() => db.close());
  describe('admin API', () => adminSuite(() => backend));
  describe('two pods on one database', () => podSuite(() => backend));

  test('property: LIKE escape_like(prefix) || % matches exactly the aliases starting with prefix', async () => {
    const text = fc.string({ unit: fc.constantFrom('%', '_', '\\', 'a', 'b', 'é'), maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(text, text, async (alias, prefix) => {
        const [row] = await db.query("SELECT $1::text LIKE $2::text ESCAPE '\\' AS hit", [
          alias,
          `${escapeLike(prefix)}%`,
        ]);
        assert.equal(row!.hit, alias.startsWith(prefix));
      }),
      { numRuns: 300 },
    );
  });

  test('dev mode (no JWT key): requests without a header pass, a bad Ati-Key is still 401', async () => {
    const p = await startDevProxy({ ...sampleFixtures, keyDatabase: db });
    try {
      assert.equal((await raw(p.url, 'GET', '/tools')).status, 200);
      const res = await raw(p.url, 'GET', '/tools', withKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA'));
      assert.deepEqual([res.status, res.text], [401, '']);
      // No admin token: the admin routes are closed even with a database.
      assert.equal((await raw(p.url, 'GET', '/admin/keys?user_id=x', ADMIN_H)).status, 503);
    } finally {
      await p.close();
    }
  });
});

const skip = postgresSkipReason();
describe('virtual keys on a real Postgres server', { skip }, () => {
  let server: TestPostgres;
  let db: DevKeyDatabase;
  const backend: Backend = {
    get db() {
      return db;
    },
    proxy: (options = {}) => startDevProxy({ ...options, databaseUrl: server.url }),
  };
  before(async () => {
    server = await startTestPostgres();
    db = await openKeyDatabase({ url: server.url });
  });
  after(async () => {
    await db?.close();
    await server?.stop();
  });
  describe('admin API', () => adminSuite(() => backend));
  describe('two pods on one server', () => podSuite(() => backend));

  test('the listener reconnects after the server drops its connection, and forgets its cache', async () => {
    const events: DevKeyEvent[] = [];
    const waiters: Array<() => void> = [];
    const p = await startDevProxy({
      ...sampleFixtures,
      secret: SECRET,
      adminToken: ADMIN,
      databaseUrl: server.url,
      onKeyEvent: (e) => {
        events.push(e);
        for (const w of waiters.splice(0)) w();
      },
    });
    try {
      const k = await issue(p.url, { user_id: `u-${unique()}`, alias: 'job' });
      await server.terminateConnections();
      // Revoked behind the proxy's back while its listener is down: the NOTIFY is lost.
      await db.query('DELETE FROM ati_keys WHERE token_hash = $1', [k.hash]);
      await nextEvent(events, waiters, (e) => e.type === 'reconnected');
      assert.equal((await raw(p.url, 'GET', '/tools', withKey(k.raw_key))).status, 401);
      // And the new connection listens.
      const k2 = await issue(p.url, { user_id: `u-${unique()}`, alias: 'job' });
      await raw(p.url, 'DELETE', `/admin/keys/${k2.hash}`, ADMIN_H);
      await nextEvent(events, waiters, (e) => e.type === 'revoked' && e.hash === k2.hash);
    } finally {
      await p.close();
    }
  });

  test('an unreachable databaseUrl fails startDevProxy with ERR_KEY_DATABASE, without the URL', async () => {
    const url = `postgres://user:hunter2@127.0.0.1:${server.port + 1}/x`;
    await assert.rejects(
      startDevProxy({ adminToken: ADMIN, databaseUrl: url }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ERR_KEY_DATABASE');
        assert.ok(!err.message.includes('hunter2'));
        return true;
      },
    );
  });
});

describe('virtual keys without a database', () => {
  test('no admin token: every admin route is 503 with an empty body; Ati-Key is 503', async () => {
    const p = await startDevProxy({ ...sampleFixtures, secret: SECRET });
    try {
      for (const [method, path] of [
        ['GET', '/admin/keys?user_id=x'],
        ['POST', '/admin/keys/issue'],
        ['POST', '/admin/keys/bulk-revoke'],
        ['GET', '/admin/keys/abc'],
        ['DELETE', '/admin/keys/abc'],
      ] as const) {
        const res = await raw(p.url, method, path, ADMIN_H);
        assert.deepEqual([res.status, res.text], [503, ''], `${method} ${path}`);
      }
      const res = await raw(p.url, 'GET', '/tools', withKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA'));
      assert.deepEqual([res.status, res.text], [503, '']);
      assert.match((await raw(p.url, 'GET', '/health')).text, /"db":"disabled"/);
    } finally {
      await p.close();
    }
  });

  test('a database that cannot be reached: ready rejects (ERR_KEY_DATABASE), admin 503 with the proxy body, Ati-Key 503', async () => {
    const proxy = createDevProxy({
      ...sampleFixtures,
      secret: SECRET,
      adminToken: ADMIN,
      databaseUrl: 'postgres://user:hunter2@127.0.0.1:1/x',
    });
    try {
      await assert.rejects(proxy.ready, (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ERR_KEY_DATABASE');
        assert.ok(!err.message.includes('hunter2'));
        return true;
      });
      const issued = await proxy.fetch(
        new Request('http://dev/admin/keys/issue', {
          method: 'POST',
          headers: ADMIN_H,
          body: JSON.stringify({ user_id: 'u', alias: 'a' }),
        }),
      );
      assert.deepEqual(
        [issued.status, await issued.text()],
        [503, '{"error":"admin endpoints require ATI_DB_URL + ATI_ADMIN_TOKEN"}'],
      );
      const keyed = await proxy.fetch(new Request('http://dev/tools', { headers: withKey('ati-key_x') }));
      assert.deepEqual([keyed.status, await keyed.text()], [503, '']);
      const health = await proxy.fetch(new Request('http://dev/health'));
      assert.match(await health.text(), /"db":"disabled"/);
    } finally {
      await proxy.close();
    }
  });

  test('admin routes skip the signature layer and JWT auth (enforce mode, no signature, no JWT)', async () => {
    const db = await openKeyDatabase();
    const p = await startDevProxy({
      ...sampleFixtures,
      secret: SECRET,
      adminToken: ADMIN,
      keyDatabase: db,
      signatures: { mode: 'enforce', secret: 'shh' },
    });
    try {
      const k = await issue(p.url, { user_id: `u-${unique()}`, alias: 'job' });
      assert.equal((await raw(p.url, 'GET', `/admin/keys/${k.hash}`, ADMIN_H)).status, 200);
      // The main router still checks signatures first, Ati-Key or not.
      assert.equal((await raw(p.url, 'GET', '/tools', withKey(k.raw_key))).status, 403);
      assert.match((await raw(p.url, 'GET', '/health')).text, /"db":"connected"/);
    } finally {
      await p.close();
      await db.close();
    }
  });
});

describe('virtual key helpers', () => {
  test('constant-time compare: equal only for equal strings, any length difference included', () => {
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'ab'), false);
    assert.equal(constantTimeEqual('ab', 'abc'), false);
    assert.equal(constantTimeEqual('abc', ''), false);
    assert.equal(constantTimeEqual('', 'abc'), false);
    const t = 'ati-admin-token-12345';
    assert.equal(constantTimeEqual(t, t + 'x'.repeat(65536)), false);
  });

  test('escape_like and chrono timestamps, as upstream', () => {
    assert.equal(escapeLike('foo_%bar'), 'foo\\_\\%bar');
    assert.equal(escapeLike('c:\\path'), 'c:\\\\path');
    assert.equal(rfc3339('2026-01-02T03:04:05.000000'), '2026-01-02T03:04:05Z');
    assert.equal(rfc3339('2026-01-02T03:04:05.120000'), '2026-01-02T03:04:05.120Z');
    assert.equal(rfc3339('2026-01-02T03:04:05.123456'), '2026-01-02T03:04:05.123456Z');
    assert.equal(rfc3339('12026-01-02T03:04:05.000000'), '+12026-01-02T03:04:05Z');
    assert.equal(rfc3339(null), null);
  });

  test('the §9 hash vector', async () => {
    assert.equal(
      await hashKey('ati-key_AAAAAAAAAAAAAAAAAAAAAA'),
      '26fb797e3c80b913640cab34c13407f667b2c3e45d6a65f0b77a9dc0a0994d76',
    );
  });
});

describe('a database URL never reaches an error (it may hold a password)', () => {
  for (const [what, url] of [
    ['a port out of range (the driver cannot parse it)', 'postgres://ati:S3cretPW@127.0.0.1:99999/ati'],
    ['nothing listening', 'postgres://ati:S3cretPW@127.0.0.1:1/ati'],
  ] as const) {
    test(what, async () => {
      const err = await openKeyDatabase({ url }).then(
        async (db) => {
          await db.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      assert.ok(err instanceof Error, 'opening must fail');
      assert.equal((err as { code?: unknown }).code, 'ERR_KEY_DATABASE');
      for (const text of renderings(err)) assert.ok(!text.includes('S3cretPW'), text);
    });
  }
});
