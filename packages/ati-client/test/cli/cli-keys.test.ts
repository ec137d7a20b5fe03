/**
 * `ati-client keys …` in-process against the dev proxy over real HTTP: each
 * command in text and --json, usage errors, and the admin token (and the raw
 * key, outside `issue`'s stdout) never printed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import { hashVirtualKey, isVirtualKey } from '../../src/virtual-keys/hash.ts';
import { type CliResult, cli } from '../helpers/cli.ts';
import { closeKeyDatabase, startKeyProxy } from '../helpers/virtual-keys.ts';

const ADMIN_TOKEN = 'cli-admin-token-5b2e8f0a9c7d4e1f';

let proxy: RunningDevProxy;
let env: Record<string, string>;
const outputs: CliResult[] = [];

before(async () => {
  proxy = await startKeyProxy(ADMIN_TOKEN);
  env = { ATI_PROXY_URL: proxy.url, ATI_ADMIN_TOKEN: ADMIN_TOKEN };
});
after(async () => {
  await proxy.close();
  await closeKeyDatabase();
});

async function keys(args: string[], e: Record<string, string | undefined> = env): Promise<CliResult> {
  const result = await cli(['keys', ...args], { env: e });
  outputs.push(result);
  return result;
}

describe('ati-client keys', () => {
  it('issue prints only the raw key on stdout; the rest on stderr', async () => {
    const r = await keys([
      'issue',
      '--user-id',
      'cli-u',
      '--alias',
      'cli-a',
      '--tool',
      'web_search',
      '--tool',
      'finnhub:quote',
      '--expires-in',
      '600',
      '--metadata',
      '{"job":7}',
      '--created-by',
      'ci',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const raw = r.stdout.trim();
    assert.ok(isVirtualKey(raw), r.stdout);
    const hash = await hashVirtualKey(raw);
    assert.match(r.stderr, new RegExp(`^issued "cli-a" hash ${hash} expires \\d{4}-.*Z\\n$`));
    assert.ok(!r.stderr.includes(raw));
    // The key works as an Ati-Key.
    const tools = await new AtiProxyClient({ proxyUrl: proxy.url, apiKey: raw }).listTools();
    assert.ok(tools.some((t) => t.name === 'finnhub:quote'));
  });

  it('issue --json, get, list, revoke (twice), in text and JSON', async () => {
    const issued = await keys([
      'issue',
      '--user-id',
      'cli-j',
      '--alias',
      'one',
      '--skill',
      'market-research',
      '--json',
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const body = JSON.parse(issued.stdout) as {
      rawKey: string;
      hash: string;
      alias: string;
      expiresAt: null;
    };
    assert.deepEqual(Object.keys(body), ['rawKey', 'hash', 'alias', 'expiresAt']);
    assert.equal(body.hash, await hashVirtualKey(body.rawKey));
    assert.equal(body.expiresAt, null);

    const got = await keys(['get', body.hash, '--json']);
    assert.equal(got.code, 0, got.stderr);
    const info = JSON.parse(got.stdout) as Record<string, unknown>;
    assert.equal(info.hash, body.hash);
    assert.deepEqual(info.skills, ['market-research']);
    assert.match(String(info.createdAt), /^\d{4}-\d{2}-\d{2}T.*Z$/);
    const gotText = await keys(['get', body.hash]);
    assert.match(gotText.stdout, new RegExp(`^hash\\t${body.hash}\\nalias\\tone\\n`));

    await keys(['issue', '--user-id', 'cli-j', '--alias', 'two']);
    const listed = await keys(['list', '--user-id', 'cli-j', '--json']);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { alias: string }[]).map((k) => k.alias),
      ['two', 'one'],
    );
    const listText = await keys(['list', '--user-id', 'cli-j']);
    assert.equal(listText.stdout.split('\n').filter(Boolean).length, 2);
    assert.match(listText.stdout, /^.*\t"one"\tactive\texpires never$/m);

    const revoked = await keys(['revoke', body.hash, '--by', 'cli-test']);
    assert.deepEqual([revoked.code, revoked.stdout], [0, `revoked ${body.hash}\n`]);
    const again = await keys(['revoke', body.hash, '--json']);
    assert.deepEqual([again.code, JSON.parse(again.stdout)], [1, { revoked: false }]);
    const gone = await keys(['get', body.hash, '--json']);
    assert.equal(gone.code, 1);
    assert.equal(JSON.parse(gone.stderr).error.code, 'ERR_ADMIN_KEY_NOT_FOUND');
  });

  it('bulk-revoke by user and literal alias prefix; prints the count', async () => {
    for (const alias of ['b%1', 'b-2', 'b-3']) await keys(['issue', '--user-id', 'cli-b', '--alias', alias]);
    const pct = await keys(['bulk-revoke', '--user-id', 'cli-b', '--alias-prefix', 'b%', '--json']);
    assert.deepEqual(JSON.parse(pct.stdout), { revoked: 1 });
    const rest = await keys(['bulk-revoke', '--user-id', 'cli-b']);
    assert.deepEqual([rest.code, rest.stdout], [0, 'revoked 2\n']);
  });

  it('hash: from an argument and from stdin (one trailing newline dropped)', async () => {
    const vector = '26fb797e3c80b913640cab34c13407f667b2c3e45d6a65f0b77a9dc0a0994d76';
    assert.equal((await keys(['hash', 'ati-key_AAAAAAAAAAAAAAAAAAAAAA'], {})).stdout, `${vector}\n`);
    const piped = await cli(['keys', 'hash', '-', '--json'], { stdin: 'ati-key_AAAAAAAAAAAAAAAAAAAAAA\n' });
    assert.deepEqual(JSON.parse(piped.stdout), { hash: vector });
  });

  it('admin failures exit 1 with the coded error', async () => {
    const wrong = await keys(['list', '--user-id', 'u'], { ...env, ATI_ADMIN_TOKEN: 'wrong-token' });
    assert.equal(wrong.code, 1);
    assert.equal(
      wrong.stderr,
      'error ERR_ADMIN_UNAUTHORIZED: GET /admin/keys failed: 401 admin token rejected\n' +
        'hint: the proxy refused the admin token from ATI_ADMIN_TOKEN\n',
    );
    await keys(['issue', '--user-id', 'dup', '--alias', 'x']);
    const dup = await keys(['issue', '--user-id', 'dup', '--alias', 'x', '--json']);
    assert.equal(dup.code, 1);
    assert.equal(JSON.parse(dup.stderr).error.code, 'ERR_ADMIN_SERVER_ERROR');
    const blank = await keys(['list', '--user-id', '']);
    assert.match(blank.stderr, /^error ERR_ADMIN_INVALID_REQUEST: /);
  });

  const usage: [string, string[], Record<string, string | undefined>?][] = [
    ['no ATI_ADMIN_TOKEN', ['list', '--user-id', 'u'], { ATI_PROXY_URL: 'http://127.0.0.1:9' }],
    ['no proxy URL', ['list', '--user-id', 'u'], { ATI_ADMIN_TOKEN: ADMIN_TOKEN }],
    ['issue without --alias', ['issue', '--user-id', 'u']],
    ['list without --user-id', ['list']],
    ['a bad --expires-in', ['issue', '--user-id', 'u', '--alias', 'a', '--expires-in', '-5']],
    ['metadata that is not JSON', ['issue', '--user-id', 'u', '--alias', 'a', '--metadata', '{']],
    ['get with two hashes', ['get', 'a', 'b']],
    ['a raw key instead of a hash', ['get', 'ati-key_AAAAAAAAAAAAAAAAAAAAAA']],
    ['bulk-revoke with no filter', ['bulk-revoke', '--by', 'x']],
    ['an unknown subcommand', ['rotate']],
    ['a raw key as subcommand', ['ati-key_AAAAAAAAAAAAAAAAAAAAAA']],
    ['an unknown flag', ['list', '--user-id', 'u', '--admin-token', ADMIN_TOKEN]],
  ];
  for (const [name, args, e] of usage) {
    it(`usage error (exit 2): ${name}`, async () => {
      const r = await keys(args, e ?? env);
      assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^error ERR_USAGE: /);
    });
  }

  it('--help lists every subcommand', async () => {
    const r = await keys(['--help']);
    assert.equal(r.code, 0);
    for (const sub of ['issue', 'get', 'revoke', 'bulk-revoke', 'list', 'hash']) {
      assert.ok(r.stdout.includes(`ati-client keys ${sub}`), sub);
    }
    assert.ok((await cli(['--help'])).stdout.includes('keys issue|get|revoke|bulk-revoke|list'));
  });

  it('no output of any run shows the admin token; stderr never shows a raw key', () => {
    assert.ok(outputs.length > 20);
    for (const r of outputs) {
      assert.ok(!r.stdout.includes(ADMIN_TOKEN) && !r.stderr.includes(ADMIN_TOKEN), r.stderr);
      assert.ok(!/ati-key_[A-Za-z0-9_-]{22}/.test(r.stderr), r.stderr);
    }
  });
});
