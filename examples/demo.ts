/**
 * The main job, end to end, on the embedded dev proxy:
 *
 * 1. start an ATI-compatible dev proxy with the sample fixtures;
 * 2. provision a sandbox and print its env (token shortened);
 * 3. validate and inspect the token;
 * 4. print the skill listing the agent would read;
 * 5. download the granted skills into a temporary folder and list the files;
 * 6. call an allowed tool with the sandbox token, and show a denied call refused;
 * 7. the virtual-key lifecycle: issue a job key, call a tool with it, revoke it, the next call is 401;
 * 8. stop.
 *
 * Run: `npm run demo`.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import {
  AtiOrchestrator,
  AtiProxyClient,
  generateSecret,
  inspectToken,
  ProxyError,
} from '../packages/ati-client/src/index.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);
const step = (n: number, title: string) =>
  out(`\n── ${n}. ${title} ${'─'.repeat(Math.max(0, 60 - title.length))}`);
const shorten = (token: string) => `${token.slice(0, 16)}…${token.slice(-6)} (${token.length} chars)`;

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.push(`${relative(dir, path)} (${(await stat(path)).size} B)`);
    }
  }
  return files.sort();
}

const secret = generateSecret();
// The proxy's ATI_ADMIN_TOKEN: enables /admin/keys* (virtual keys, kept in an embedded Postgres).
const adminToken = generateSecret();

step(1, 'Start the dev proxy (HS256, sample fixtures, virtual keys)');
const proxy = await startDevProxy({ ...sampleFixtures, secret, adminToken });
out(`listening on ${proxy.url}`);
const work = await mkdtemp(join(tmpdir(), 'ati-demo-'));

try {
  step(2, 'Provision a sandbox');
  const orch = new AtiOrchestrator({ proxyUrl: proxy.url, secret, adminToken });
  const { skills, skillsError, ...env } = await orch.provisionSandbox({
    agentId: 'sandbox:demo-1',
    tools: ['finnhub:quote', 'web_search'],
    skills: ['market-research', 'web-search-guide'],
    ttlSeconds: 900,
    rate: { 'tool:web_search': '2/minute' },
    jobId: 'job-demo',
    sandboxId: 'sb-demo-1',
    fetchSkillContent: true,
  });
  out(`ATI_PROXY_URL=${env.ATI_PROXY_URL}`);
  out(`ATI_SESSION_TOKEN=${shorten(env.ATI_SESSION_TOKEN)}`);
  if (skillsError) out(`(skill content not fetched: ${skillsError.code})`);
  else out(`SKILL.md content fetched for: ${Object.keys(skills ?? {}).join(', ')}`);

  step(3, 'Validate and inspect the token');
  const claims = await orch.validateToken(env.ATI_SESSION_TOKEN, { issuer: 'ati-orchestrator' });
  out(`valid: sub=${claims.sub} aud=${claims.aud} expires ${new Date(claims.exp * 1000).toISOString()}`);
  out(`scopes: ${claims.scopes().join(' ')}`);
  out(JSON.stringify(inspectToken(env.ATI_SESSION_TOKEN), null, 2));

  step(4, 'Skill listing for the agent prompt');
  out(await orch.buildSkillListing({ token: env.ATI_SESSION_TOKEN }));
  out();
  out(
    await orch.buildToolInstructions({
      tools: ['finnhub:quote', 'web_search'],
      token: env.ATI_SESSION_TOKEN,
    }),
  );

  step(5, 'Download the granted skills');
  const dest = join(work, 'skills');
  const { written, missing } = await orch.downloadSkills(['market-research', 'web-search-guide'], dest, {
    token: env.ATI_SESSION_TOKEN,
  });
  for (const [name, dir] of Object.entries(written)) {
    out(`${name} → ${dir}`);
    for (const f of await listFiles(dir)) out(`    ${f}`);
  }
  if (missing.length > 0) out(`missing: ${missing.join(', ')}`);

  step(6, 'Call tools through the proxy with the sandbox token');
  const sandbox = new AtiProxyClient({ proxyUrl: env.ATI_PROXY_URL, getToken: () => env.ATI_SESSION_TOKEN });
  out(`finnhub:quote → ${JSON.stringify(await sandbox.call('finnhub:quote', { symbol: 'AAPL' }))}`);
  out(
    `web_fetch (no scope needed) → ${JSON.stringify(await sandbox.call('web_fetch', { url: 'https://example.com' }))}`,
  );
  for (const [tool, args] of [
    ['finnhub:company_news', { symbol: 'AAPL' }],
    ['web_search', { query: 'ati' }],
    ['web_search', { query: 'ati' }],
    ['web_search', { query: 'ati' }],
  ] as const) {
    try {
      await sandbox.call(tool, args);
      out(`${tool} → allowed`);
    } catch (err) {
      if (!(err instanceof ProxyError)) throw err;
      out(`${tool} → refused: ${err.status} ${err.proxyError ?? err.code}`);
    }
  }

  step(7, 'Virtual key lifecycle: issue, use, revoke, refused');
  {
    // `await using` revokes the key when this block exits, also if the job throws.
    await using key = await orch.issueJobKey({
      userId: 'demo-user',
      tools: ['finnhub:quote'],
      createdBy: 'demo',
    });
    out(`issued ${key.alias} (hash ${key.hash.slice(0, 16)}…), expires ${key.expiresAt?.toISOString()}`);
    out(`printed as ${JSON.stringify(key)}`);
    const agent = new AtiProxyClient({ proxyUrl: orch.proxyUrl, apiKey: key.rawKey }); // Authorization: Ati-Key …
    out(
      `finnhub:quote with the key → ${JSON.stringify(await agent.call('finnhub:quote', { symbol: 'MSFT' }))}`,
    );
    out(`revoked: ${await key.revoke()}`);
    try {
      await agent.call('finnhub:quote', { symbol: 'MSFT' });
      out('unexpected: the revoked key still works');
    } catch (err) {
      if (!(err instanceof ProxyError)) throw err;
      out(`finnhub:quote after revoke → refused: ${err.status} (${err.code})`);
    }
  } // dispose: already revoked, nothing to do (revoking twice is not an error)
} finally {
  step(8, 'Stop');
  await proxy.close();
  await rm(work, { recursive: true, force: true });
  out('dev proxy closed, temporary files removed');
}
