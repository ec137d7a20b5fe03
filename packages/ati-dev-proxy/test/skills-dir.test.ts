/**
 * loadSkillsDir on real directories: the shipped fixtures match
 * sampleFixtures, the three metadata paths of upstream `load_skill_from_dir`,
 * symlinks that lead out of the tree are not followed, errors carry codes.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AtiError } from 'ati-client';
import { type DevSkill, loadSkillsDir, sampleFixtures, startDevProxy } from '../src/index.ts';
import { FIXTURE_SKILLS, raw } from './helpers.ts';

let tmp: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ati-skills-'));
});
after(() => rm(tmp, { recursive: true, force: true }));

async function tree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), data);
  }
}

let n = 0;
async function fresh(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = join(tmp, `case-${n++}`);
  await mkdir(root, { recursive: true });
  await tree(root, files);
  return root;
}

function bytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? new TextEncoder().encode(v) : v;
}

/** A skill's defined fields, files as bytes, empty lists dropped. */
function normalize(s: DevSkill): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] =
      k === 'files' ? Object.fromEntries(Object.entries(v as object).map(([p, d]) => [p, bytes(d)])) : v;
  }
  return out;
}

function isCode(code: string) {
  return (err: unknown) => err instanceof AtiError && err.code === code;
}

describe('the shipped fixtures/skills', () => {
  it('load to exactly sampleFixtures.skills', async () => {
    const loaded = await loadSkillsDir(FIXTURE_SKILLS);
    assert.deepEqual(loaded.map(normalize), sampleFixtures.skills.map(normalize));
  });

  it('serve the binary file as base64 over HTTP', async () => {
    const proxy = await startDevProxy({ ...sampleFixtures, skills: [], skillsDir: FIXTURE_SKILLS });
    try {
      const res = await raw(proxy.url, 'GET', '/skills/market-research/bundle');
      const files = (JSON.parse(res.text) as { files: Record<string, unknown> }).files;
      const png = await readFile(`${FIXTURE_SKILLS}/market-research/assets/logo.png`);
      assert.deepEqual(files['assets/logo.png'], { base64: png.toString('base64') });
      assert.equal(files['references/deep/notes.md'], '# Notes\n\nNested reference file.\n');
    } finally {
      await proxy.close();
    }
  });
});

