import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatSkillListing, SKILL_LISTING_BUDGET } from '../../src/skills/listing.ts';

// The exact strings of contract §5.1, written out independently of the implementation.
const HEADER =
  "<system-reminder>\nThe following skills are available. To load one, run `ati skill fetch read <name>` via the Bash tool \u2014 the skill's body will be returned. Follow the skill's instructions literally. Files referenced inside a skill body live at `skillati://<name>/<path>` \u2014 fetch them via `ati skill fetch cat <name> <path>`.\n\n";
const FOOTER = '\n</system-reminder>';
const overflow = (n: number): string =>
  `\n- ... (+${n} more \u2014 run \`ati skill fetch catalog\` to list all)`;

const E = '\u{1F600}';
const cpLen = (s: string): number => Array.from(s).length;
const utf8Len = (s: string): number => Buffer.byteLength(s, 'utf8');
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const pad = (i: number, width: number): string => String(i).padStart(width, '0');
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const body = (out: string): string => {
  assert.ok(out.startsWith(HEADER) && out.endsWith(FOOTER));
  return out.slice(HEADER.length, out.length - FOOTER.length);
};

/** Inputs of the fixture cases stored without their input (see generate_listing_fixtures.py). */
const GENERATED: Record<string, () => unknown[]> = {
  'example 2': () => range(60).map((i) => ({ name: `s-${pad(i, 2)}`, description: 'd'.repeat(200) })),
  'example 3': () =>
    range(700).map((i) => ({ name: `a-verbose-skill-name-${pad(i, 4)}`, description: 'x'.repeat(300) })),
  'pass 1 by code points though UTF-16 length is over budget': () =>
    range(35).map((i) => ({ name: `e-${pad(i, 2)}`, description: E.repeat(200) })),
  'pass 2 with astral descriptions': () =>
    range(60).map((i) => ({ name: `a-${pad(i, 2)}`, description: E.repeat(200) })),
  'pass 2 share exactly 20': () =>
    range(228).map((i) => ({ name: `skill-${pad(i, 4)}`, description: 'd'.repeat(30) })),
  'pass 3 when share is 19': () =>
    range(229).map((i) => ({ name: `skill-${pad(i, 4)}`, description: 'd'.repeat(30) })),
  'pass 3 prime: astral first line exactly at the limit': () => [
    { name: E.repeat(7934) },
    { name: 'b'.repeat(100) },
  ],
  'pass 3 prime: astral names cut by code points': () =>
    range(400).map((i) => ({ name: `${E.repeat(20)}-${pad(i, 3)}`, description: 'd' })),
};

interface ListingCase {
  name: string;
  input?: unknown[];
  output?: string;
  codePoints: number;
  sha256: string;
}
interface Fixtures {
  listing: ListingCase[];
}
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/listing-python.json', import.meta.url), 'utf8'),
) as Fixtures;

const example1 = [
  { name: 'alpha', description: 'Does A' },
  { name: 'beta', description: 'Does B', when_to_use: 'use when B' },
  'gamma',
  { name: '  delta  ', description: '  ', when_to_use: ' only wtu ' },
  { name: '', description: 'skipped: empty name' },
  { name: 'eps', description: 'x'.repeat(300) },
  { name: 'zeta', description: 'Has empty wtu', when_to_use: '' },
];

describe('formatSkillListing: contract §5.3 worked examples', () => {
  it('example 1 (pass 1) is exact', () => {
    const out = formatSkillListing(example1);
    const expected =
      HEADER +
      [
        '- alpha: Does A',
        '- beta: Does B - use when B',
        '- gamma',
        '- delta: only wtu',
        `- eps: ${'x'.repeat(249)}\u2026`,
        '- zeta: Has empty wtu',
      ].join('\n') +
      FOOTER;
    assert.equal(out, expected);
    assert.equal(cpLen(out), 694);
    assert.equal(utf8Len(out), 700);
    assert.equal(sha256(out), 'aa61d45c1e118f35bb8275e8a7c1e3b1af05bbe0144b0027479081a92831de3d');
  });

  it('example 2 (pass 2): share 124 per description', () => {
    const out = formatSkillListing(GENERATED['example 2']!());
    const lines = range(60).map((i) => `- s-${pad(i, 2)}: ${'d'.repeat(123)}\u2026`);
    assert.equal(out, HEADER + lines.join('\n') + FOOTER);
    assert.equal(cpLen(body(out)), 7979);
    assert.equal(cpLen(out), 8324);
    assert.equal(utf8Len(out), 8448);
  });

  it('example 3 (pass 3′): 283 names and "+417 more"', () => {
    const out = formatSkillListing(GENERATED['example 3']!());
    const names = range(283).map((i) => `- a-verbose-skill-name-${pad(i, 4)}`);
    assert.equal(cpLen(names.join('\n')), 7923);
    assert.equal(out, HEADER + names.join('\n') + overflow(417) + FOOTER);
    assert.equal(cpLen(body(out)), 7985);
    assert.equal(cpLen(out), 8330);
  });
});

