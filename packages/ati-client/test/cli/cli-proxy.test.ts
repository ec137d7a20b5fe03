/**
 * CLI commands that talk to a proxy: `dev-proxy` serving on a port, and
 * `skills download|listing` against it with the token read the ATI way.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { runCli } from '../../src/cli/run.ts';
import { signSandboxRequest } from '../../src/signature/sandbox.ts';
import { issueToken } from '../../src/token/issue.ts';
import { cli } from '../helpers/cli.ts';
import { SECRET } from '../helpers/constants.ts';

let dir: string;
let url: string;
let stop: () => void;
let exited: Promise<number>;
let served = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-cli-proxy-'));
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let announce: (u: string) => void = () => {};
  const listening = new Promise<string>((resolve) => {
    announce = resolve;
  });
  exited = runCli(['dev-proxy', '--secret', SECRET, '--json'], {
    env: {},
    stdout: {
      write: (s: string) => {
        served += s;
        announce(JSON.parse(s).url);
        return true;
      },
    },
    stderr: { write: () => true },
    readStdin: async () => '',
    waitForStop: () => stopped,
  });
  url = await listening;
});

after(async () => {
  stop();
  assert.equal(await exited, 0);
  await rm(dir, { recursive: true, force: true });
});

/** Run `dev-proxy` with these arguments and env until `stop()`; `line` is its first stdout write, `output()` all of stdout+stderr. */
function runDevProxy(argv: string[], env: Record<string, string>) {
  let output = '';
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let announce: (line: string) => void = () => {};
  const line = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const done = runCli(['dev-proxy', ...argv], {
    env,
    stdout: {
      write: (s: string) => {
        output += s;
        announce(s);
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        output += s;
        return true;
      },
    },
    readStdin: async () => '',
    waitForStop: () => stopped,
  });
  return {
    line,
    output: () => output,
    async stop(): Promise<number> {
      stop();
      return done;
    },
  };
}

it('dev-proxy announces its URL and auth mode', () => {
  assert.deepEqual(JSON.parse(served), { url, auth: 'HS256' });
});

it('skills download reads ATI_SESSION_TOKEN_FILE and writes the skills; missing names exit 1', async () => {
  const token = await issueToken({
    secret: SECRET,
    sub: 'cli',
    scope: 'skill:market-research skill:web-search-guide',
  });
  const tokenFile = join(dir, 'session_token');
  await writeFile(tokenFile, `  ${token}\n`);
  const env = { ATI_PROXY_URL: url, ATI_SESSION_TOKEN_FILE: tokenFile };
  const dest = join(dir, 'skills');
  const ok = await cli(
    ['skills', 'download', 'market-research', 'web-search-guide', '--dest', dest, '--json'],
    { env },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).missing, []);
  assert.deepEqual((await readdir(dest)).sort(), ['market-research', 'web-search-guide']);
  const partly = await cli(['skills', 'download', 'market-research', 'ghost', '--dest', dest], { env });
  assert.equal(partly.code, 1);
  assert.match(partly.stderr, /missing: "ghost"/);
  assert.ok(!partly.stderr.includes(token) && !partly.stdout.includes(token));
});

it('skills listing prints the listing; no token means the proxy answers 401', async () => {
  const token = await issueToken({ secret: SECRET, sub: 'cli', scope: '*' });
  const listing = await cli(['skills', 'listing'], { env: { ATI_PROXY_URL: url, ATI_SESSION_TOKEN: token } });
  assert.equal(listing.code, 0, listing.stderr);
  assert.match(listing.stdout, /^<system-reminder>\n/);
  const anon = await cli(['skills', 'listing'], {
    env: { ATI_PROXY_URL: url, ATI_SESSION_TOKEN_FILE: join(dir, 'does-not-exist') },
  });
  assert.equal(anon.code, 1);
  assert.match(anon.stderr, /^error ERR_PROXY_HTTP: .*401/);
});

it('dev-proxy checks the audience and issuer the proxy reads from ATI_JWT_AUDIENCE and ATI_JWT_ISSUER', async () => {
  const proxy = runDevProxy(['--secret', SECRET, '--json'], {
    ATI_JWT_AUDIENCE: 'ati-staging',
    ATI_JWT_ISSUER: 'orchestrator-a',
  });
  try {
    const { url: base } = JSON.parse(await proxy.line) as { url: string };
    const status = async (audience: string, issuer: string) => {
      const token = await issueToken({ secret: SECRET, sub: 'a', scope: '*', audience, issuer });
      return (await fetch(`${base}/tools`, { headers: { authorization: `Bearer ${token}` } })).status;
    };
    assert.equal(await status('ati-staging', 'orchestrator-a'), 200);
    assert.equal(await status('ati-proxy', 'orchestrator-a'), 401);
    assert.equal(await status('ati-staging', 'someone-else'), 401);
  } finally {
    assert.equal(await proxy.stop(), 0);
  }
});

