/**
 * The shipped bin as a real process (needs `npm run build`, as `npm test`
 * does first): real argv, stdin pipes, exit codes, file modes, and the dev
 * proxy over 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { issueToken } from '../../src/token/issue.ts';
import type { CliResult } from '../helpers/cli.ts';
import { SECRET } from '../helpers/constants.ts';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function run(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...argv], {
    // Only what node needs: no ATI_* variable leaks in from the test runner's environment.
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let dir: string;
let proxy: RunningDevProxy;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-cli-bin-'));
  proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET });
});
after(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

it('keygen --out with --json before the command: key files with their modes; a second run refuses', async () => {
  const out = join(dir, 'keys');
  const first = await run(['--json', 'keygen', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).privateKeyFile, join(out, 'private.pem'));
  assert.equal((await stat(join(out, 'private.pem'))).mode & 0o777, 0o600);
  assert.equal((await stat(out)).mode & 0o777, 0o700);
  const second = await run(['keygen', '--out', out]);
  assert.equal(second.code, 2);
  assert.match(second.stderr, /already exists; pass --force to replace it\n$/);
});

it('token issue | token inspect - (readable, and --json placed before the command)', async () => {
  const issued = await run(['token', 'issue', '--sub', 'bin', '--scope', 'tool:a tool:b', '--ttl', '600'], {
    env: { ATI_JWT_SECRET: SECRET },
  });
  assert.equal(issued.code, 0, issued.stderr);
  const readable = await run(['token', 'inspect', '-'], { stdin: issued.stdout });
  assert.match(readable.stdout, /^sub {8}bin\n/);
  assert.match(readable.stdout, /^scopes {5}tool:a\n {11}tool:b\n/m);
  const json = await run(['--json', 'token', 'inspect', '-'], { stdin: issued.stdout });
  assert.deepEqual(JSON.parse(json.stdout).scopes, ['tool:a', 'tool:b']);
});

it('usage errors from the real process: exit 2, the flag named; `skills` alone prints its help', async () => {
  const missing = await run(['token', 'issue', '--sub', 'x', '--ttl']);
  assert.deepEqual([missing.code, missing.stderr], [2, 'error ERR_USAGE: --ttl needs a value\n']);
  const skills = await run(['skills']);
  assert.equal(skills.code, 2);
  assert.match(skills.stderr, /^Usage:\n {2}ati-client skills download/);
});

it('skills listing against the dev proxy: --token - and --timeout; a refused token gets the hint', async () => {
  const token = await issueToken({ secret: SECRET, sub: 'bin', scope: '*' });
  const ok = await run(['skills', 'listing', '--proxy-url', proxy.url, '--token', '-', '--timeout', '10'], {
    stdin: token,
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^<system-reminder>\n/);
  const refused = await run(['skills', 'listing', '--timeout', '10'], {
    env: { ATI_PROXY_URL: proxy.url, ATI_SESSION_TOKEN: `${token.slice(0, -4)}AAAA` },
  });
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^error ERR_PROXY_HTTP: .*401.*\nhint: the proxy refused the session token from ATI_SESSION_TOKEN /,
  );
});
