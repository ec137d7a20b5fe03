import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { SkillError } from '../../src/errors.ts';
import {
  cleanupStaleTemps,
  isSafeBundlePath,
  isSafeSkillName,
  writeSkillBundle,
} from '../../src/skills/bundle-writer.ts';
import { expectedTree, makeSandbox, readTree, type Sandbox, snapshot } from '../helpers/fs.ts';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<SkillError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SkillError, `expected SkillError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected rejection with ${code}`);
}

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => {
  await box.remove();
});

const V1 = { 'SKILL.md': '# v1\n', 'refs/a.md': 'alpha v1', 'refs/deep/b.md': 'beta v1' };

describe('writeSkillBundle: round trip', () => {
  it('writes text as UTF-8 and { base64 } as exact bytes', async () => {
    const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const files = {
      'SKILL.md': '# Skill\n\nünïcödé \u{1F600} \u6f22\u5b57\r\n',
      'empty.txt': '',
      'a..b.md': 'two dots inside a segment are fine',
      'scripts/run.sh': '#!/bin/sh\necho hi\n',
      'assets/all-bytes.bin': { base64: allBytes.toString('base64') },
      'assets/random.bin': { base64: randomBytes(4097).toString('base64') },
      'assets/empty.bin': { base64: '' },
      'd/e/e/p/x.txt': 'deep',
    };
    const dir = await writeSkillBundle(box.dest, 'demo', files);
    assert.equal(dir, join(await realpath(box.dest), 'demo'));
    assert.deepEqual(await readTree(dir), expectedTree(files));
    assert.deepEqual(await readdir(box.dest), ['demo']);
  });

  it('creates a missing destination directory, and an empty skill directory for an empty bundle', async () => {
    const dest = join(box.dest, 'nested', 'deeper');
    const dir = await writeSkillBundle(dest, 'empty', {});
    assert.deepEqual(await readdir(dir), []);
    assert.deepEqual(await readdir(dest), ['empty']);
  });

  it('accepts names up to 255 UTF-8 bytes (long ones get hashed temp names)', async () => {
    for (const name of ['x'.repeat(233), 'x'.repeat(234), 'x'.repeat(255), `${'\u00e9'.repeat(127)}x`]) {
      const dir = await writeSkillBundle(box.dest, name, { 'SKILL.md': name });
      assert.equal(await readFile(join(dir, 'SKILL.md'), 'utf8'), name);
      // Written twice so the previous-version path (the .old- directory) is exercised as well.
      await writeSkillBundle(box.dest, name, { 'SKILL.md': 'again' });
      assert.equal(await readFile(join(dir, 'SKILL.md'), 'utf8'), 'again');
    }
    assert.equal((await readdir(box.dest)).filter((e) => e.startsWith('.')).length, 0);
  });
});

const HOSTILE_NAMES: readonly string[] = [
  '',
  '.',
  '..',
  '../x',
  '../../etc',
  'a/b',
  '/etc/passwd',
  '/',
  'a\\b',
  '..\\..\\x',
  'C:\\x',
  'C:x',
  'c:',
  'a\u0000b',
  '\u0000',
  'a\nb',
  '\t',
  '\u007f',
  'x\u0085',
  'x\u009b',
  'x'.repeat(256),
  '\u00e9'.repeat(128),
  '\u{1F600}'.repeat(64),
  '\ud800',
  'a\udc00',
];

const HOSTILE_PATHS: readonly string[] = [
  '',
  '.',
  '..',
  '../x',
  'a/../../b',
  'x/..',
  'a/../b',
  '/etc/passwd',
  '/',
  '//server/share',
  'a\\b',
  '..\\x',
  'C:\\x',
  // A drive prefix or an alternate data stream on Windows; ordinary names on POSIX (see below).
  ...(process.platform === 'win32' ? ['C:/x', 'C:notes.md', 'notes.md:stream'] : []),
  'a\u0000b',
  'a//b',
  'a/',
  './x',
  'a/./b',
  '\u0001',
  'a\u009fb',
  'dir/\r',
  '\ud800.md',
];