it('dev-proxy --sig-verify-mode enforce checks X-Sandbox-Signature with the env secret', async () => {
  const signing = 'cli-signing-secret';
  const proxy = runDevProxy(
    ['--sig-verify-mode', 'enforce', '--sig-exempt-paths', ' /health , ,/tools', '--json'],
    { ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET: signing },
  );
  try {
    const line = JSON.parse(await proxy.line) as { url: string; auth: string; signatures: string };
    assert.equal(line.signatures, 'enforce');
    assert.equal((await fetch(`${line.url}/tools`)).status, 200); // exempt by the flag
    assert.equal((await fetch(`${line.url}/skills`)).status, 403);
    const signature = await signSandboxRequest({ secret: signing, method: 'GET', path: '/skills' });
    assert.equal(
      (await fetch(`${line.url}/skills`, { headers: { 'x-sandbox-signature': signature } })).status,
      200,
    );
    // The proxy's sig_verify log line, one per checked request; the secret never appears.
    assert.match(
      proxy.output(),
      /^sig_verify mode=enforce valid=false reason=missing_signature job_id=none method=GET path=\/skills$/m,
    );
    assert.match(
      proxy.output(),
      /^sig_verify mode=enforce valid=true reason=valid job_id=none method=GET path=\/skills$/m,
    );
    assert.ok(!proxy.output().includes(signing));
  } finally {
    assert.equal(await proxy.stop(), 0);
  }
});

it('dev-proxy refuses enforce without a secret and an unknown mode (usage errors, exit 2)', async () => {
  for (const argv of [
    ['dev-proxy', '--sig-verify-mode', 'enforce'],
    ['dev-proxy', '--sig-verify-mode', 'strict'],
    ['dev-proxy', '--sig-drift-seconds', '-1'],
    ['dev-proxy', '--sig-exempt-paths', '/a/[x]'],
  ]) {
    const r = await cli(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, /^error ERR_USAGE: /);
  }
});

it('skills: a bad --proxy-url is a usage error that never echoes the URL; a bad name wins over a bad token', async () => {
  for (const proxyUrl of [
    'http://user:pa55w0rd@127.0.0.1:1/',
    'http://127.0.0.1:1/?token=SECRETQ',
    'ftp://x/',
  ]) {
    for (const argv of [
      ['skills', 'listing', '--proxy-url', proxyUrl],
      ['skills', 'download', 'x', '--dest', dir, '--proxy-url', proxyUrl, '--json'],
    ]) {
      const r = await cli(argv, { env: { ATI_SESSION_TOKEN: 'tok' } });
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /^error ERR_USAGE: --proxy-url|"code":"ERR_USAGE","message":"--proxy-url/);
      for (const secret of ['pa55w0rd', 'SECRETQ']) assert.ok(!(r.stdout + r.stderr).includes(secret));
    }
  }
  const r = await cli(['skills', 'download', '../x', '--dest', dir, '--proxy-url', url], {
    env: { ATI_SESSION_TOKEN: 'bad token' },
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error ERR_SKILL_NAME_UNSAFE: /);
});

it('a 401 adds one hint line naming where the token is looked for, and which source gave the refused one', async () => {
  const sources =
    '--token, else ATI_SESSION_TOKEN, else the file named by ATI_SESSION_TOKEN_FILE, else /run/ati/session_token';
  const none = await cli(['skills', 'listing'], {
    env: { ATI_PROXY_URL: url, ATI_SESSION_TOKEN_FILE: join(dir, 'does-not-exist') },
  });
  assert.equal(none.code, 1);
  const lines = none.stderr.split('\n');
  assert.match(lines[0]!, /^error ERR_PROXY_HTTP: .*401/);
  assert.equal(lines[1], `hint: no session token was found; it is looked for in ${sources}`);
  assert.equal(lines.length, 3);

  const forged = await issueToken({ secret: 'ab'.repeat(32), sub: 'cli', scope: '*' });
  const fromEnv = await cli(['skills', 'listing', '--json'], {
    env: { ATI_PROXY_URL: url, ATI_SESSION_TOKEN: forged },
  });
  assert.deepEqual(
    JSON.parse(fromEnv.stderr).error.hint,
    `the proxy refused the session token from ATI_SESSION_TOKEN (looked for in ${sources})`,
  );
  const fromFlag = await cli(
    ['--json', 'skills', 'download', 'x', '--dest', dir, '--proxy-url', url, '--token', '-'],
    {
      stdin: `${forged}\n`,
    },
  );
  assert.match(JSON.parse(fromFlag.stderr).error.hint, /^the proxy refused the session token from --token /);
  for (const r of [fromEnv, fromFlag]) assert.ok(!r.stderr.includes(forged));

  // Other failures carry no hint.
  const scoped = await issueToken({ secret: SECRET, sub: 'cli', scope: 'skill:market-research' });
  const ok = await cli(['skills', 'download', 'ghost', '--dest', dir, '--proxy-url', url, '--token', scoped]);
  assert.equal(ok.code, 1);
  assert.equal(ok.stderr, 'missing: "ghost"\n');
});

it('--token: - reads stdin, a value wins over ATI_SESSION_TOKEN, and a bad one is named by source, not shown', async () => {
  const token = await issueToken({ secret: SECRET, sub: 'cli', scope: '*' });
  const env = { ATI_PROXY_URL: url, ATI_SESSION_TOKEN: 'not-a-valid-token' };
  const piped = await cli(['skills', 'listing', '--token', '-'], { env, stdin: `\n${token}\n` });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal((await cli(['skills', 'listing', '--token', token], { env })).code, 0);
  for (const argv of [
    ['skills', 'listing', '--token', 'SECRET token'],
    ['skills', 'download', 'market-research', '--dest', dir, '--token', 'SECRET token'],
  ]) {
    const bad = await cli(argv, { env });
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      'error ERR_USAGE: The session token from --token contains characters not allowed in an Authorization header\n',
    );
  }
  const empty = await cli(['skills', 'listing', '--token', '-'], { env, stdin: ' \n' });
  assert.equal(empty.stderr, 'error ERR_USAGE: --token is empty\n');
});

