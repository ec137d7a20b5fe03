/**
 * fileSink and the orchestrator's file mode (contract §6): a reader racing
 * the writer never sees an empty or partial token file; modes, owners,
 * symlinks, refusals and failures; provisionSandbox({ tokenFile }) and
 * rotateSessionToken's up-front checks.
 */
import assert from 'node:assert/strict';
import { lstat, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AtiError } from '../../src/errors.ts';
import { resolveSessionToken } from '../../src/node/session-token.ts';
import { fileSink } from '../../src/node/token-file.ts';
import { AtiOrchestrator, type ProvisionFileResult } from '../../src/orchestrator.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { rejectsCoded, tempDir } from '../helpers/keyring.ts';
import { isWholeToken, spawnTs } from '../helpers/rotation.ts';

const WRITER = fileURLToPath(new URL('./sink-writer-child.ts', import.meta.url));

const temp = tempDir('ati-token-file-');
const fresh = temp.fresh;
const ctx = { signal: new AbortController().signal, expiresAt: 0, rotation: 1 };

describe('fileSink racing a reader', () => {
  it('10,000 reads during continuous rotation never see an empty or partial token', async () => {
    const path = join(fresh(), 'session_token');
    // The writer is another process, as a supervisor is; the reader is ATI's resolver.
    const writer = spawnTs([WRITER, path], { stream: 'stdout', stdin: 'pipe' });
    await writer.until('ready\n');
    const env = { ATI_SESSION_TOKEN_FILE: path };
    const bad: string[] = [];
    const seen = new Set<string>();
    try {
      for (let i = 0; i < 10_000; i++) {
        const token = await resolveSessionToken({ env, defaultPath: join(temp.root, 'none') });
        if (!isWholeToken(token)) bad.push(token === undefined ? '<none>' : token.slice(0, 40));
        else seen.add(token!);
      }
    } finally {
      writer.child.stdin!.end();
    }
    assert.equal(await writer.exited, 0);
    const writes = Number(writer.text().split('\n')[1]);
    assert.deepEqual(bad, []);
    assert.ok(writes > 20 && seen.size > 20, `only ${writes} writes (${seen.size} seen) raced the reader`);
    assert.deepEqual(await readdir(join(path, '..')), ['session_token'], 'no temp file left behind');
  });
});

