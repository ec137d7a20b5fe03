/**
 * AtiOrchestrator end to end against the dev proxy over real HTTP: the
 * Python SDK's listing tests ported (budget passes and overflow through the
 * real endpoint), provisioning with skill content, downloads, instructions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DevCatalogEntry, RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { makeSandbox, type Sandbox } from '../skills/fs-helpers.ts';

const SECRET = '17332cf135d362f79a2ed700b13e1215978be1d6ae6e133d25b6b3f21fa10299';

async function withProxy<T>(
  catalog: DevCatalogEntry[],
  fn: (orch: AtiOrchestrator) => Promise<T>,
): Promise<T> {
  const proxy = await startDevProxy({ ...sampleFixtures, catalog, secret: SECRET });
  try {
    return await fn(new AtiOrchestrator({ proxyUrl: proxy.url, secret: SECRET }));
  } finally {
    await proxy.close();
  }
}

async function wildcardToken(orch: AtiOrchestrator): Promise<string> {
  return (await orch.provisionSandbox({ agentId: 'lister', extraScopes: ['*'] })).ATI_SESSION_TOKEN;
}

const codePoints = (s: string) => Array.from(s).length;

describe('buildSkillListing through the dev proxy (Python listing tests)', () => {
  it('pass 1 keeps every entry whole, with when_to_use appended', async () => {
    const out = await withProxy(
      [
        { name: 'slidedeck-production', description: 'Create animation-rich HTML slides' },
        {
          name: 'html-app-architecture',
          description: 'Build self-contained HTML apps',
          whenToUse: 'use when asked for an HTML artifact',
        },
      ],
      async (orch) => orch.buildSkillListing({ token: await wildcardToken(orch) }),
    );
    assert.ok(out.startsWith('<system-reminder>\nThe following skills are available.'));
    assert.ok(out.endsWith('\n</system-reminder>'));
    assert.ok(out.includes('- slidedeck-production: Create animation-rich HTML slides\n'));
    assert.ok(
      out.includes(
        '- html-app-architecture: Build self-contained HTML apps - use when asked for an HTML artifact',
      ),
    );
  });

  it('pass 2 truncates descriptions to a fair share (contract §5.3 example 2)', async () => {
    const catalog = Array.from({ length: 60 }, (_, i) => ({
      name: `s-${String(i).padStart(2, '0')}`,
      description: 'd'.repeat(200),
    }));
    const out = await withProxy(catalog, async (orch) =>
      orch.buildSkillListing({ token: await wildcardToken(orch) }),
    );
    assert.ok(out.includes(`- s-00: ${'d'.repeat(123)}…\n`));
    assert.equal(codePoints(out), 8324);
    assert.equal(Buffer.byteLength(out), 8448);
  });

  it('pass 3′ drops to names with the overflow line (contract §5.3 example 3)', async () => {
    const catalog = Array.from({ length: 700 }, (_, i) => ({
      name: `a-verbose-skill-name-${String(i).padStart(4, '0')}`,
      description: 'x'.repeat(300),
    }));
    const out = await withProxy(catalog, async (orch) =>
      orch.buildSkillListing({ token: await wildcardToken(orch) }),
    );
    assert.ok(
      out.includes(
        '- a-verbose-skill-name-0282\n- ... (+417 more \u2014 run `ati skill fetch catalog` to list all)\n</system-reminder>',
      ),
    );
    assert.equal(codePoints(out), 8330);
  });

  it('Unicode descriptions are cut by code points, with a single-code-point ellipsis', async () => {
    const desc = '🚀'.repeat(300);
    const out = await withProxy([{ name: 'rocket', description: desc }], async (orch) =>
      orch.buildSkillListing({ token: await wildcardToken(orch) }),
    );
    assert.ok(out.includes(`- rocket: ${'🚀'.repeat(249)}…\n`));
  });

  it('an empty catalog gives an empty string; search is forwarded and capped at 25 by the proxy', async () => {
    await withProxy([], async (orch) =>
      assert.equal(await orch.buildSkillListing({ token: await wildcardToken(orch) }), ''),
    );
    const catalog = Array.from({ length: 40 }, (_, i) => ({ name: `guide-${i}`, description: 'a guide' }));
    const out = await withProxy(catalog, async (orch) =>
      orch.buildSkillListing({ token: await wildcardToken(orch), search: 'guide' }),
    );
    assert.equal(out.split('\n').filter((l) => l.startsWith('- guide-')).length, 25);
  });
});

describe('provision → skills → instructions through the dev proxy', () => {
  let proxy: RunningDevProxy;
  let box: Sandbox;
  let orch: AtiOrchestrator;
  before(async () => {
    proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET });
    box = await makeSandbox();
    orch = new AtiOrchestrator({ proxyUrl: proxy.url, secret: SECRET });
  });
  after(async () => {
    await proxy.close();
    await box.remove();
  });

  it('fetchSkillContent resolves the granted skills (and their dependencies) with content', async () => {
    const env = await orch.provisionSandbox({
      agentId: 'a',
      tools: ['finnhub:quote'],
      skills: ['market-research'],
      fetchSkillContent: true,
    });
    assert.equal(env.skillsError, undefined);
    assert.ok(env.skills && 'market-research' in env.skills);
    assert.match(env.skills['market-research'] ?? '', /\S/);
  });

  it('fetchSkills with a wildcard token resolves every visible skill, not nothing', async () => {
    const token = await wildcardToken(orch);
    const skills = await orch.fetchSkills({ token });
    assert.ok(Object.keys(skills).length >= sampleFixtures.skills.length);
  });

  it('downloadSkills writes bundles byte-exactly, including the binary file', async () => {
    const env = await orch.provisionSandbox({
      agentId: 'd',
      skills: ['market-research', 'web-search-guide'],
    });
    const { written, missing } = await orch.downloadSkills(
      ['market-research', 'web-search-guide', 'ghost'],
      box.dest,
      {
        token: env.ATI_SESSION_TOKEN,
      },
    );
    assert.deepEqual(missing, ['ghost']);
    assert.deepEqual(Object.keys(written).sort(), ['market-research', 'web-search-guide']);
    const skill = sampleFixtures.skills.find((s) => s.name === 'market-research')!;
    for (const [path, content] of Object.entries(skill.files ?? {})) {
      const onDisk = await readFile(join(written['market-research']!, path));
      const expected = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
      assert.equal(
        createHash('sha256').update(onDisk).digest('hex'),
        createHash('sha256').update(expected).digest('hex'),
        path,
      );
    }
  });

  it('buildToolInstructions names each provider methodology', async () => {
    const env = await orch.provisionSandbox({ agentId: 't', tools: ['finnhub:quote', 'web_search'] });
    const out = await orch.buildToolInstructions({
      tools: ['finnhub:quote', 'web_search'],
      token: env.ATI_SESSION_TOKEN,
    });
    assert.equal(
      out,
      'Before using finnhub tools, read the methodology:\n  ati skill fetch read market-research\nBefore using web tools, read the methodology:\n  ati skill fetch read web-search-guide',
    );
  });
});
