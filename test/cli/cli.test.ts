/**
 * The ati-client CLI, in-process with real key files on disk, plus the real
 * bin spawned once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateKeyPair, toJwks } from '../../src/jws/keys.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { validateToken } from '../../src/token/validate.ts';
import { cli } from './cli-helpers.ts';

const SECRET = '17332cf135d362f79a2ed700b13e1215978be1d6ae6e133d25b6b3f21fa10299';
let dir: string;
let pub: string;
let priv: string;
let keys: { privateKey: string; publicKey: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-cli-'));
  keys = await generateKeyPair();
  priv = join(dir, 'private.pem');
  pub = join(dir, 'public.pem');
  await writeFile(priv, keys.privateKey);
  await writeFile(pub, keys.publicKey);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('keygen', () => {
  it('ES256 prints private PEM, blank line, public PEM, blank line', async () => {
    const r = await cli(['keygen']);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n\n-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n\n$/,
    );
  });
  it('HS256 prints 64 lowercase hex characters', async () => {
    const r = await cli(['keygen', '--algorithm', 'hs256']);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
  });
  it('--json and unsupported algorithms', async () => {
    const r = await cli(['keygen', '--json']);
    assert.equal(JSON.parse(r.stdout).algorithm, 'ES256');
    const bad = await cli(['keygen', '--algorithm', 'RS256']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error ERR_USAGE: --algorithm must be ES256 or HS256\n$/);
  });
});

describe('token', () => {
  it('issue (HS256 from ATI_JWT_SECRET) → inspect → validate', async () => {
    const env = { ATI_JWT_SECRET: SECRET };
    const issued = await cli(
      ['token', 'issue', '--sub', 'agent-7', '--scope', 'tool:web_search', '--rate', 'tool:*=5/min'],
      { env },
    );
    assert.equal(issued.code, 0, issued.stderr);
    const token = issued.stdout.trim();
    const claims = inspectToken(token);
    assert.equal(claims.exp - claims.iat, 1800, 'ttl defaults to 1800 like ati token issue');
    assert.equal(claims.iss, undefined, 'iss omitted without --iss or ATI_JWT_ISSUER');
    assert.deepEqual(claims.ati?.rate, { 'tool:*': '5/min' });

    const inspected = await cli(['token', 'inspect', token, '--json']);
    const view = JSON.parse(inspected.stdout);
    assert.deepEqual(Object.keys(view), ['ati', 'aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'scopes', 'sub']);
    assert.equal(view.iss, null);

    const ok = await cli(['token', 'validate', '-'], { env, stdin: `${token}\n` });
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^VALID sub=agent-7 /);
  });

  it('issue --key works for ES256 (the Rust CLI bug is not reproduced) and validate --key accepts it', async () => {
    const issued = await cli(['token', 'issue', '--sub', 's', '--scope', '', '--key', priv, '--iss', 'orch']);
    assert.equal(issued.code, 0, issued.stderr);
    const token = issued.stdout.trim();
    assert.equal((await validateToken(token, { publicKey: keys.publicKey })).iss, 'orch');
    const ok = await cli(['token', 'validate', token, '--key', pub, '--json']);
    assert.equal(JSON.parse(ok.stdout).valid, true);
  });

  it('validate exits 1 with a code for rejected tokens, and uses ATI_JWT_AUDIENCE / ATI_JWT_ISSUER', async () => {
    const token = (
      await cli(['token', 'issue', '--sub', 's', '--scope', 'x', '--secret', SECRET, '--iss', 'a'])
    ).stdout.trim();
    const wrongAud = await cli(['token', 'validate', token, '--secret', SECRET], {
      env: { ATI_JWT_AUDIENCE: 'other' },
    });
    assert.equal(wrongAud.code, 1);
    assert.match(wrongAud.stderr, /^INVALID ERR_JWT_AUDIENCE_MISMATCH/);
    const wrongIss = await cli(['token', 'validate', token, '--secret', SECRET], {
      env: { ATI_JWT_ISSUER: 'b' },
    });
    assert.match(wrongIss.stderr, /ERR_JWT_ISSUER_MISMATCH/);
    const forged = await cli(['token', 'validate', `${token.slice(0, -2)}AA`, '--secret', SECRET, '--json']);
    assert.equal(forged.code, 1);
    assert.equal(JSON.parse(forged.stdout).error.code, 'ERR_JWT_SIGNATURE_INVALID');
    const garbage = await cli(['token', 'validate', 'garbage', '--secret', SECRET]);
    assert.equal(garbage.code, 1);
    for (const r of [wrongAud, wrongIss, forged, garbage]) {
      assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET));
      assert.ok(!r.stderr.includes(token.split('.')[1]!), 'token leaked into output');
    }
  });

  it('usage errors exit 2 and never echo a secret', async () => {
    const rows: [string[], Record<string, string>][] = [
      [['token', 'issue', '--scope', 'x', '--secret', SECRET], {}],
      [['token', 'issue', '--sub', 'x', '--scope', 'x'], {}],
      [['token', 'issue', '--sub', 'x', '--scope', 'x', '--bogus'], {}],
      [['token', 'validate', 'a', 'b', '--secret', SECRET], {}],
      [['token', 'validate', 'a'], {}],
      [['token', 'issue', '--sub', 'x', '--scope', 'x', '--secret', SECRET, '--ttl', '1.5'], {}],
      [['token', 'issue', '--sub', 'x', '--scope', 'x', '--key', join(dir, 'missing.pem')], {}],
      [['nope'], {}],
      [['token'], {}],
      [['skills'], {}],
      [[], {}],
    ];
    for (const [argv, env] of rows) {
      const r = await cli(argv, { env });
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.ok(!r.stderr.includes(SECRET));
    }
  });

  it('an unexpected positional argument (a pasted token) is never echoed', async () => {
    const r = await cli(['token', 'issue', '--sub', 'a', '--scope', 's', 'eyJhbGciOi.SECRET-PAYLOAD.sig']);
    assert.equal(r.code, 2);
    assert.ok(!r.stderr.includes('SECRET-PAYLOAD'), r.stderr);
    const u = await cli(['token', 'issue', `--secre=${SECRET}`]);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /Unknown option "--secre"/);
    assert.ok(!u.stderr.includes(SECRET));
  });

  it('validate predicts the proxy: with ATI_JWT_ISSUER set, a token without iss is still VALID', async () => {
    const token = (
      await cli(['token', 'issue', '--sub', 's', '--scope', 'x', '--secret', SECRET])
    ).stdout.trim();
    const r = await cli(['token', 'validate', token, '--secret', SECRET], {
      env: { ATI_JWT_ISSUER: 'orch' },
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it('a bad secret is an error (exit 1) whose message hides the secret', async () => {
    const bad = `${SECRET.slice(0, 60)}zz`;
    const r = await cli(['token', 'issue', '--sub', 'x', '--scope', 'x', '--secret', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error ERR_KEY_INVALID/);
    assert.ok(!r.stderr.includes(bad));
  });

  it('a bad rate spec is refused and named', async () => {
    const r = await cli([
      'token',
      'issue',
      '--sub',
      'x',
      '--scope',
      'x',
      '--secret',
      SECRET,
      '--rate',
      'tool:x=10/hours',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERR_RATE_SPEC_INVALID.*tool:x/);
  });
});

describe('provision and jwks', () => {
  it('provision prints env, dotenv and json formats', async () => {
    const env = { ATI_JWT_SECRET: SECRET, ATI_PROXY_URL: 'https://proxy.example/' };
    const args = [
      'provision',
      '--agent-id',
      'sandbox:1',
      '--tool',
      'web_search',
      '--skill',
      'research',
      '--ttl',
      '600',
    ];
    const plain = await cli(args, { env });
    assert.equal(plain.code, 0, plain.stderr);
    const m = /^ATI_PROXY_URL='https:\/\/proxy\.example'\nATI_SESSION_TOKEN='([^']+)'\n$/.exec(plain.stdout);
    assert.ok(m, plain.stdout);
    const claims = await validateToken(m[1]!, { secret: SECRET });
    assert.equal(claims.scope, 'tool:web_search skill:research');
    assert.equal(claims.exp - claims.iat, 600);
    assert.match(
      (await cli([...args, '--format', 'dotenv'], { env })).stdout,
      /^ATI_PROXY_URL="https:\/\/proxy\.example"\nATI_SESSION_TOKEN="ey/,
    );
    const j = JSON.parse((await cli([...args, '--json'], { env })).stdout);
    assert.deepEqual(Object.keys(j), ['ATI_PROXY_URL', 'ATI_SESSION_TOKEN']);
    assert.equal((await cli(['provision', '--agent-id', 'x'], { env: { ATI_JWT_SECRET: SECRET } })).code, 2);
  });

  it('jwks prints the proxy shape with --format ati', async () => {
    const r = await cli(['jwks', '--format', 'ati'], { env: { ATI_JWT_PUBLIC_KEY: pub } });
    assert.deepEqual(JSON.parse(r.stdout), toJwks(keys.publicKey, { format: 'ati' }));
    assert.deepEqual(Object.keys(JSON.parse(r.stdout).keys[0]), ['alg', 'kid', 'kty', 'use', 'x5c']);
  });
});

describe('the bin', () => {
  it('npx-style: node dist/cli/main.js --help and --version (needs npm run build)', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const bin = join(root, 'dist', 'cli', 'main.js');
    const run = promisify(execFile);
    const help = await run(process.execPath, [bin, '--help']);
    assert.match(help.stdout, /^Usage: ati-client <command>/);
    const version = await run(process.execPath, [bin, '--version']);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const bad = await run(process.execPath, [bin, 'bogus']).then(
      () => assert.fail('exit 0'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error ERR_USAGE/);
  });
});
