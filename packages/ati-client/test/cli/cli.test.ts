/**
 * The ati-client CLI, in-process with real key files on disk, plus the real
 * bin spawned once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateKeyPair, publicKeyFromPrivate, toJwks } from '../../src/jws/keys.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { cli } from '../helpers/cli.ts';
import { SECRET } from '../helpers/constants.ts';

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

describe('keygen --out', () => {
  const mode = async (path: string) => (await stat(path)).mode & 0o777;

  it('the modes are exact whatever the umask (0600 and 0644 under umask 077)', async () => {
    const out = join(dir, 'keys-umask');
    const before = process.umask(0o077);
    try {
      assert.equal((await cli(['keygen', '--out', out])).code, 0);
    } finally {
      process.umask(before);
    }
    assert.equal(await mode(join(out, 'private.pem')), 0o600);
    assert.equal(await mode(join(out, 'public.pem')), 0o644);
  });

  it('writes private.pem (0600) and public.pem, prints only the paths, and refuses to overwrite', async () => {
    const out = join(dir, 'keys-out', 'nested');
    const r = await cli(['keygen', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${join(out, 'private.pem')}\n${join(out, 'public.pem')}\n`);
    assert.equal(await mode(join(out, 'private.pem')), 0o600);
    assert.equal(await mode(join(out, 'public.pem')), 0o644);
    const privateKey = await readFile(join(out, 'private.pem'), 'utf8');
    const publicKey = await readFile(join(out, 'public.pem'), 'utf8');
    assert.equal(publicKeyFromPrivate(privateKey), publicKey, 'the public key matches the private key');
    // The pair signs and verifies through the CLI.
    const token = (
      await cli(['token', 'issue', '--sub', 's', '--scope', 'x', '--key', join(out, 'private.pem')])
    ).stdout;
    assert.equal((await cli(['token', 'validate', token.trim(), '--key', join(out, 'public.pem')])).code, 0);

    const again = await cli(['keygen', '--out', out]);
    assert.equal(again.code, 2);
    assert.equal(
      again.stderr,
      `error ERR_USAGE: ${join(out, 'private.pem')} already exists; pass --force to replace it\n`,
    );
    assert.equal(await readFile(join(out, 'private.pem'), 'utf8'), privateKey, 'the old key is untouched');
    assert.deepEqual((await readdir(out)).sort(), ['private.pem', 'public.pem'], 'no temp files left');
  });

  it('without --force writes nothing if either name is taken; --force replaces both and resets the mode', async () => {
    const out = await mkdtemp(join(dir, 'keys-'));
    await writeFile(join(out, 'public.pem'), 'old public');
    const r = await cli(['keygen', '--out', out, '--json']);
    assert.equal(r.code, 2);
    assert.equal(
      JSON.parse(r.stderr).error.message,
      `${join(out, 'public.pem')} already exists; pass --force to replace it`,
    );
    assert.deepEqual(await readdir(out), ['public.pem'], 'private.pem was not left behind');

    await writeFile(join(out, 'private.pem'), 'old private', { mode: 0o644 });
    const forced = await cli(['keygen', '--out', out, '--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(JSON.parse(forced.stdout), {
      algorithm: 'ES256',
      privateKeyFile: join(out, 'private.pem'),
      publicKeyFile: join(out, 'public.pem'),
    });
    assert.equal(
      await mode(join(out, 'private.pem')),
      0o600,
      'a replaced key file does not keep the old mode',
    );
    assert.match(await readFile(join(out, 'private.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  });

  it('a symlink in place of private.pem is refused, and --force replaces the link, not its target', async () => {
    const out = await mkdtemp(join(dir, 'keys-'));
    const target = join(dir, 'victim.txt');
    await writeFile(target, 'do not touch');
    await symlink(target, join(out, 'private.pem'));
    assert.equal((await cli(['keygen', '--out', out])).code, 2);
    assert.equal((await cli(['keygen', '--out', out, '--force'])).code, 0);
    assert.equal(await readFile(target, 'utf8'), 'do not touch');
    assert.ok((await lstat(join(out, 'private.pem'))).isFile());
  });

  it('HS256 writes secret.hex (0600); --force needs --out', async () => {
    const out = await mkdtemp(join(dir, 'keys-'));
    const r = await cli(['keygen', '--algorithm', 'HS256', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${join(out, 'secret.hex')}\n`);
    assert.match(await readFile(join(out, 'secret.hex'), 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.equal(await mode(join(out, 'secret.hex')), 0o600);
    const force = await cli(['keygen', '--force']);
    assert.deepEqual([force.code, force.stderr], [2, 'error ERR_USAGE: --force goes with --out <dir>\n']);
  });
});

describe('token inspect, readable and --json', () => {
  it('plain inspect prints one claim per line; --json the stable JSON', async () => {
    const token = (
      await cli([
        'token',
        'issue',
        '--sub',
        'agent-7',
        '--scope',
        'tool:web_search skill:research',
        '--secret',
        SECRET,
        '--rate',
        'tool:*=10/hour',
        '--job-id',
        'job-1',
        '--ttl',
        '5400',
      ])
    ).stdout.trim();
    const r = await cli(['token', 'inspect', '-'], { stdin: token });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'sub        agent-7');
    assert.equal(lines[1], 'aud        ati-proxy');
    assert.equal(lines[2], 'iss        (none)');
    assert.match(lines[3]!, /^jti {8}[0-9a-f-]{36}$/);
    assert.match(lines[4]!, /^issued {5}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(iat \d+\)$/);
    assert.match(lines[5]!, /^expires {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(exp \d+\), in 1h (29m|30m)$/);
    assert.deepEqual(lines.slice(6, 11), [
      'scopes     tool:web_search',
      '           skill:research',
      'rate       tool:*  10/hour',
      'job_id     job-1',
      '(decoded WITHOUT verifying the signature: use `ati-client token validate` to check it)',
    ]);
    const json = await cli(['--json', 'token', 'inspect', token]);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)), [
      'ati',
      'aud',
      'exp',
      'iat',
      'iss',
      'job_id',
      'jti',
      'scope',
      'scopes',
      'sub',
    ]);
  });

  it('an expired token says so; hostile claim text cannot reach the terminal raw', async () => {
    const token = await issueToken({
      secret: SECRET,
      sub: 'evil\u001b]0;pwned\u0007\u202e',
      scope: 'x',
      iss: 'a"b\\c\u0085',
      now: 1_700_000_000,
      ttlSeconds: 90_000,
    });
    const r = await cli(['token', 'inspect', token]);
    assert.equal(r.code, 0, r.stderr);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters that must not get through.
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/.test(r.stdout), JSON.stringify(r.stdout));
    assert.match(r.stdout, /^sub {8}"evil\\u001b]0;pwned\\u0007\\u202e"$/m);
    assert.match(r.stdout, /^iss {8}"a\\"b\\\\c\\u0085"$/m);
    assert.match(r.stdout, /^issued {5}2023-11-14T22:13:20Z \(iat 1700000000\)$/m);
    assert.match(
      r.stdout,
      /^expires {4}2023-11-15T23:13:20Z \(exp 1700090000\), expired \d+d(?: \d+[hms])? ago$/m,
    );
  });
});

describe('issue and provision defaults (ttl, iss)', () => {
  it('token issue follows `ati token issue`; provision follows the Python SDK; both take ATI_JWT_ISSUER', async () => {
    const issue = ['token', 'issue', '--sub', 's', '--scope', 'x', '--secret', SECRET];
    const provision = [
      'provision',
      '--agent-id',
      's',
      '--secret',
      SECRET,
      '--proxy-url',
      'http://127.0.0.1:9',
      '--json',
    ];
    const provisioned = async (argv: string[], env: Record<string, string> = {}) =>
      inspectToken(JSON.parse((await cli(argv, { env })).stdout).ATI_SESSION_TOKEN);
    const issued = async (argv: string[], env: Record<string, string> = {}) =>
      inspectToken((await cli(argv, { env })).stdout.trim());

    const a = await issued(issue);
    assert.deepEqual([a.exp - a.iat, a.iss], [1800, undefined]);
    const b = await provisioned(provision);
    assert.deepEqual([b.exp - b.iat, b.iss], [3600, 'ati-orchestrator']);
    const env = { ATI_JWT_ISSUER: 'orch' };
    assert.equal((await issued(issue, env)).iss, 'orch');
    assert.equal(
      (await provisioned(provision, env)).iss,
      'orch',
      'a proxy with ATI_JWT_ISSUER refuses any other iss',
    );
    assert.equal((await provisioned([...provision, '--iss', 'me'], env)).iss, 'me');
    for (const help of [
      (await cli(['token', '--help'])).stdout,
      (await cli(['provision', '--help'])).stdout,
    ]) {
      assert.match(help, /1800/);
      assert.match(help, /3600/);
      assert.match(help, /ATI_JWT_ISSUER/);
    }
  });

  it('a --ttl of 0 or one too large speaks of --ttl', async () => {
    const issue = ['token', 'issue', '--sub', 's', '--scope', 'x', '--secret', SECRET];
    const zero = await cli([...issue, '--ttl', '0']);
    assert.equal(zero.stderr, 'error ERR_USAGE: --ttl must be a whole number of seconds, at least 1\n');
    const huge = await cli([
      'provision',
      '--agent-id',
      'a',
      '--secret',
      SECRET,
      '--proxy-url',
      'http://x',
      '--ttl=9999999999999999',
    ]);
    assert.match(huge.stderr, /^error ERR_USAGE: --ttl is too large/);
  });
});

describe('global flags and flag errors', () => {
  it('--json before the command gives JSON output and JSON errors', async () => {
    const r = await cli(['--json', 'token', 'issue', '--sub', 's', '--scope', 'x', '--secret', SECRET]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).claims.sub, 's');
    const e = await cli(['--json', 'token', 'issue', '--sub']);
    assert.deepEqual(JSON.parse(e.stderr), { error: { code: 'ERR_USAGE', message: '--sub needs a value' } });
  });

  it('a value that looks like a flag is refused with the way to pass it, and never echoed', async () => {
    const r = await cli(['token', 'issue', '--sub', 's', '--scope', 'x', '--secret', `-${SECRET}`]);
    assert.equal(
      r.stderr,
      'error ERR_USAGE: --secret needs a value (to give one that starts with "-", write --secret=<value>)\n',
    );
    const ok = await cli(['token', 'issue', '--sub=-s', '--scope', 'x', '--secret', SECRET]);
    assert.equal(inspectToken(ok.stdout.trim()).sub, '-s');
  });

  it('a misspelt flag gets a suggestion; a pasted token as a flag or command is not shown', async () => {
    const r = await cli(['token', 'issue', '--secrte', 'x']);
    assert.equal(r.stderr, 'error ERR_USAGE: Unknown option "--secrte"; did you mean --secret?\n');
    const pasted = await cli(['token', 'issue', '--eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTRUNSRVQifQ.sig']);
    assert.equal(pasted.stderr, 'error ERR_USAGE: Unknown option (not shown)\n');
    const cmd = await cli(['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTRUNSRVQifQ.sig']);
    assert.equal(cmd.stderr, 'error ERR_USAGE: Unknown command (not shown); run ati-client --help\n');
  });
});

describe('small fixes', () => {
  it('--version works after global flags; a `__proto__` rate pattern is kept, not dropped', async () => {
    assert.match((await cli(['--json', '--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
    const r = await cli([
      'token',
      'issue',
      '--sub',
      's',
      '--scope',
      'x',
      '--secret',
      SECRET,
      '--rate',
      '__proto__=5/min',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.entries(inspectToken(r.stdout.trim()).ati?.rate ?? {}), [['__proto__', '5/min']]);
  });

  it('keygen --out on a terminal says where to point ATI_JWT_PRIVATE_KEY and ATI_JWT_PUBLIC_KEY', async () => {
    const out = await mkdtemp(join(dir, 'keys-'));
    const r = await cli(['keygen', '--out', out], { tty: true });
    assert.equal(
      r.stderr,
      `Point the orchestrator at ATI_JWT_PRIVATE_KEY=${join(out, 'private.pem')} and the proxy at ATI_JWT_PUBLIC_KEY=${join(out, 'public.pem')}.\n`,
    );
  });
});