describe('metadata sources (upstream load_skill_from_dir)', () => {
  it('frontmatter first, bindings from skill.toml; a bad skill.toml beside frontmatter is ignored', async () => {
    const root = await fresh({
      'a/SKILL.md':
        '---\nname: alpha\ndescription: "From: frontmatter"\nlicense: MIT\nallowed-tools: Bash Read\nmetadata:\n  author: me\n  version: 9.9.9\n---\n# A\n',
      'a/skill.toml':
        '[skill]\nname = "ignored"\ndescription = "ignored"\ntools = ["t1"]\ndepends_on = ["b"]\n',
      'b/SKILL.md': '---\ndescription: >-\n  folded\n  text\n---\nbody\n',
      'b/skill.toml': 'this is not toml',
    });
    const [a, b] = await loadSkillsDir(root);
    assert.equal(a!.name, 'alpha');
    assert.equal(a!.description, 'From: frontmatter');
    assert.equal(a!.version, '9.9.9');
    assert.equal(a!.author, 'me');
    assert.equal(a!.license, 'MIT');
    assert.equal(a!.allowedTools, 'Bash Read');
    assert.deepEqual(a!.tools, ['t1']);
    assert.deepEqual(a!.dependsOn, ['b']);
    assert.equal(a!.format, 'anthropic');
    assert.equal(b!.name, 'b', 'name falls back to the directory');
    assert.equal(b!.description, 'folded text');
    assert.equal(b!.tools, undefined);
  });

  it('legacy skill.toml: [skill] table, defaults, empty name → directory name', async () => {
    const root = await fresh({
      'x/skill.toml':
        '# comment\n[skill]\nname = ""\ndescription = """\nmulti\nline"""\nkeywords = [\n  "k1", # c\n  \'k2\',\n]\nhas_frontmatter = false\n\n[skill.extra_metadata]\nk = "v"\n\n[ati.integrity]\ncontent_hash = "abc"\n',
      'x/SKILL.md': '# X\nbody\n',
    });
    const [x] = await loadSkillsDir(root);
    assert.equal(x!.name, 'x');
    assert.equal(x!.version, '0.1.0');
    assert.equal(x!.description, 'multi\nline');
    assert.deepEqual(x!.keywords, ['k1', 'k2']);
    assert.equal(x!.format, 'legacy-toml');
  });

  it('any valid TOML 1.0 loads, as the proxy (toml crate, no deny_unknown_fields) loads it', async () => {
    const root = await fresh({
      'full/skill.toml': [
        'title = "top-level keys the proxy ignores"',
        'score = 4.5',
        'released = 1979-05-27T07:32:00Z',
        'day = 1979-05-27',
        'at = 07:32:00',
        'owner = { name = "Tom", since = 2020-01-01, weight = 1e3 }',
        'skill.name = "full"',
        'skill.keywords = ["a", "b"]',
        'skill.tools = ["web_search"]',
        'skill.rank = 0.25',
        'skill.updated = 2024-01-02T03:04:05.678+01:00',
        'skill.limits = { max = 10, ratio = inf }',
        'skill.unknown_field = [1, 2.5, "mixed", { t = true }]',
        'skill.extra_metadata = { k = "v" }',
        '',
        '[[ati.history]]',
        'version = "1"',
        '[[ati.history]]',
        'version = "2"',
      ].join('\n'),
      'full/SKILL.md': '# Full\nbody\n',
    });
    const [full] = await loadSkillsDir(root);
    assert.equal(full!.name, 'full');
    assert.equal(full!.format, 'legacy-toml');
    assert.deepEqual(full!.keywords, ['a', 'b']);
    assert.deepEqual(full!.tools, ['web_search']);
    // Served by the dev proxy like any other skill.
    const proxy = await startDevProxy({ skills: [full!] });
    try {
      const res = await fetch(`${proxy.url}/skills/full`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { name: string }).name, 'full');
    } finally {
      await proxy.close();
    }
  });

  it('bindings beside frontmatter come from a skill.toml that uses inline tables and floats', async () => {
    const root = await fresh({
      'fm/SKILL.md': '---\nname: fm\ndescription: d\n---\nbody\n',
      'fm/skill.toml': '[skill]\nname = "fm"\ntools = ["t1"]\nweight = 0.5\nmeta = { a = 1 }\n',
    });
    const [fm] = await loadSkillsDir(root);
    assert.equal(fm!.format, 'anthropic');
    assert.deepEqual(fm!.tools, ['t1']);
  });

  it('inferred: directory name and first line that is neither empty nor a heading', async () => {
    const root = await fresh({ 'inf/SKILL.md': '# Title\n\n## Sub\n  The description.  \nmore\n' });
    const [s] = await loadSkillsDir(root);
    assert.equal(s!.name, 'inf');
    assert.equal(s!.description, 'The description.');
    assert.equal(s!.format, 'inferred');
  });

  it('files at the top of the skills directory are ignored; skills come sorted', async () => {
    const root = await fresh({ 'README.md': 'x', 'zz/SKILL.md': 'z', 'aa/SKILL.md': 'a' });
    assert.deepEqual(
      (await loadSkillsDir(root)).map((s) => s.name),
      ['aa', 'zz'],
    );
  });
});

