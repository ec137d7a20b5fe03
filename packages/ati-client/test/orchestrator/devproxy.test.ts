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
import type { DevCatalogEntry, DevSkill, RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { ProxyError } from '../../src/errors.ts';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { SECRET } from '../helpers/constants.ts';
import { makeSandbox, type Sandbox } from '../helpers/fs.ts';

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

describe('where the Python SDK differed without a note (issue 8), against the dev proxy', () => {
  const big: Record<string, string> = {};
  for (let i = 0; i < 300; i++) big[`part-${i}.md`] = 'x'.repeat(16 * 1024);
  const skills: DevSkill[] = [
    // Sorted first by the proxy and by far the slowest to write.
    { name: 'a-big', description: 'big', content: '# a', files: { 'SKILL.md': '# a', ...big } },
    { name: 'b-small', description: 'small', content: '# b', files: { 'SKILL.md': '# b' } },
    { name: 'c-small', description: 'small', content: '# c', files: { 'SKILL.md': '# c' } },
    {
      name: 'odd-paths',
      description: 'names that are ordinary on POSIX',
      content: '# odd',
      files: {
        'SKILL.md': '# odd',
        'C:notes.md': 'drive-like',
        'notes..md': 'dots',
        'v1..2/x.md': 'dots dir',
      },
    },
  ];
  let proxy: RunningDevProxy;
  let box: Sandbox;
  let orch: AtiOrchestrator;
  before(async () => {
    proxy = await startDevProxy({ ...sampleFixtures, skills, secret: SECRET });
    box = await makeSandbox();
    orch = new AtiOrchestrator({ proxyUrl: proxy.url, secret: SECRET });
  });
  after(async () => {
    await proxy.close();
    await box.remove();
  });

  it('1. fetchSkills({ scopes: [] }) sends ["*"] as Python does: 401 without or with a bad token, {} with a good one', async () => {
    const other = new AtiOrchestrator({ proxyUrl: proxy.url, secret: 'ab'.repeat(32) });
    const bad = (await other.provisionSandbox({ agentId: 'x', extraScopes: ['*'] })).ATI_SESSION_TOKEN;
    for (const token of [undefined, bad]) {
      await assert.rejects(
        orch.fetchSkills({ scopes: [], token }),
        (err: unknown) => err instanceof ProxyError && err.status === 401 && err.path === '/skills/resolve',
      );
    }
    const good = (await orch.provisionSandbox({ agentId: 'x', extraScopes: ['*'] })).ATI_SESSION_TOKEN;
    assert.deepEqual(await orch.fetchSkills({ scopes: [], token: good }), {});
  });

  it('2, 3. notes..md, v1..2/x.md and (on POSIX) C:notes.md are written, as the proxy serves them', async () => {
    const token = (await orch.provisionSandbox({ agentId: 'o', skills: ['odd-paths'] })).ATI_SESSION_TOKEN;
    const dir = await orch.downloadSkill('odd-paths', box.dest, { token });
    assert.equal(await readFile(join(dir, 'notes..md'), 'utf8'), 'dots');
    assert.equal(await readFile(join(dir, 'v1..2', 'x.md'), 'utf8'), 'dots dir');
    if (process.platform !== 'win32')
      assert.equal(await readFile(join(dir, 'C:notes.md'), 'utf8'), 'drive-like');
  });

  it('4. downloadSkills returns its map in the server order, not the order the writes finished in', async () => {
    const names = ['c-small', 'b-small', 'a-big'];
    const token = (await orch.provisionSandbox({ agentId: 'd', skills: names })).ATI_SESSION_TOKEN;
    const finished: string[] = [];
    const { written } = await orch.downloadSkills(names, box.dest, {
      token,
      onProgress: (p) => finished.push(p.name),
    });
    const served = Object.keys((await orch.client(token).getSkillBundles(names)).skills);
    assert.deepEqual(served, ['a-big', 'b-small', 'c-small']);
    assert.deepEqual(Object.keys(written), served);
    assert.equal(finished.length, 3);
  });
});
