/**
 * resolveSessionToken against real files in a temp directory (contract §6).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { AtiError, SessionTokenError } from '../../src/errors.ts';
import { MAX_SESSION_TOKEN_FILE_BYTES, resolveSessionToken } from '../../src/node/session-token.ts';
import { rustTrim } from '../../src/text/rust.ts';
import { rejectsWith, renderings } from '../helpers/http.ts';

const CHILD = fileURLToPath(new URL('./session-token-child.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

let dir: string;
/** A default path that does not exist, so tests never read the real /run/ati/session_token. */
let noDefault: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-client-session-'));
  noDefault = join(dir, 'no-default');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function tokenFile(contents: string | Uint8Array): Promise<string> {
  const path = join(dir, `tok-${counter++}`);
  await writeFile(path, contents);
  return path;
}

describe('precedence', () => {
  it('ATI_SESSION_TOKEN wins over the file', async () => {
    const file = await tokenFile('from-file');
    const env = { ATI_SESSION_TOKEN: ' from-env\n', ATI_SESSION_TOKEN_FILE: file };
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), 'from-env');
  });

  it('a blank ATI_SESSION_TOKEN falls through to the file', async () => {
    const file = await tokenFile('from-file\n');
    for (const blank of ['', '  ', '\n\t', '\x85']) {
      const env = { ATI_SESSION_TOKEN: blank, ATI_SESSION_TOKEN_FILE: file };
      assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), 'from-file');
    }
  });

  it('ATI_SESSION_TOKEN_FILE is trimmed; blank means the default path', async () => {
    const file = await tokenFile('tok-a');
    assert.equal(await resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: `  ${file}\n` } }), 'tok-a');
    const fallback = await tokenFile('tok-default');
    assert.equal(
      await resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: ' \t ' }, defaultPath: fallback }),
      'tok-default',
    );
    assert.equal(await resolveSessionToken({ env: {}, defaultPath: fallback }), 'tok-default');
  });

  it('an explicit missing file does NOT fall back to the default path (contract §11.8)', async () => {
    const fallback = await tokenFile('tok-default');
    const env = { ATI_SESSION_TOKEN_FILE: join(dir, 'missing') };
    assert.equal(await resolveSessionToken({ env, defaultPath: fallback }), undefined);
  });

  it('no source at all → undefined', async () => {
    assert.equal(await resolveSessionToken({ env: {}, defaultPath: noDefault }), undefined);
  });

  it('an empty or whitespace-only file → undefined', async () => {
    for (const contents of ['', '\n', ' \t\r\n\x85\u3000']) {
      const env = { ATI_SESSION_TOKEN_FILE: await tokenFile(contents) };
      assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), undefined);
    }
  });

  it('defaults to process.env', async () => {
    const saved = { token: process.env.ATI_SESSION_TOKEN, file: process.env.ATI_SESSION_TOKEN_FILE };
    try {
      process.env.ATI_SESSION_TOKEN = 'from-process-env';
      assert.equal(await resolveSessionToken(), 'from-process-env');
    } finally {
      if (saved.token === undefined) delete process.env.ATI_SESSION_TOKEN;
      else process.env.ATI_SESSION_TOKEN = saved.token;
      if (saved.file === undefined) delete process.env.ATI_SESSION_TOKEN_FILE;
      else process.env.ATI_SESSION_TOKEN_FILE = saved.file;
    }
  });
});

