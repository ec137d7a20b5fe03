/**
 * The small parsers behind loadSkillsDir and the SkillATI routes: SKILL.md
 * frontmatter splitting as upstream `parse_frontmatter` does it, skill-relative path normalization,
 * the activation rewrite, and the catalog filter.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { splitFrontmatter, stripFrontmatter } from '../src/frontmatter.ts';
import { type CatalogRec, filterCatalog } from '../src/registry.ts';
import {
  InvalidSkillPath,
  isAnthropicValidName,
  normalizeWithinSkill,
  resolveRequestedPath,
  substituteSkillRefs,
} from '../src/skillati.ts';

describe('SKILL.md frontmatter (upstream parse_frontmatter)', () => {
  const table: [string, string | undefined, string][] = [
    ['---\nname: x\n---\nbody\n', 'x', 'body\n'],
    ['  \n---\nname: x\n---\nbody', 'x', 'body'],
    ['--- trailing text\nname: x\n--- also\nbody', 'x', 'body'],
    ['---\nname: x\n---', 'x', ''],
    ['---\nname: x\n', undefined, '---\nname: x\n'],
    ['---', undefined, '---'],
    ['# no frontmatter\n---\nname: x\n---\n', undefined, '# no frontmatter\n---\nname: x\n---\n'],
    ['---\nname: [unclosed\n---\nbody', undefined, '---\nname: [unclosed\n---\nbody'],
    ['---\nname: "quoted: yes"\n---\nb', 'quoted: yes', 'b'],
    ["---\nname: 'it''s'\n---\nb", "it's", 'b'],
    ['---\nname: x # comment\n---\nb', 'x', 'b'],
    ['---\nname: x\nname: y\n---\nb', undefined, '---\nname: x\nname: y\n---\nb'],
  ];
  for (const [text, name, body] of table) {
    it(JSON.stringify(text), () => {
      const [fm, rest] = splitFrontmatter(text);
      assert.equal(fm?.name, name);
      assert.equal(rest, body);
    });
  }

  it('reads the fields ATI uses, block scalars included', () => {
    const [fm] = splitFrontmatter(
      '---\nname: n\ndescription: |\n  line 1\n  line 2\nwhen-to-use: >\n  a\n  b\nlicense: MIT\ncompatibility: node\nallowed-tools: Bash(git:*) Read\nunknown: ignored\nmetadata:\n  author: me\n  "version": "1.0"\n---\n',
    );
    assert.deepEqual(fm, {
      name: 'n',
      description: 'line 1\nline 2\n',
      whenToUse: 'a b\n',
      license: 'MIT',
      compatibility: 'node',
      allowedTools: 'Bash(git:*) Read',
      metadata: { author: 'me', version: '1.0' },
    });
    assert.equal(stripFrontmatter('---\nname: n\n---\nB'), 'B');
  });

  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (body) => {
        splitFrontmatter(`---\n${body}\n---\nrest`);
        splitFrontmatter(body);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SkillATI paths and activation rewrite (upstream core/skillati.rs)', () => {
  it('normalizes within a skill and refuses escapes', () => {
    assert.equal(normalizeWithinSkill('references/guide.md'), 'references/guide.md');
    assert.equal(normalizeWithinSkill('references/./x/../guide.md'), 'references/guide.md');
    for (const bad of [
      '../escape.md',
      'references/../../escape.md',
      'references\\guide.md',
      '/abs',
      'a\0b',
      '.',
      '',
      '  ',
    ]) {
      assert.throws(() => normalizeWithinSkill(bad), InvalidSkillPath, JSON.stringify(bad));
    }
    assert.deepEqual(resolveRequestedPath('a', './references/x.md'), ['a', 'references/x.md']);
    assert.deepEqual(resolveRequestedPath('a', '../ui-kit/SKILL.md'), ['ui-kit', 'SKILL.md']);
    assert.throws(() => resolveRequestedPath('a', '../UI/SKILL.md'), InvalidSkillPath);
    assert.throws(() => resolveRequestedPath('a', '../only'), InvalidSkillPath);
  });

  it('never yields a path that leaves the skill (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', '.', 'a', 'b', '', 'c.md'), { maxLength: 8 }), (segs) => {
        try {
          const out = normalizeWithinSkill(segs.join('/'));
          assert.ok(!out.split('/').includes('..') && !out.startsWith('/') && out !== '');
        } catch (err) {
          assert.ok(err instanceof InvalidSkillPath);
        }
      }),
    );
  });

  it('rewrites skill-dir variables, .claude/skills/<x>/ and bare catalog references', () => {
    const names = new Set(['other-skill', 'me']);
    const vars = (name: string) => `$${'{'}${name}}`; // literal SKILL.md variables, not template placeholders
    const body =
      `A ${vars('ATI_SKILL_DIR')}/x and ${vars('CLAUDE_SKILL_DIR')}/y. ` +
      'See .claude/skills/other-skill/SKILL.md, .claude/skills/ dir, .claude/skills/Bad_Name/x. ' +
      'Load other-skill/references/r.md and 2024/references/no.md and me/scripts/self.sh and unknown/assets/a.png.';
    assert.equal(
      substituteSkillRefs(body, 'me', names),
      'A skillati://me/x and skillati://me/y. ' +
        'See skillati://other-skill/SKILL.md, .claude/skills/ dir, .claude/skills/Bad_Name/x. ' +
        'Load skillati://other-skill/references/r.md and 2024/references/no.md and me/scripts/self.sh and unknown/assets/a.png.',
    );
    assert.ok(isAnthropicValidName('a-b-1'));
    for (const bad of ['', 'A', '-a', 'a-', 'a--b', 'a_b', 'x'.repeat(65)])
      assert.ok(!isAnthropicValidName(bad), bad);
  });
});

describe('catalog filter (SkillAtiClient::filter_catalog)', () => {
  const entry = (name: string, description: string, keywords: string[] = []): CatalogRec => ({
    name,
    description,
    whenToUse: undefined,
    keywords,
    tools: [],
    providers: [],
    categories: [],
    files: new Map(),
  });
  const entries = [
    entry('Zeta', 'alpha beta'),
    entry('alpha', 'nothing'),
    entry('beta', 'alpha', ['beta']),
    entry('gamma', 'unrelated'),
  ];

  it('scores by terms present, ties by lower-cased name, caps, trims and lower-cases the query', () => {
    const names = (q: string, limit = 25) => filterCatalog(entries, q, limit).map((e) => e.name);
    assert.deepEqual(names('alpha beta'), ['beta', 'Zeta', 'alpha']);
    assert.deepEqual(names('  ALPHA  '), ['alpha', 'beta', 'Zeta']);
    assert.deepEqual(names('alpha', 2), ['alpha', 'beta']);
    assert.deepEqual(
      names('alpha alpha'),
      ['alpha', 'beta', 'Zeta'],
      'a repeated term counts twice for everyone',
    );
    assert.deepEqual(
      names(' '),
      ['Zeta', 'alpha', 'beta', 'gamma'],
      'blank query: the first entries, unsorted',
    );
    assert.deepEqual(names('delta'), []);
  });
});