it('--timeout <seconds> bounds each request; bad values name the flag', async () => {
  // A server that accepts connections and never answers.
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  try {
    const r = await cli(
      ['skills', 'listing', '--timeout', '0.25', '--proxy-url', `http://127.0.0.1:${port}`],
      {
        env: { ATI_SESSION_TOKEN: 'tok' },
      },
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.split('\n')[0],
      'error ERR_PROXY_TIMEOUT: GET /skillati/catalog failed: timed out after 250 ms',
    );
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
  for (const value of ['0', '-1', 'abc', '1e3', '2147484', '0.0001']) {
    const r = await cli(['skills', 'listing', `--timeout=${value}`, '--proxy-url', url]);
    assert.equal(r.code, 2, value);
    assert.equal(
      r.stderr,
      'error ERR_USAGE: --timeout must be a number of seconds above 0 and at most 2147483\n',
    );
  }
});

it('dev-proxy: a taken port is a usage error naming --host and --port; a bad --skills-dir is named', async () => {
  const port = new URL(url).port;
  const taken = await cli(['dev-proxy', '--port', port]);
  assert.equal(taken.code, 2);
  assert.equal(
    taken.stderr,
    `error ERR_USAGE: Cannot listen on --host "127.0.0.1" --port ${port}: EADDRINUSE\n`,
  );
  const missing = await cli(['dev-proxy', '--skills-dir', join(dir, 'no-such-dir')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error ERR_SKILL_BUNDLE_INVALID: --skills-dir: /);
});
it('dev-proxy serves virtual keys with ATI_ADMIN_TOKEN (embedded PGlite); the token is never printed', async () => {
  const admin = 'cli-admin-token';
  const proxy = runDevProxy(['--secret', SECRET, '--json'], { ATI_ADMIN_TOKEN: admin });
  try {
    const line = JSON.parse(await proxy.line) as { url: string; keys: string };
    assert.equal(line.keys, 'pglite');
    const issued = await fetch(`${line.url}/admin/keys/issue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'cli', alias: 'job', tools: ['finnhub:quote'] }),
    });
    assert.equal(issued.status, 201);
    const { raw_key } = (await issued.json()) as { raw_key: string };
    const tools = await fetch(`${line.url}/tools`, { headers: { authorization: `Ati-Key ${raw_key}` } });
    assert.equal(tools.status, 200);
    assert.ok(!proxy.output().includes(admin));
  } finally {
    assert.equal(await proxy.stop(), 0);
  }
});
