import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildSkillInstructions, formatToolInstructions } from '../../src/skills/instructions.ts';

// Registered before any call so the one-time warning cannot be missed.
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

describe('formatToolInstructions (contract §5.5)', () => {
  it('reproduces the worked example exactly', () => {
    // Request order; "broken" answered 404, so it is absent.
    const out = formatToolInstructions([
      { tool: 'finnhub:quote', data: { provider: 'finnhub', skills: ['finnhub-methodology'] } },
      {
        tool: 'finnhub:news',
        data: { provider: 'finnhub', skills: ['finnhub-methodology', 'news-analysis'] },
      },
      { tool: 'web_search', data: { provider: 'parallel', skills: [] } },
      { tool: 'github:search repos/x', data: { provider: 'github', skills: ['gh-a'] } },
      { tool: 'fal:submit', data: { skills: ['fal-generate', 'fal-generate'] } },
    ]);
    assert.equal(
      out,
      'Before using finnhub tools, read the relevant skill:\n  ati skill fetch read finnhub-methodology\n  ati skill fetch read news-analysis\nBefore using github tools, read the methodology:\n  ati skill fetch read gh-a\nBefore using fal:submit tools, read the methodology:\n  ati skill fetch read fal-generate',
    );
  });

  it('uses the single-skill wording for one skill and the list wording for several', () => {
    assert.equal(
      formatToolInstructions([{ tool: 't', data: { provider: 'p', skills: ['only'] } }]),
      'Before using p tools, read the methodology:\n  ati skill fetch read only',
    );
    assert.equal(
      formatToolInstructions([{ tool: 't', data: { provider: 'p', skills: ['a', 'b', 'c'] } }]),
      'Before using p tools, read the relevant skill:\n  ati skill fetch read a\n  ati skill fetch read b\n  ati skill fetch read c',
    );
  });

  it('dedupes skills globally: a skill stays with the first provider that declared it', () => {
    const out = formatToolInstructions([
      { tool: 'x', data: { provider: 'one', skills: ['shared'] } },
      { tool: 'y', data: { provider: 'two', skills: ['shared', 'own'] } },
      { tool: 'z', data: { provider: 'one', skills: ['late'] } },
    ]);
    assert.equal(
      out,
      'Before using one tools, read the relevant skill:\n  ati skill fetch read shared\n  ati skill fetch read late\nBefore using two tools, read the methodology:\n  ati skill fetch read own',
    );
  });

  it('returns "" when nothing declares a skill', () => {
    assert.equal(formatToolInstructions([]), '');
    assert.equal(formatToolInstructions([{ tool: 't', data: { provider: 'p', skills: [] } }]), '');
  });

  it('ignores malformed responses instead of throwing', () => {
    const out = formatToolInstructions([
      { tool: 'a', data: null },
      { tool: 'b', data: ['skills'] },
      { tool: 'c', data: 'text' },
      { tool: 'd', data: { provider: 'p', skills: 'not-a-list' } },
      { tool: 'e', data: { provider: 'p', skills: [1, null, { s: 1 }] } },
      { tool: 'f', data: { provider: 42, skills: ['kept', 7] } },
      { tool: 'g', data: JSON.parse('{"__proto__": "proto", "skills": ["g-skill"]}') },
    ]);
    assert.equal(
      out,
      'Before using f tools, read the methodology:\n  ati skill fetch read kept\nBefore using g tools, read the methodology:\n  ati skill fetch read g-skill',
    );
  });

  it('keeps "__proto__" as an ordinary provider name', () => {
    assert.equal(
      formatToolInstructions([{ tool: 't', data: { provider: '__proto__', skills: ['s'] } }]),
      'Before using __proto__ tools, read the methodology:\n  ati skill fetch read s',
    );
  });
});

describe('buildSkillInstructions (deprecated, contract §5.4)', () => {
  it('produces the exact legacy bytes for ["foo", "bar-baz"]', () => {
    assert.equal(
      buildSkillInstructions(['foo', 'bar-baz']),
      "# Available Skills\n\nThe following skills contain methodology and detailed guidance for this task.\nRead the relevant skill(s) before using the associated tools.\n\n- **foo**: `ati skill fetch read foo`\n- **bar-baz**: `ati skill fetch read bar-baz`\n\nUse `ati skill fetch read <name>` to fetch and read a skill's full methodology. Skills contain tool-specific workflows, parameter guidance, and best practices.",
    );
  });

  it('matches the Python SDK output', () => {
    const fixtures = JSON.parse(
      readFileSync(new URL('./fixtures/listing-python.json', import.meta.url), 'utf8'),
    ) as { legacy: { input: string[]; output: string }[] };
    assert.ok(fixtures.legacy.length >= 3);
    for (const { input, output } of fixtures.legacy) assert.equal(buildSkillInstructions(input), output);
  });

  it('returns "" for an empty list', () => {
    assert.equal(buildSkillInstructions([]), '');
  });

  it('emitted exactly one DeprecationWarning across all the calls above', async () => {
    buildSkillInstructions(['again']);
    // process.emitWarning dispatches on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    const ours = warnings.filter(
      (w) => (w as Error & { code?: string }).code === 'ATI_DEP_SKILL_INSTRUCTIONS',
    );
    assert.equal(ours.length, 1);
    assert.equal(ours[0]?.name, 'DeprecationWarning');
  });
});