describe('writeSkillBundle: hostile input', () => {
  it('rejects every hostile name with ERR_SKILL_NAME_UNSAFE and writes nothing', async () => {
    await mkdir(join(box.root, 'outside'));
    await writeFile(join(box.root, 'outside', 'keep.txt'), 'keep');
    const before = await snapshot(box.root);
    assert.ok(HOSTILE_NAMES.length >= 20);
    for (const name of HOSTILE_NAMES) {
      assert.equal(isSafeSkillName(name), false, JSON.stringify(name));
      await rejectsWith(writeSkillBundle(box.dest, name, { 'SKILL.md': 'x' }), 'ERR_SKILL_NAME_UNSAFE');
      await rejectsWith(cleanupStaleTemps(box.dest, name), 'ERR_SKILL_NAME_UNSAFE');
    }
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('accepts ordinary names, including dots inside', () => {
    for (const name of [
      'finnhub-methodology',
      'a..b',
      '...',
      '.hidden',
      'x.y',
      'ünï',
      '\u{1F600}',
      'a b',
      'ab:c',
    ]) {
      assert.equal(isSafeSkillName(name), true, name);
    }
  });

  it('rejects every hostile path with ERR_SKILL_PATH_UNSAFE and leaves the previous skill untouched', async () => {
    await writeSkillBundle(box.dest, 'skill', V1);
    const before = await snapshot(box.root);
    assert.ok(HOSTILE_PATHS.length >= 20);
    for (const path of HOSTILE_PATHS) {
      assert.equal(isSafeBundlePath(path), false, JSON.stringify(path));
      // A valid file first: the whole bundle is refused, not just the bad entry.
      const err = await rejectsWith(
        writeSkillBundle(box.dest, 'skill', { 'ok.md': 'fine', [path]: 'SECRET-CONTENT' }),
        'ERR_SKILL_PATH_UNSAFE',
      );
      assert.ok(!err.message.includes('SECRET-CONTENT'));
    }
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('rejects paths that collide after NFC normalisation, and a path that is both file and directory', async () => {
    const before = await snapshot(box.root);
    const bundles = [
      { 'caf\u00e9.md': 'a', 'cafe\u0301.md': 'b' },
      { a: 'file', 'a/b': 'under it' },
      { 'a/b': 'under it', a: 'file' },
      { 'x/y/z': 'deep', 'x/y': 'file' },
    ];
    for (const files of bundles) {
      await rejectsWith(writeSkillBundle(box.dest, 'skill', files), 'ERR_SKILL_PATH_UNSAFE');
    }
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('rejects invalid file values with ERR_SKILL_BUNDLE_INVALID, never quoting content', async () => {
    await writeSkillBundle(box.dest, 'skill', V1);
    const before = await snapshot(box.root);
    const values: unknown[] = [
      42,
      null,
      true,
      [],
      {},
      { text: 'SECRET' },
      { base64: 42 },
      { base64: 'QQ' },
      { base64: 'QR==' },
      { base64: 'Q===' },
      { base64: 'QQ==\n' },
      { base64: ' QQ==' },
      { base64: 'QQ==QQ==' },
      { base64: '-_8=' },
      { base64: 'SECRET!!' },
      { base64: 'QUJD\u00e9' },
      'SECRET lone \ud800 surrogate',
    ];
    for (const value of values) {
      const err = await rejectsWith(
        writeSkillBundle(box.dest, 'skill', { 'ok.md': 'fine', 'bad.bin': value }),
        'ERR_SKILL_BUNDLE_INVALID',
      );
      assert.ok(!err.message.includes('SECRET'), err.message);
    }
    for (const files of [null, [], 'SKILL.md', 7]) {
      await rejectsWith(
        writeSkillBundle(box.dest, 'skill', files as unknown as Record<string, unknown>),
        'ERR_SKILL_BUNDLE_INVALID',
      );
    }
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('accepts strict base64 and ignores extra keys beside it', async () => {
    const files = {
      a: { base64: 'QQ==' },
      b: { base64: 'QUI=' },
      c: { base64: 'QUJD' },
      d: { base64: '+/+/', note: 'ignored' },
    };
    const dir = await writeSkillBundle(box.dest, 'b64', files);
    const tree = await readTree(dir);
    assert.deepEqual(tree.get('a'), Buffer.from('A'));
    assert.deepEqual(tree.get('b'), Buffer.from('AB'));
    assert.deepEqual(tree.get('c'), Buffer.from('ABC'));
    assert.deepEqual(tree.get('d'), Buffer.from([0xfb, 0xff, 0xbf]));
  });
});

describe('writeSkillBundle: symlinks', () => {
  it('refuses a symlink at <destDir>/<name> without following it', async () => {
    const outside = join(box.root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'SKILL.md'), 'outside');
    await mkdir(box.dest);
    await symlink(outside, join(box.dest, 'skill'));
    const before = await snapshot(box.root);
    await rejectsWith(
      writeSkillBundle(box.dest, 'skill', { 'SKILL.md': 'evil', 'x.md': 'x' }),
      'ERR_SKILL_PATH_UNSAFE',
    );
    // A dangling link is refused the same way.
    await symlink(join(box.root, 'nowhere'), join(box.dest, 'dangling'));
    await rejectsWith(writeSkillBundle(box.dest, 'dangling', { 'SKILL.md': 'x' }), 'ERR_SKILL_PATH_UNSAFE');
    const after = (await snapshot(box.root)).filter((line) => !line.startsWith('skills/dangling '));
    assert.deepEqual(after, before);
  });

  it('refuses a regular file at <destDir>/<name>', async () => {
    await mkdir(box.dest);
    await writeFile(join(box.dest, 'skill'), 'not a directory');
    const before = await snapshot(box.root);
    await rejectsWith(writeSkillBundle(box.dest, 'skill', { 'SKILL.md': 'x' }), 'ERR_SKILL_PATH_UNSAFE');
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('never writes through a symlinked subdirectory of the previous skill', async () => {
    const outside = join(box.root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'x.md'), 'outside');
    const dir = await writeSkillBundle(box.dest, 'skill', { 'SKILL.md': 'v1' });
    await symlink(outside, join(dir, 'sub'));
    const outsideBefore = await snapshot(outside);
    await writeSkillBundle(box.dest, 'skill', {
      'SKILL.md': 'v2',
      'sub/x.md': 'inside',
      'sub/new.md': 'new',
    });
    assert.deepEqual(await snapshot(outside), outsideBefore);
    assert.deepEqual(
      await readTree(dir),
      expectedTree({ 'SKILL.md': 'v2', 'sub/x.md': 'inside', 'sub/new.md': 'new' }),
    );
  });

  it('resolves a symlink inside destDir itself once, and writes under its target', async () => {
    const real = join(box.root, 'real');
    await mkdir(real);
    await symlink(real, join(box.root, 'link'));
    const dir = await writeSkillBundle(join(box.root, 'link', 'skills'), 'skill', { 'SKILL.md': 'x' });
    assert.equal(dir, join(await realpath(real), 'skills', 'skill'));
    assert.equal(await readFile(join(real, 'skills', 'skill', 'SKILL.md'), 'utf8'), 'x');
  });
});

describe('writeSkillBundle: atomic replacement', () => {
  it('replaces the previous skill completely and leaves no temporary directories', async () => {
    const dir = await writeSkillBundle(box.dest, 'skill', V1);
    const v2 = { 'NEW.md': 'only file of v2' };
    assert.equal(await writeSkillBundle(box.dest, 'skill', v2), dir);
    assert.deepEqual(await readTree(dir), expectedTree(v2));
    assert.deepEqual(await readdir(box.dest), ['skill']);
  });

  it('leaves the previous skill intact when a write fails midway (ENAMETOOLONG at open time)', async () => {
    const dir = await writeSkillBundle(box.dest, 'skill', V1);
    const before = await snapshot(box.root);
    // The first file is written before the too-long name fails; only open() can tell.
    const err = await rejectsWith(
      writeSkillBundle(box.dest, 'skill', { 'first.md': 'written first', [`sub/${'n'.repeat(300)}`]: 'x' }),
      'ERR_SKILL_WRITE_FAILED',
    );
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENAMETOOLONG');
    assert.deepEqual(await snapshot(box.root), before);
    assert.deepEqual(await readTree(dir), expectedTree(V1));
  });

  it('creates nothing when the first write of a skill fails', async () => {
    await rejectsWith(
      writeSkillBundle(box.dest, 'skill', { 'a.md': 'a', ['n'.repeat(300)]: 'x' }),
      'ERR_SKILL_WRITE_FAILED',
    );
    assert.deepEqual(await readdir(box.dest), []);
  });

  it('refuses an empty destDir without creating anything', async () => {
    const before = await snapshot(box.root);
    await rejectsWith(writeSkillBundle('', 'skill', { a: 'a' }), 'ERR_SKILL_PATH_UNSAFE');
    await rejectsWith(writeSkillBundle(`${box.dest}\u0000x`, 'skill', { a: 'a' }), 'ERR_SKILL_PATH_UNSAFE');
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('fails with ERR_SKILL_WRITE_FAILED when destDir cannot be a directory', async () => {
    await writeFile(join(box.root, 'file'), 'x');
    await rejectsWith(
      writeSkillBundle(join(box.root, 'file'), 'skill', { a: 'a' }),
      'ERR_SKILL_WRITE_FAILED',
    );
    await rejectsWith(
      writeSkillBundle(join(box.root, 'file', 'sub'), 'skill', { a: 'a' }),
      'ERR_SKILL_WRITE_FAILED',
    );
  });
});

describe('cleanupStaleTemps', () => {
  it('removes temp directories and restores a previous version moved aside', async () => {
    await mkdir(box.dest);
    const stray = join(box.dest, '.skill.tmp-0123456789abcdef');
    await mkdir(join(stray, 'sub'), { recursive: true });
    await writeFile(join(stray, 'sub', 'partial.md'), 'partial');
    const old = join(box.dest, '.skill.old-fedcba9876543210');
    await mkdir(old);
    await writeFile(join(old, 'SKILL.md'), 'previous');
    // Look-alikes that are not ours to touch.
    await mkdir(join(box.dest, '.other.tmp-0123456789abcdef'));
    await mkdir(join(box.dest, '.skill.tmp-short'));
    await symlink(box.root, join(box.dest, '.skill.tmp-aaaaaaaaaaaaaaaa'));

    await cleanupStaleTemps(box.dest, 'skill');
    assert.deepEqual((await readdir(box.dest)).sort(), [
      '.other.tmp-0123456789abcdef',
      '.skill.tmp-aaaaaaaaaaaaaaaa',
      '.skill.tmp-short',
      'skill',
    ]);
    assert.deepEqual(await readTree(join(box.dest, 'skill')), expectedTree({ 'SKILL.md': 'previous' }));
  });

  it('removes a previous version when the skill is in place, and ignores a missing destDir', async () => {
    await writeSkillBundle(box.dest, 'skill', { 'SKILL.md': 'current' });
    await mkdir(join(box.dest, '.skill.old-0000000000000000'));
    await cleanupStaleTemps(box.dest, 'skill');
    assert.deepEqual(await readdir(box.dest), ['skill']);
    assert.equal(await readFile(join(box.dest, 'skill', 'SKILL.md'), 'utf8'), 'current');
    await cleanupStaleTemps(join(box.root, 'missing'), 'skill');
  });
});

describe('bundle paths: properties', () => {
  const piece = fc.constantFrom(
    'a',
    'b',
    '.',
    '..',
    '/',
    '//',
    '\\',
    '\u0000',
    ':',
    'C:',
    '\u00e9',
    'e\u0301',
    '\u0085',
    '\ud800',
    ' ',
    '~',
    '\u{1F600}',
  );
  const pathArb = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

  it('a safe path never leaves its root and is already normalised', () => {
    fc.assert(
      fc.property(fc.oneof(pathArb, fc.string()), (p) => {
        if (!isSafeBundlePath(p)) return;
        assert.equal(posix.normalize(p), p);
        assert.ok(posix.resolve('/root/skill', p).startsWith('/root/skill/'));
      }),
      { numRuns: 2000 },
    );
  });

  it('a random path is either rejected or lands inside <destDir>/<name>', async () => {
    await mkdir(join(box.root, 'canary'));
    await writeFile(join(box.root, 'canary', 'c.txt'), 'canary');
    const outsideBefore = (await snapshot(box.root)).filter((l) => !l.startsWith('skills'));
    await fc.assert(
      fc.asyncProperty(pathArb, async (p) => {
        let dir: string;
        try {
          dir = await writeSkillBundle(box.dest, 'prop', { [p]: 'payload' });
        } catch (err) {
          assert.ok(err instanceof SkillError);
          assert.equal(err.code, 'ERR_SKILL_PATH_UNSAFE');
          assert.equal(isSafeBundlePath(p), false);
          return;
        }
        assert.equal(isSafeBundlePath(p), true);
        const target = join(dir, ...p.split('/'));
        assert.ok(target.startsWith(dir + sep));
        assert.equal(await readFile(target, 'utf8'), 'payload');
        assert.deepEqual(await readdir(box.dest), ['prop']);
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(
      (await snapshot(box.root)).filter((l) => !l.startsWith('skills')),
      outsideBefore,
    );
  });
});

it('concurrent writes of the same skill in one process all succeed, one after the other, leaving no leftovers', async () => {
  const box = await makeSandbox();
  try {
    const versions = Array.from({ length: 8 }, (_, i) => ({ 'SKILL.md': `# v${i}\n`, 'a/b.txt': `v${i}` }));
    const dirs = await Promise.all(versions.map((files) => writeSkillBundle(box.dest, 'same', files)));
    assert.equal(new Set(dirs).size, 1);
    const entries = await readdir(box.dest);
    assert.deepEqual(entries, ['same']);
    const tree = await readTree(join(box.dest, 'same'));
    assert.ok(
      versions.some(
        (v) =>
          tree.get('SKILL.md')?.toString() === v['SKILL.md'] &&
          tree.get('a/b.txt')?.toString() === v['a/b.txt'],
      ),
    );
  } finally {
    await box.remove();
  }
});