describe('Rust trim (Unicode White_Space)', () => {
  const table: [string, string, string][] = [
    ['ASCII space/tab/newline', ' \t\ntok\r\n', 'tok'],
    ['vertical tab and form feed', '\v\ftok\f\v', 'tok'],
    ['NEL U+0085 is trimmed (JS trim keeps it)', '\x85tok\x85', 'tok'],
    ['NBSP U+00A0', '\xa0tok\xa0', 'tok'],
    ['U+1680 ogham space', '\u1680tok', 'tok'],
    ['U+2000–U+200A', '\u2000\u200atok\u2005', 'tok'],
    ['U+2028/U+2029', '\u2028tok\u2029', 'tok'],
    ['U+202F, U+205F, U+3000', '\u202ftok\u205f\u3000', 'tok'],
    ['BOM U+FEFF is kept (JS trim strips it)', '\ufefftok\ufeff', '\ufefftok\ufeff'],
    ['U+001C–U+001F are kept (Python strip removes them)', '\x1ctok\x1f', '\x1ctok\x1f'],
    ['ZWSP U+200B is kept', '\u200btok', '\u200btok'],
    ['U+180E (not White_Space since Unicode 6.3) is kept', '\u180etok', '\u180etok'],
    ['inner whitespace is kept', ' a b\x85c ', 'a b\x85c'],
  ];
  for (const [label, input, expected] of table) {
    it(`${label} (env and file)`, async () => {
      assert.equal(rustTrim(input), expected);
      assert.equal(
        await resolveSessionToken({ env: { ATI_SESSION_TOKEN: input }, defaultPath: noDefault }),
        expected,
      );
      const env = { ATI_SESSION_TOKEN_FILE: await tokenFile(input) };
      assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), expected);
    });
  }

  it('a UTF-8 BOM at the start of the file is kept, as Rust read_to_string keeps it', async () => {
    const env = { ATI_SESSION_TOKEN_FILE: await tokenFile(Uint8Array.from([0xef, 0xbb, 0xbf, 0x74, 0x0a])) };
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), '\ufefft');
  });

  it('property: matches an independent White_Space regex', () => {
    const ws =
      '\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
    const ref = (s: string): string =>
      s.replace(/^[\p{White_Space}]+/u, '').replace(/[\p{White_Space}]+$/u, '');
    const char = fc.oneof(
      fc.constantFrom(...ws, '\ufeff', '\x1c', '\u200b', 'a', 'é'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 20 }), (chars) => {
        const s = chars.join('');
        assert.equal(rustTrim(s), ref(s));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('read errors', () => {
  it('invalid UTF-8 → ERR_SESSION_TOKEN_READ naming the variable (its value may be a token), not the contents', async () => {
    const path = await tokenFile(Uint8Array.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xff, 0x0a]));
    const err = await rejectsWith(
      resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: path }, defaultPath: noDefault }),
      'ERR_SESSION_TOKEN_READ',
    );
    assert.ok(err instanceof SessionTokenError);
    assert.ok(err.message.includes('ATI_SESSION_TOKEN_FILE') && !err.message.includes(path));
    for (const text of renderings(err)) assert.ok(!text.includes('secret'));
  });

  it('a lone surrogate encoded as UTF-8 (CESU) is invalid, as in Rust', async () => {
    const path = await tokenFile(Uint8Array.from([0xed, 0xa0, 0x80]));
    await rejectsWith(
      resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: path }, defaultPath: noDefault }),
      'ERR_SESSION_TOKEN_READ',
    );
  });

  it('a directory → ERR_SESSION_TOKEN_READ (EISDIR)', async () => {
    const path = join(dir, 'a-directory');
    await mkdir(path);
    const err = await rejectsWith(
      resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: path }, defaultPath: noDefault }),
      'ERR_SESSION_TOKEN_READ',
    );
    assert.equal(err.message, 'Cannot read the session token file named by ATI_SESSION_TOKEN_FILE: EISDIR');
  });

  it('the default path being a directory is an error too, named by its path (not secret)', async () => {
    const err = await rejectsWith(
      resolveSessionToken({ env: {}, defaultPath: dir }),
      'ERR_SESSION_TOKEN_READ',
    );
    assert.equal(err.message, `Cannot read session token file ${dir}: EISDIR`);
  });

  it('a path through a regular file (ENOTDIR) is an error, not "missing"', async () => {
    const file = await tokenFile('x');
    await rejectsWith(
      resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: join(file, 'child') }, defaultPath: noDefault }),
      'ERR_SESSION_TOKEN_READ',
    );
  });

  it('a dangling symlink counts as missing (ENOENT)', async () => {
    const link = join(dir, 'dangling');
    await symlink(join(dir, 'nowhere'), link);
    assert.equal(
      await resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: link }, defaultPath: noDefault }),
      undefined,
    );
  });

  it('an unreadable file → ERR_SESSION_TOKEN_READ (EACCES), never its contents', async () => {
    // The file must be world-traversable so the unprivileged child reaches it.
    const sub = join(dir, 'unreadable');
    await mkdir(sub);
    await chmod(dir, 0o755);
    await chmod(sub, 0o755);
    const path = join(sub, 'session_token');
    await writeFile(path, 'secret-token-contents');
    await chmod(path, 0o000);
    if (process.getuid?.() !== 0) {
      const err = await rejectsWith(
        resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: path }, defaultPath: noDefault }),
        'ERR_SESSION_TOKEN_READ',
      );
      assert.equal(err.message, 'Cannot read the session token file named by ATI_SESSION_TOKEN_FILE: EACCES');
      return;
    }
    // root ignores permission bits: ask an unprivileged child (nobody) instead.
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      ['--conditions=ati-source', '--import', 'tsx', CHILD, path],
      { cwd: PROJECT, uid: 65534, gid: 65534, encoding: 'utf8' },
    );
    assert.equal(status, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), {
      code: 'ERR_SESSION_TOKEN_READ',
      message: 'Cannot read the session token file named by ATI_SESSION_TOKEN_FILE: EACCES',
    });
    assert.ok(!stdout.includes('secret-token-contents'));
  });

  it('a file past the 1 MiB cap is refused (no unbounded read)', async () => {
    const path = await tokenFile('a'.repeat(MAX_SESSION_TOKEN_FILE_BYTES + 1));
    const err = await rejectsWith(
      resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: path }, defaultPath: noDefault }),
      'ERR_SESSION_TOKEN_READ',
    );
    for (const text of renderings(err)) assert.ok(!text.includes('aaaa'));
    const atCap = await tokenFile('b'.repeat(MAX_SESSION_TOKEN_FILE_BYTES));
    const token = await resolveSessionToken({
      env: { ATI_SESSION_TOKEN_FILE: atCap },
      defaultPath: noDefault,
    });
    assert.equal(token?.length, MAX_SESSION_TOKEN_FILE_BYTES);
  });

  it('a character device with no end (/dev/zero) is refused by the cap', async () => {
    await rejectsWith(
      resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: '/dev/zero' }, defaultPath: noDefault }),
      'ERR_SESSION_TOKEN_READ',
    );
  });

  it('errors are AtiErrors with a cause', async () => {
    const err = await rejectsWith(
      resolveSessionToken({ env: {}, defaultPath: dir }),
      'ERR_SESSION_TOKEN_READ',
    );
    assert.ok(err instanceof AtiError);
    assert.ok(err.cause !== undefined);
  });
});

describe('rotation', () => {
  it('re-reads the file on every call (no cache)', async () => {
    const path = join(dir, 'rotating');
    const env = { ATI_SESSION_TOKEN_FILE: path };
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), undefined);
    await writeFile(path, 'tok-v1\n');
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), 'tok-v1');
    await writeFile(path, 'tok-v2\n');
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), 'tok-v2');
    await writeFile(path, '');
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), undefined);
    await rm(path);
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), undefined);
  });

  it('re-reads the env object on every call', async () => {
    const env: Record<string, string | undefined> = { ATI_SESSION_TOKEN: 'one' };
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), 'one');
    env.ATI_SESSION_TOKEN = 'two';
    assert.equal(await resolveSessionToken({ env, defaultPath: noDefault }), 'two');
  });
});

describe('special files', () => {
  it('a FIFO at the token path is refused at once, never blocking', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const d = await mkdtemp(join(tmpdir(), 'ati-fifo-'));
    try {
      const fifo = join(d, 'session_token');
      execFileSync('mkfifo', [fifo]);
      await rejectsWith(
        resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: fifo } }),
        'ERR_SESSION_TOKEN_READ',
      );
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