describe('formatSkillListing: goldens produced by the Python SDK', () => {
  for (const c of fixtures.listing) {
    it(c.name, () => {
      const input = c.input ?? GENERATED[c.name]?.();
      assert.ok(input, `no input for fixture case ${c.name}`);
      const out = formatSkillListing(input);
      if (c.output !== undefined) assert.equal(out, c.output);
      assert.equal(cpLen(out), c.codePoints);
      // Lone surrogates have no UTF-8 form; Python hashed them with surrogatepass, so compare by output only.
      if (!/\p{Cs}/u.test(out)) assert.equal(sha256(out), c.sha256);
    });
  }

  it('covers every generated input', () => {
    for (const name of Object.keys(GENERATED)) {
      assert.ok(
        fixtures.listing.some((c) => c.name === name && c.input === undefined),
        name,
      );
    }
  });
});

describe('formatSkillListing: code points, not UTF-16 units', () => {
  it('truncates an astral description to 249 code points plus an ellipsis', () => {
    const out = formatSkillListing([{ name: 'e', description: E.repeat(300) }]);
    assert.equal(body(out), `- e: ${E.repeat(249)}\u2026`);
  });

  it('keeps a 250-code-point astral description (500 UTF-16 units) whole', () => {
    const out = formatSkillListing([{ name: 'e', description: E.repeat(250) }]);
    assert.equal(body(out), `- e: ${E.repeat(250)}`);
  });

  it('stays in pass 1 when only the UTF-16 length exceeds the budget', () => {
    const entries = GENERATED['pass 1 by code points though UTF-16 length is over budget']!();
    const out = body(formatSkillListing(entries));
    assert.ok(out.length > SKILL_LISTING_BUDGET);
    assert.ok(cpLen(out) <= SKILL_LISTING_BUDGET);
    assert.ok(!out.includes('\u2026'));
  });

  it('splits combining sequences and CJK by code point, as Python does', () => {
    const out = body(formatSkillListing([{ name: 'c', description: 'e\u0301'.repeat(200) }]));
    assert.equal(out, `- c: ${'e\u0301'.repeat(124)}e\u2026`);
    const cjk = body(formatSkillListing([{ name: 'k', description: '\u6f22'.repeat(251) }]));
    assert.equal(cjk, `- k: ${'\u6f22'.repeat(249)}\u2026`);
  });
});

describe('formatSkillListing: normalisation', () => {
  it('returns "" for an empty list and for entries without names', () => {
    assert.equal(formatSkillListing([]), '');
    assert.equal(formatSkillListing([{ name: ' \u3000 ' }, '', { description: 'x' }]), '');
  });

  it('strips Python whitespace, including U+001C..U+001F and U+3000, but not U+FEFF', () => {
    const out = body(
      formatSkillListing([
        { name: '\x1c\x1d\x1e\x1fa\x1f', description: '\u3000d\u3000' },
        { name: '\ufeffb\ufeff', description: '\xa0\u2028x\u205f' },
        { name: '\u200bc', description: '\t\n\v\f\r \x85' },
      ]),
    );
    assert.equal(out, '- a: d\n- \ufeffb\ufeff: x\n- \u200bc');
  });

  it('renders null, booleans and integers as Python str() does', () => {
    const out = body(
      formatSkillListing([
        null,
        true,
        42,
        { name: null, description: false },
        { name: 'w', description: 'd', when_to_use: false },
        { name: 'n', description: 'd', when_to_use: null },
        { name: 'z', when_to_use: 0 },
      ]),
    );
    assert.equal(out, '- None\n- True\n- 42\n- None: False\n- w: d - False\n- n: d\n- z: 0');
  });

  it('renders non-dict entries and nested values in Python repr syntax', () => {
    const out = body(
      formatSkillListing([['a', 1.5, { k: null }], { name: 'x', description: { a: [true] } }]),
    );
    assert.equal(out, "- ['a', 1.5, {'k': None}]\n- x: {'a': [True]}");
  });

  it('does not recurse forever on a cyclic entry', () => {
    const cyclic: unknown[] = ['a'];
    cyclic.push(cyclic);
    assert.equal(body(formatSkillListing([cyclic])), "- ['a', [...]]");
  });
});

describe('formatSkillListing: properties', () => {
  const entry = fc.record(
    {
      name: fc.string({ unit: 'grapheme', maxLength: 30 }),
      description: fc.string({ unit: 'grapheme', maxLength: 400 }),
      when_to_use: fc.option(fc.string({ unit: 'grapheme', maxLength: 60 }), { nil: undefined }),
    },
    { requiredKeys: ['name', 'description'] },
  );

  it('keeps the body within the budget', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 120 }), (entries) => {
        const out = formatSkillListing(entries);
        if (out === '') return;
        const inner = body(out);
        assert.ok(cpLen(inner) <= SKILL_LISTING_BUDGET);
      }),
      { numRuns: 200 },
    );
  });
});

it('a deeply nested non-string description renders without overflowing the stack', () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const out = formatSkillListing([{ name: 'deep', description: deep }]);
  assert.match(out, /- deep: \[\[\[/);
});