describe('errors', () => {
  it('a legacy skill.toml that does not parse names the file and line', async () => {
    const root = await fresh({ 's/skill.toml': '[skill]\nname = "s"\ntools = [1.5 2]\n' });
    await assert.rejects(loadSkillsDir(root), (err: unknown) => {
      assert.ok(isCode('ERR_SKILL_BUNDLE_INVALID')(err));
      assert.match((err as Error).message, /skill\.toml.*line 3, column \d+: /);
      // The reason only, not smol-toml's excerpt of the file.
      assert.ok(!(err as Error).message.includes('[1.5 2]'));
      return true;
    });
  });

  it('wrong field types and a missing [skill] table are refused', async () => {
    for (const toml of [
      '[skill]\nname = 5\n',
      '[other]\nname = "x"\n',
      '[skill]\ndescription = "no name"\n',
      '[skill]\nname = "s"\ntools = "t"\n',
      '[skill]\nname = "s"\ntools = [1.5]\n',
      '[skill]\nname = 1979-05-27\n',
      'skill = 1979-05-27\n',
      '[skill]\nname = "s"\nextra_metadata = 1979-05-27\n',
      '[skill]\nname = "s"\n[skill]\nname = "t"\n',
    ]) {
      const root = await fresh({ 's/skill.toml': toml });
      await assert.rejects(loadSkillsDir(root), isCode('ERR_SKILL_BUNDLE_INVALID'), toml);
    }
  });

  it('a directory with neither SKILL.md nor skill.toml, a missing root, non-UTF-8 SKILL.md, size caps', async () => {
    await assert.rejects(
      loadSkillsDir(await fresh({ 'empty/notes.txt': 'x' })),
      isCode('ERR_SKILL_BUNDLE_INVALID'),
    );
    await assert.rejects(loadSkillsDir(join(tmp, 'missing')), isCode('ERR_SKILL_BUNDLE_INVALID'));
    await assert.rejects(
      loadSkillsDir(await fresh({ 'f.txt': 'x' }).then((r) => join(r, 'f.txt'))),
      isCode('ERR_SKILL_BUNDLE_INVALID'),
    );
    await assert.rejects(
      loadSkillsDir(await fresh({ 'b/SKILL.md': Uint8Array.from([0x23, 0xff, 0xfe]) })),
      isCode('ERR_SKILL_BUNDLE_INVALID'),
    );
    const big = await fresh({ 's/SKILL.md': '# s\n', 's/blob.bin': new Uint8Array(2048) });
    await assert.rejects(loadSkillsDir(big, { maxFileBytes: 1024 }), isCode('ERR_SKILL_BUNDLE_INVALID'));
    await assert.rejects(loadSkillsDir(big, { maxFiles: 0 }), isCode('ERR_SKILL_BUNDLE_INVALID'));
    await assert.rejects(loadSkillsDir(big, { maxSkillBytes: 100 }), isCode('ERR_SKILL_BUNDLE_INVALID'));
  });

  it('FIFOs are skipped as bundle files and refused as SKILL.md (never read, never block)', async () => {
    const root = await fresh({ 's/SKILL.md': '# s\n' });
    execFileSync('mkfifo', [join(root, 's/pipe')]);
    const [s] = await loadSkillsDir(root);
    assert.deepEqual(Object.keys(s!.files!), []);
    const bad = await fresh({ 'p/keep.txt': 'k' });
    execFileSync('mkfifo', [join(bad, 'p/SKILL.md')]);
    await assert.rejects(loadSkillsDir(bad), isCode('ERR_SKILL_BUNDLE_INVALID'));
  });

  it('an unreadable file is an error with a code, not a crash', {
    skip: process.getuid?.() === 0 ? 'root reads everything' : false,
  }, async () => {
    const root = await fresh({ 's/SKILL.md': '# s\n', 's/secret.txt': 'x' });
    await chmod(join(root, 's/secret.txt'), 0o000);
    await assert.rejects(loadSkillsDir(root), isCode('ERR_SKILL_BUNDLE_INVALID'));
  });
});

describe('symlinks never lead out of the tree', () => {
  it('links out of a skill are skipped; links inside are served under their own name; loops end', async () => {
    const outside = await fresh({
      'secret.txt': 'TOP SECRET',
      'dir/inner.txt': 'ALSO SECRET',
      'SKILL.md': 'outside skill',
    });
    const root = await fresh({ 's/SKILL.md': '# s\n', 's/references/a.md': 'A' });
    await symlink(join(outside, 'secret.txt'), join(root, 's/leak.txt'));
    await symlink(join(outside, 'dir'), join(root, 's/leakdir'));
    await symlink('../../..', join(root, 's/references/up'));
    await symlink('a.md', join(root, 's/references/alias.md'));
    await symlink('..', join(root, 's/references/loop'));
    await symlink(join(root, 'nowhere'), join(root, 's/dangling'));
    const [s] = await loadSkillsDir(root);
    assert.deepEqual(Object.keys(s!.files!).sort(), ['references/a.md', 'references/alias.md']);
    for (const v of Object.values(s!.files!))
      assert.ok(!new TextDecoder().decode(bytes(v)).includes('SECRET'));
  });

  it('SKILL.md or skill.toml linking out of the skill are treated as absent', async () => {
    const outside = await fresh({
      'SKILL.md': '---\nname: stolen\n---\nSECRET\n',
      'skill.toml': '[skill]\nname = "stolen"\n',
    });
    const root = await fresh({ 's/keep.txt': 'k' });
    await symlink(join(outside, 'SKILL.md'), join(root, 's/SKILL.md'));
    await assert.rejects(loadSkillsDir(root), isCode('ERR_SKILL_BUNDLE_INVALID'), 'neither file is usable');
    await symlink(join(outside, 'skill.toml'), join(root, 's/skill.toml'));
    await assert.rejects(loadSkillsDir(root), isCode('ERR_SKILL_BUNDLE_INVALID'));
  });

  it('a skill folder that links out of the skills directory is skipped; one inside is loaded', async () => {
    const outside = await fresh({ 'evil/SKILL.md': '# evil\n' });
    const root = await fresh({ 'real/SKILL.md': '# real\n' });
    await symlink(join(outside, 'evil'), join(root, 'evil'));
    await symlink('real', join(root, 'alias'));
    await symlink('.', join(root, 'self'));
    const names = (await loadSkillsDir(root)).map((s) => s.name);
    assert.deepEqual(names, ['alias', 'real']);
  });
});
