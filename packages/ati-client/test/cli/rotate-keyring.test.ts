/**
 * `ati-client token rotate` (in-process and as a real process stopped by
 * SIGTERM) and `ati-client keyring seal|open`, with real files: no token or
 * value ever printed unless asked for.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { cli } from '../helpers/cli.ts';
import { SECRET } from '../helpers/constants.ts';
import { tempDir } from '../helpers/keyring.ts';
import { spawnTs } from '../helpers/rotation.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const temp = tempDir('ati-cli-rotate-');
const ENV = { ATI_JWT_SECRET: SECRET, ATI_PROXY_URL: 'http://127.0.0.1:8090' };
const VALUE = 'sk-live-keyring-value-0001';

/** Run `token rotate` in-process until `stopWhen(stderr)` holds, then stop it as a signal would. */
async function rotateUntil(args: string[], stopWhen: (stderr: string) => boolean) {
  let stdout = '';
  let stderr = '';
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const code = await runCli(['token', 'rotate', ...args], {
    env: ENV,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: {
      write: (s: string) => {
        stderr += s;
        if (stopWhen(stderr)) stop();
        return true;
      },
    },
    readStdin: async () => '',
    waitForStop: () => stopped,
  });
  return { code, stdout, stderr };
}

describe('ati-client token rotate', () => {
  it('writes the token file, rotates it, prints the sandbox env and one line per rotation, never a token', async () => {
    const file = join(temp.fresh(), 'session_token');
    const tokens = new Set<string>();
    const result = await rotateUntil(
      [
        '--file',
        file,
        '--agent-id',
        'sandbox:cli',
        '--tool',
        'web_search',
        '--ttl',
        '2',
        '--refresh-at',
        '0.1',
      ],
      (stderr) => {
        readFile(file, 'utf8').then(
          (t) => tokens.add(t.trim()),
          () => undefined,
        );
        return stderr.includes('rotated #3');
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `ATI_PROXY_URL='http://127.0.0.1:8090'\nATI_SESSION_TOKEN_FILE='${file}'\n`);
    assert.match(result.stderr, /^rotated #1: exp=\S+ jti=\S+ attempts=1 next in \d+s\n/);
    assert.match(result.stderr, /stopped after \d+ token\(s\)\n$/);
    const token = (await readFile(file, 'utf8')).trim();
    tokens.add(token);
    assert.equal(inspectToken(token).sub, 'sandbox:cli');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    for (const t of tokens) {
      assert.ok(!result.stderr.includes(t) && !result.stdout.includes(t), 'a token was printed');
    }
    assert.ok(!/eyJ/.test(result.stderr + result.stdout));
  });

  it('--sandbox-path names the path inside the sandbox; --mode sets the file mode; --json prints JSON', async () => {
    const file = join(temp.fresh(), 'tok');
    const result = await rotateUntil(
      [
        '--file',
        file,
        '--agent-id',
        'a',
        '--sandbox-path',
        '/run/ati/session_token',
        '--mode',
        '0640',
        '--json',
      ],
      (stderr) => stderr.includes('rotated #1'),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      ATI_PROXY_URL: 'http://127.0.0.1:8090',
      ATI_SESSION_TOKEN_FILE: '/run/ati/session_token',
    });
    assert.equal((await stat(file)).mode & 0o777, 0o640);
  });

  it('exits 1 when the token lapses because the file cannot be written', async () => {
    const dir = temp.fresh();
    const file = join(dir, 'session_token');
    let broke = false;
    const result = await rotateUntil(
      ['--file', file, '--agent-id', 'a', '--ttl', '2', '--refresh-at', '0.1'],
      (stderr) => {
        if (!broke && stderr.includes('rotated #1')) {
          broke = true;
          // The directory becomes a file: every later write fails with ENOTDIR. Synchronously, inside
          // the rotation's log line, so no write of the rotator's is in flight meanwhile.
          rmSync(dir, { recursive: true, force: true });
          writeFileSync(dir, 'blocked');
        }
        return stderr.includes('rotated #4'); // the break did not take: stop, and fail below rather than hang
      },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ERR_TOKEN_SINK_FAILED/);
    assert.match(result.stderr, /ERR_TOKEN_ROTATION_LAPSED/);
    assert.ok(!/eyJ/.test(result.stderr));
  });

  it('usage errors exit 2', async () => {
    const cases = [
      ['--agent-id', 'a'],
      ['--file', 'x'],
      ['--file', 'x', '--agent-id', 'a', '--mode', '999'],
      ['--file', 'x', '--agent-id', 'a', '--mode', 'rw'],
      ['--file', 'x', '--agent-id', 'a', '--refresh-at', '1'],
      ['--file', 'x', '--agent-id', 'a', '--refresh-at', '-0.5'],
      ['--file', 'x', '--agent-id', 'a', '--ttl', '1h'],
    ];
    for (const args of cases) {
      const result = await cli(['token', 'rotate', ...args], { env: ENV });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error ERR_USAGE: /);
    }
    const help = await cli(['token', 'rotate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /ATI_SESSION_TOKEN_FILE/);
  });

  it('the bin keeps running until SIGTERM, then exits 0', async () => {
    const file = join(temp.fresh(), 'session_token');
    const bin = spawnTs([MAIN, 'token', 'rotate', '--file', file, '--agent-id', 'a'], {
      stream: 'stderr',
      env: { ...process.env, ...ENV },
    });
    await bin.until('rotated #1');
    bin.child.kill('SIGTERM');
    assert.equal(await bin.exited, 0, bin.text());
    assert.match(bin.text(), /stopped after 1 token\(s\)/);
  });
});

describe('ati-client keyring', () => {
  it('seal then open: values masked unless --reveal, the key never printed', async () => {
    const dir = temp.fresh();
    const entries = join(temp.fresh());
    await writeFile(
      entries,
      JSON.stringify({ finnhub_api_key: VALUE, sandbox_signing_shared_secret: 'abcd1234' }),
    );
    const keyFile = join(dir, 'run', '.key');
    const sealed = await cli(['keyring', 'seal', '--in', entries, '--out', dir, '--key-file', keyFile]);
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.equal(
      sealed.stdout,
      `sealed 2 entries into ${join(dir, 'keyring.enc')}\none-time key: ${keyFile}\n`,
    );
    const keyText = await readFile(keyFile, 'utf8');
    assert.ok(!sealed.stdout.includes(keyText));
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);

    const masked = await cli(['keyring', 'open', dir, '--key-file', keyFile]);
    assert.equal(masked.code, 0, masked.stderr);
    assert.ok(!masked.stdout.includes(VALUE) && !masked.stdout.includes('abcd1234'));
    assert.match(masked.stdout, /^finnhub_api_key {16}\*{8} \(26 chars\)\n/);
    const revealed = await cli(['keyring', 'open', dir, '--key-file', keyFile, '--reveal']);
    assert.match(revealed.stdout, new RegExp(`finnhub_api_key +${VALUE}\\n`));
    const json = await cli(['keyring', 'open', dir, '--key-file', keyFile, '--json']);
    assert.deepEqual(JSON.parse(json.stdout).entries[0], { name: 'finnhub_api_key', length: 26 });
    // open leaves the key file in place (ati would consume it).
    assert.equal(await readFile(keyFile, 'utf8'), keyText);
  });

  it('--persistent writes <ati_dir>/.keyring-key, which open uses by default; --in - reads stdin', async () => {
    const dir = temp.fresh();
    const sealed = await cli(['keyring', 'seal', '--in', '-', '--out', dir, '--persistent', '--json'], {
      stdin: JSON.stringify({ a: VALUE }),
    });
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.deepEqual(JSON.parse(sealed.stdout), {
      keyringPath: join(dir, 'keyring.enc'),
      keyPath: join(dir, '.keyring-key'),
      entries: 1,
    });
    const opened = await cli(['keyring', 'open', dir, '--reveal', '--json']);
    assert.deepEqual(JSON.parse(opened.stdout), { entries: [{ name: 'a', length: 26, value: VALUE }] });
  });

  it('the sealed key goes to ATI_KEY_FILE when no flag says otherwise', async () => {
    const dir = temp.fresh();
    const keyFile = join(temp.fresh(), '.key');
    const result = await cli(['keyring', 'seal', '--in', '-', '--out', dir], {
      stdin: '{"a":"b"}',
      env: { ATI_KEY_FILE: keyFile },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`one-time key: ${keyFile}\\n$`));
  });

  it('bad input fails with a code and never echoes the file', async () => {
    const dir = temp.fresh();
    const bad = [
      [`{"a": "${VALUE}",}`, 'ERR_KEYRING_ENTRY_INVALID'],
      [`["${VALUE}"]`, 'ERR_KEYRING_ENTRY_INVALID'],
      [`{"a": "${VALUE}", "n": 5}`, 'ERR_KEYRING_ENTRY_INVALID'],
    ];
    for (const [stdin, code] of bad) {
      const result = await cli(['keyring', 'seal', '--in', '-', '--out', dir, '--persistent'], { stdin });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^error ${code}: `));
      assert.ok(!result.stderr.includes(VALUE));
    }
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });

  it('a bad --in file is named by the flag, never by its path; an upper-case name warns once', async () => {
    const dir = temp.fresh();
    const secretLooking = `${temp.fresh()}-${VALUE}.json`;
    for (const text of ['{"a":', '["x"]']) {
      await writeFile(secretLooking, text);
      const result = await cli(['keyring', 'seal', '--in', secretLooking, '--out', dir, '--persistent']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error ERR_KEYRING_ENTRY_INVALID: --in /);
      assert.ok(!result.stderr.includes(VALUE));
    }
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    try {
      const upper = await cli(['keyring', 'seal', '--in', '-', '--out', dir, '--persistent'], {
        stdin: '{"Finnhub_Key":"v"}',
      });
      assert.equal(upper.code, 0, upper.stderr);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.filter((c) => c === 'ATI_KEYRING_NAME_CASE'),
      ['ATI_KEYRING_NAME_CASE'],
    );
  });

  it('a wrong key or a tampered keyring fails with its code; usage errors exit 2', async () => {
    const dir = temp.fresh();
    await cli(['keyring', 'seal', '--in', '-', '--out', dir, '--persistent'], { stdin: `{"a":"${VALUE}"}` });
    await writeFile(join(dir, 'other.key'), Buffer.alloc(32, 9).toString('base64'));
    const wrong = await cli(['keyring', 'open', dir, '--key-file', join(dir, 'other.key')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error ERR_KEYRING_DECRYPT_FAILED: /);
    for (const args of [
      ['keyring'],
      ['keyring', 'nope'],
      ['keyring', 'seal', '--out', dir],
      ['keyring', 'seal', '--in', '-'],
      ['keyring', 'seal', '--in', '-', '--out', dir, '--persistent', '--key-file', 'k'],
      ['keyring', 'seal', '--in', '-', '--out', dir, '--mode', '8'],
      ['keyring', 'open'],
    ]) {
      const result = await cli(args, { stdin: '{}' });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
  });
});