describe('fileSink', () => {
  it('writes the token plus a newline, mode 0600 by default, creating parent directories', async () => {
    const path = join(fresh(), 'a', 'b', 'session_token');
    await fileSink(path)('tok-1', ctx);
    assert.equal(await readFile(path, 'utf8'), 'tok-1\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('sets a given mode exactly despite the umask, and the owner when asked', async () => {
    const path = join(fresh(), 'session_token');
    const old = process.umask(0o077);
    try {
      await fileSink(path, { mode: 0o644, uid: process.getuid!(), gid: process.getgid!() })('tok', ctx);
    } finally {
      process.umask(old);
    }
    const info = await stat(path);
    assert.equal(info.mode & 0o777, 0o644);
    assert.equal(info.uid, process.getuid!());
  });

  it('replaces a symlink at the path instead of writing through it', async () => {
    const base = fresh();
    const target = join(base, 'elsewhere');
    const path = join(base, 'session_token');
    await fileSink(join(base, 'init'))('init', ctx);
    await writeFile(target, 'untouched');
    await symlink(target, path);
    await fileSink(path)('tok-2', ctx);
    assert.equal(await readFile(target, 'utf8'), 'untouched');
    assert.equal((await lstat(path)).isSymbolicLink(), false);
    assert.equal(await readFile(path, 'utf8'), 'tok-2\n');
  });

  it('refuses an empty, blank or multi-line token (the reader would see no token or a wrong one)', async () => {
    const path = join(fresh(), 'session_token');
    const sink = fileSink(path);
    await sink('good', ctx);
    for (const token of ['', '  \n', 'a\nb', 'a\rb']) {
      await rejectsCoded(
        Promise.resolve().then(() => sink(token, ctx)),
        'ERR_SESSION_TOKEN_WRITE',
      );
    }
    assert.equal(await readFile(path, 'utf8'), 'good\n');
  });

  it('a filesystem failure → ERR_SESSION_TOKEN_WRITE naming the path, never the token', async () => {
    const blocker = fresh();
    await writeFile(blocker, 'a file, not a directory');
    const path = join(blocker, 'session_token');
    const token = 'eyJ.secret-token.sig';
    const err = await rejectsCoded(
      Promise.resolve().then(() => fileSink(path)(token, ctx)),
      'ERR_SESSION_TOKEN_WRITE',
      [token],
    );
    assert.ok(err.message.includes(path));
  });

  it('bad arguments → ERR_INVALID_ARGUMENT at once', () => {
    const bad: [string, object][] = [
      ['', {}],
      ['/x\0y', {}],
      ['/x', { mode: 0o1000 }],
      ['/x', { mode: '600' }],
      ['/x', { uid: -1 }],
      ['/x', { gid: 2 ** 40 }],
    ];
    for (const [path, options] of bad) {
      assert.throws(
        () => fileSink(path, options),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
      );
    }
  });
});

describe('AtiOrchestrator file mode', () => {
  const orch = new AtiOrchestrator({ proxyUrl: 'http://127.0.0.1:1', secret: SECRET });

  it('provisionSandbox({ tokenFile }) gives ATI_SESSION_TOKEN_FILE and the token, not ATI_SESSION_TOKEN', async () => {
    const result: ProvisionFileResult = await orch.provisionSandbox({
      agentId: 'sandbox:1',
      tools: ['web_search'],
      tokenFile: '/run/ati/session_token',
    });
    assert.deepEqual(Object.keys(result).sort(), ['ATI_PROXY_URL', 'ATI_SESSION_TOKEN_FILE', 'sessionToken']);
    assert.equal(result.ATI_SESSION_TOKEN_FILE, '/run/ati/session_token');
    // @ts-expect-error: the file result has no ATI_SESSION_TOKEN (the env variable would pin the token)
    assert.equal(result.ATI_SESSION_TOKEN, undefined);
    assert.equal((await validateToken(result.sessionToken, { secret: SECRET })).sub, 'sandbox:1');
    const plain = await orch.provisionSandbox({ agentId: 'sandbox:1' });
    assert.deepEqual(Object.keys(plain).sort(), ['ATI_PROXY_URL', 'ATI_SESSION_TOKEN']);
  });

  it('a blank tokenFile is refused (ATI would treat it as unset)', async () => {
    for (const tokenFile of ['', '  ']) {
      await rejectsCoded(orch.provisionSandbox({ agentId: 'a', tokenFile }), 'ERR_INVALID_ARGUMENT');
    }
  });

  it('rotateSessionToken checks scopes, rate specs, TTL and agentId before anything is issued', () => {
    const sink = async () => {};
    const cases: [object, string][] = [
      [{ agentId: 'a', sink, ttlSeconds: 1 }, 'ERR_INVALID_ARGUMENT'],
      [{ agentId: 'a', sink, ttlSeconds: 2.5 }, 'ERR_INVALID_ARGUMENT'],
      [{ agentId: '', sink }, 'ERR_INVALID_ARGUMENT'],
      [{ agentId: 'a', sink, tools: ['two words'] }, 'ERR_SCOPE_INVALID'],
      [{ agentId: 'a', sink, rate: { 'tool:*': '10/fortnight' } }, 'ERR_RATE_SPEC_INVALID'],
      [{ agentId: 'a', sink, refreshAt: 2 }, 'ERR_INVALID_ARGUMENT'],
      [{ agentId: 'a' }, 'ERR_INVALID_ARGUMENT'],
    ];
    for (const [options, code] of cases) {
      assert.throws(
        () => orch.rotateSessionToken(options as Parameters<typeof orch.rotateSessionToken>[0]),
        (err: unknown) => err instanceof AtiError && err.code === code,
        JSON.stringify(options),
      );
    }
  });

  it('each rotated token is issued as provisionSandbox issues it', async () => {
    const tokens: string[] = [];
    await using rotator = orch.rotateSessionToken({
      agentId: 'sandbox:7',
      tools: ['web_search'],
      skills: ['research'],
      extraScopes: ['help'],
      rate: { 'tool:web_search': '10/hour' },
      jobId: 'job-1',
      sandboxId: 'sb-7',
      ttlSeconds: 60,
      sink: (token) => {
        tokens.push(token);
      },
    });
    await rotator.start();
    const claims = await validateToken(tokens[0]!, { secret: SECRET });
    assert.equal(claims.sub, 'sandbox:7');
    assert.equal(claims.scope, 'tool:web_search skill:research help');
    assert.equal(claims.exp - claims.iat, 60);
    assert.equal(claims.job_id, 'job-1');
    assert.equal(claims.sandbox_id, 'sb-7');
    assert.deepEqual(claims.toJSON().ati, { v: 1, rate: { 'tool:web_search': '10/hour' } });
  });
});
