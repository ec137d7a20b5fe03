/**
 * AtiAdminClient on the wire and against a misbehaving server (a real
 * node:http server on 127.0.0.1 answering what a broken proxy might): the
 * exact requests of contract §9, and responses that must not leak the raw key
 * or the admin token into an error.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AtiAdminClient } from '../../src/virtual-keys/admin-client.ts';
import { json, raw, rejectsWith, renderings, startServer, type TestServer } from '../helpers/http.ts';

const ADMIN_TOKEN = 'wire-admin-token-0f1e2d3c4b5a69788796a5b4';
const RAW = 'ati-key_Zm9vYmFyYmF6cXV4cXV1eA';
const HASH = 'a'.repeat(64);
const KEY = {
  blocked: false,
  categories: [],
  created_at: '2026-12-06T19:24:31.123456Z',
  created_by: null,
  error_count: 0,
  expires_at: null,
  key_alias: 'job',
  last_used_at: null,
  metadata: {},
  providers: [],
  request_count: 0,
  skills: [],
  token_hash: HASH,
  tools: ['web_search'],
  user_id: 'u',
};

let server: TestServer;
let admin: AtiAdminClient;
before(async () => {
  server = await startServer();
  admin = new AtiAdminClient({ proxyUrl: `${server.url}/base/`, adminToken: ADMIN_TOKEN });
});
after(() => server.close());

const last = () => server.requests.at(-1)!;

function clean(err: unknown): void {
  for (const text of renderings(err)) {
    assert.ok(!text.includes(ADMIN_TOKEN), text);
    assert.ok(!text.includes(RAW), text);
  }
}

describe('requests as contract §9 writes them', () => {
  it('issue: POST JSON with snake_case fields, only those given; Bearer admin token', async () => {
    server.handle(json(201, { alias: 'job', expires_at: '2026-12-06T20:24:31Z', hash: HASH, raw_key: RAW }));
    const key = await admin.issueKey({
      userId: 'u',
      alias: 'job',
      tools: ['web_search'],
      expiresInSeconds: 3600,
      metadata: { a: 1 },
      createdBy: 'orch',
    });
    assert.equal(key.rawKey, RAW);
    assert.equal(key.expiresAt?.toISOString(), '2026-12-06T20:24:31.000Z');
    const seen = last();
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/base/admin/keys/issue');
    assert.equal(seen.headers.authorization, `Bearer ${ADMIN_TOKEN}`);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen.body), {
      user_id: 'u',
      alias: 'job',
      tools: ['web_search'],
      expires_in_secs: 3600,
      metadata: { a: 1 },
      created_by: 'orch',
    });
  });

  it('get, revoke (?by=), bulk-revoke and list', async () => {
    server.handle(json(200, KEY));
    const info = await admin.getKey(HASH);
    assert.equal(
      info.createdAt.toISOString(),
      '2026-12-06T19:24:31.123Z',
      'microseconds cut to milliseconds',
    );
    assert.equal(last().url, `/base/admin/keys/${HASH}`);
    server.handle(json(200, { revoked: true }));
    assert.equal(await admin.revokeKey(HASH, { by: 'a b&c' }), true);
    assert.deepEqual([last().method, last().url], ['DELETE', `/base/admin/keys/${HASH}?by=a+b%26c`]);
    await admin.revokeKey(HASH);
    assert.equal(last().url, `/base/admin/keys/${HASH}`, 'no by: the proxy defaults to admin');
    server.handle(json(200, { revoked: 3 }));
    assert.equal(await admin.bulkRevoke({ aliasPrefix: 'job-', hashes: [HASH] }), 3);
    assert.deepEqual(JSON.parse(last().body), { alias_prefix: 'job-', hashes: [HASH] });
    server.handle(json(200, { sessions: [KEY, KEY] }));
    assert.equal((await admin.listKeys('u 1/ü')).length, 2);
    assert.equal(last().url, '/base/admin/keys?user_id=u+1%2F%C3%BC');
  });
});

describe('a misbehaving server', () => {
  it('a truncated issue response quoting the raw key: INVALID_RESPONSE with no cause that could quote it', async () => {
    server.handle(raw(201, `{"alias":"job","raw_key":"${RAW}`));
    const err = await rejectsWith(admin.issueKey({ userId: 'u', alias: 'a' }), 'ERR_PROXY_INVALID_RESPONSE');
    assert.equal(err.cause, undefined);
    clean(err);
  });

  const shapes: [string, unknown][] = [
    ['no raw_key', { alias: 'a', expires_at: null, hash: HASH }],
    ['a hash that is not hex', { alias: 'a', expires_at: null, hash: 'x', raw_key: RAW }],
    ['a raw key with a newline', { alias: 'a', expires_at: null, hash: HASH, raw_key: `${RAW}\n` }],
    ['an expiry that is not RFC 3339', { alias: 'a', expires_at: 'tomorrow', hash: HASH, raw_key: RAW }],
  ];
  for (const [name, body] of shapes) {
    it(`issue response with ${name}: INVALID_RESPONSE, the key not quoted`, async () => {
      server.handle(json(201, body));
      clean(await rejectsWith(admin.issueKey({ userId: 'u', alias: 'a' }), 'ERR_PROXY_INVALID_RESPONSE'));
    });
  }

  for (const [name, patch] of [
    ['a timestamp with an offset', { created_at: '2026-12-06T19:24:31+01:00' }],
    ['a negative count', { request_count: -1 }],
    ['tools not strings', { tools: [1] }],
    ['no metadata', { metadata: undefined }],
  ] as const) {
    it(`key object with ${name}: INVALID_RESPONSE`, async () => {
      server.handle(json(200, { ...KEY, ...patch }));
      await rejectsWith(admin.getKey(HASH), 'ERR_PROXY_INVALID_RESPONSE');
    });
  }

  it('an error text echoing the admin token is redacted', async () => {
    server.handle(json(500, { error: `sqlx error: bad auth ${ADMIN_TOKEN}` }));
    const err = await rejectsWith(admin.listKeys('u'), 'ERR_ADMIN_SERVER_ERROR');
    assert.match(err.message, /\[REDACTED\]/);
    clean(err);
  });

  it('503 with the proxy’s JSON body keeps its text', async () => {
    server.handle(json(503, { error: 'admin endpoints require ATI_DB_URL + ATI_ADMIN_TOKEN' }));
    const err = await rejectsWith(admin.getKey(HASH), 'ERR_ADMIN_UNAVAILABLE');
    assert.equal(
      err.message,
      `GET /admin/keys/${HASH} failed: 503 admin endpoints require ATI_DB_URL + ATI_ADMIN_TOKEN`,
    );
  });

  it('a status outside §9 stays ERR_PROXY_HTTP', async () => {
    server.handle(json(418, { error: 'teapot' }));
    await rejectsWith(admin.listKeys('u'), 'ERR_PROXY_HTTP');
  });

  it('DELETE and POST are never retried after a connection reset; GET is', async () => {
    server.handle((req: IncomingMessage) => {
      req.socket.resetAndDestroy();
    });
    const before = server.requests.length;
    await rejectsWith(admin.revokeKey(HASH), 'ERR_PROXY_NETWORK');
    assert.equal(server.requests.length - before, 1);
    await rejectsWith(admin.bulkRevoke({ userId: 'u' }), 'ERR_PROXY_NETWORK');
    assert.equal(server.requests.length - before, 2);
    await rejectsWith(admin.listKeys('u'), 'ERR_PROXY_NETWORK');
    assert.equal(server.requests.length - before, 5, 'one attempt and two retries');
  });
});
