/**
 * AtiOrchestrator: the Python SDK's orchestrator tests ported, plus the weak
 * spots it fixes, against real HTTP servers on 127.0.0.1 (hostile ones too)
 * and real directories.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AtiError, ProvisionError, SkillError } from '../../src/errors.ts';
import { generateKeyPair } from '../../src/jws/keys.ts';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { formatSkillListing } from '../../src/skills/listing.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { makeSandbox, type Sandbox, snapshot } from '../helpers/fs.ts';
import { closedPort, json, rejectsWith, renderings, startServer, type TestServer } from '../helpers/http.ts';

function orch(
  proxyUrl = 'https://ati-proxy.example.com',
  extra: Partial<ConstructorParameters<typeof AtiOrchestrator>[0]> = {},
) {
  return new AtiOrchestrator({ proxyUrl, secret: SECRET, ...extra });
}

describe('provisionSandbox (ported from the Python SDK)', () => {
  it('returns the env vars', async () => {
    const env = await orch().provisionSandbox({
      agentId: 'sandbox:abc123',
      tools: ['web_search', 'finnhub_quote'],
    });
    assert.deepEqual(Object.keys(env), ['ATI_PROXY_URL', 'ATI_SESSION_TOKEN']);
    assert.equal(env.ATI_PROXY_URL, 'https://ati-proxy.example.com');
  });

  it('issues a token that validates, with the scope built like Python', async () => {
    const env = await orch().provisionSandbox({
      agentId: 'sandbox:xyz',
      tools: ['web_search'],
      skills: ['research-*'],
      ttlSeconds: 1800,
    });
    const claims = await validateToken(env.ATI_SESSION_TOKEN, { secret: SECRET });
    assert.equal(claims.sub, 'sandbox:xyz');
    assert.equal(claims.aud, 'ati-proxy');
    assert.equal(claims.iss, 'ati-orchestrator');
    assert.equal(claims.scope, 'tool:web_search skill:research-*');
    assert.equal(claims.exp - claims.iat, 1800);
  });

  it('carries rate limits, extra scopes, job and sandbox ids', async () => {
    const env = await orch().provisionSandbox({
      agentId: 'agent-1',
      tools: ['github:*'],
      extraScopes: ['help'],
      rate: { 'tool:github:*': '10/hour' },
      jobId: 'job-9',
      sandboxId: 'sb-3',
    });
    const claims = inspectToken(env.ATI_SESSION_TOKEN);
    assert.deepEqual(claims.ati?.rate, { 'tool:github:*': '10/hour' });
    assert.deepEqual(claims.scopes(), ['tool:github:*', 'help']);
    assert.equal(claims.job_id, 'job-9');
    assert.equal(claims.sandbox_id, 'sb-3');
  });

  it('refuses an invalid rate spec before issuing, naming it', async () => {
    const err = await rejectsWith(
      orch().provisionSandbox({ agentId: 'a', tools: ['x'], rate: { 'tool:x': '10/hours' } }),
      'ERR_RATE_SPEC_INVALID',
    );
    assert.match(err.message, /tool:x/);
  });

  it('strips trailing slashes from the proxy URL', async () => {
    const env = await orch('https://ati-proxy.example.com///').provisionSandbox({
      agentId: 't',
      tools: ['x'],
    });
    assert.equal(env.ATI_PROXY_URL, 'https://ati-proxy.example.com');
  });

  it('uses a custom aud and iss, and validateToken checks its own aud', async () => {
    const o = orch('https://proxy.test', { audience: 'custom-aud', issuer: 'custom-iss' });
    const env = await o.provisionSandbox({ agentId: 'test', tools: ['x'] });
    const claims = await validateToken(env.ATI_SESSION_TOKEN, { secret: SECRET, audience: 'custom-aud' });
    assert.equal(claims.iss, 'custom-iss');
    assert.equal((await o.validateToken(env.ATI_SESSION_TOKEN)).sub, 'test');
    await rejectsWith(orch().validateToken(env.ATI_SESSION_TOKEN), 'ERR_JWT_AUDIENCE_MISMATCH');
  });

  it('omits iss when issuer is null', async () => {
    const env = await orch(undefined, { issuer: null }).provisionSandbox({ agentId: 'a' });
    assert.equal(inspectToken(env.ATI_SESSION_TOKEN).iss, undefined);
  });

  it('still takes the deprecated defaultAud / defaultIss, and refuses them disagreeing with the new names', async () => {
    const o = orch(undefined, { defaultAud: 'old-aud', defaultIss: null });
    assert.equal(o.audience, 'old-aud');
    assert.equal(o.defaultAud, 'old-aud');
    assert.equal(o.defaultIss, null);
    const claims = inspectToken((await o.provisionSandbox({ agentId: 'a' })).ATI_SESSION_TOKEN);
    assert.equal(claims.aud, 'old-aud');
    assert.equal(claims.iss, undefined);
    assert.equal(orch(undefined, { audience: 'same', defaultAud: 'same' }).audience, 'same');
    assert.throws(
      () => orch(undefined, { audience: 'a', defaultAud: 'b' }),
      (e: Error & { code?: string }) => e.code === 'ERR_PROVISION_CONFIG' && /defaultAud/.test(e.message),
    );
    assert.throws(
      () => orch(undefined, { issuer: 'a', defaultIss: null }),
      (e: Error & { code?: string }) => e.code === 'ERR_PROVISION_CONFIG',
    );
  });

  it('grants nothing with no tools or skills', async () => {
    const env = await orch().provisionSandbox({ agentId: 'empty' });
    assert.equal(inspectToken(env.ATI_SESSION_TOKEN).scope, '');
  });

  it('issues and validates ES256 with only the private key configured', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const o = new AtiOrchestrator({ proxyUrl: 'http://127.0.0.1:1', privateKey });
    const env = await o.provisionSandbox({ agentId: 'es', tools: ['web_search'] });
    assert.equal((await o.validateToken(env.ATI_SESSION_TOKEN)).sub, 'es');
    assert.equal((await validateToken(env.ATI_SESSION_TOKEN, { publicKey })).sub, 'es');
  });
});

describe('construction fails fast on bad configuration', () => {
  const rows: [string, Record<string, unknown>][] = [
    ['unparseable URL', { proxyUrl: 'not a url', secret: SECRET }],
    ['non-http URL', { proxyUrl: 'ftp://x', secret: SECRET }],
    ['URL with credentials', { proxyUrl: 'https://u:p@x', secret: SECRET }],
    ['URL with query', { proxyUrl: 'https://x/?a=1', secret: SECRET }],
    ['short secret', { proxyUrl: 'https://x', secret: 'abcd' }],
    ['non-hex secret', { proxyUrl: 'https://x', secret: `${SECRET.slice(0, 62)}zz` }],
    ['secret with 0x', { proxyUrl: 'https://x', secret: `0x${SECRET}` }],
    ['no key', { proxyUrl: 'https://x' }],
    ['both keys', { proxyUrl: 'https://x', secret: SECRET, privateKey: 'x' }],
    [
      'SEC1 private key',
      {
        proxyUrl: 'https://x',
        privateKey: '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n',
      },
    ],
    ['garbage private key', { proxyUrl: 'https://x', privateKey: 'hello' }],
    ['zero timeout', { proxyUrl: 'https://x', secret: SECRET, timeoutMs: 0 }],
    [
      'timeout beyond what a client takes (2^31 ms)',
      { proxyUrl: 'https://x', secret: SECRET, timeoutMs: 2 ** 31 },
    ],
    ['fractional concurrency', { proxyUrl: 'https://x', secret: SECRET, concurrency: 1.5 }],
  ];
  for (const [name, options] of rows) {
    it(name, () => {
      assert.throws(
        () => new AtiOrchestrator(options as unknown as ConstructorParameters<typeof AtiOrchestrator>[0]),
        (err: unknown) => {
          assert.ok(err instanceof ProvisionError);
          assert.equal(err.code, 'ERR_PROVISION_CONFIG');
          for (const text of renderings(err)) assert.ok(!text.includes(SECRET.slice(0, 40)), 'secret leaked');
          return true;
        },
      );
    });
  }
});

it('an unparseable proxyUrl never carries its credentials into the error (nor its cause)', () => {
  assert.throws(
    () => new AtiOrchestrator({ proxyUrl: 'https://user:SECRETPW@[bad', secret: SECRET }),
    (err: unknown) => {
      assert.ok(err instanceof ProvisionError);
      for (const text of renderings(err)) assert.ok(!text.includes('SECRETPW'), text);
      return true;
    },
  );
});

it('orch.validateToken(token, null) rejects instead of throwing synchronously', async () => {
  const o = orch();
  const env = await o.provisionSandbox({ agentId: 'n' });
  const p = o.validateToken(env.ATI_SESSION_TOKEN, null as never);
  assert.equal((await p).sub, 'n');
});

describe('helpers against a real HTTP server', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('buildSkillListing sends the Bearer token and formats like Python', async () => {
    const skills = [
      { name: 'slidedeck-production', description: 'Create animation-rich HTML slides' },
      {
        name: 'html-app-architecture',
        description: 'Build self-contained HTML apps',
        when_to_use: 'use when asked for an HTML artifact',
      },
    ];
    server.handle(json(200, { skills }));
    server.requests.length = 0;
    const out = await orch(server.url).buildSkillListing({ token: 'tok-abc' });
    assert.equal(out, formatSkillListing(skills));
    assert.ok(
      out.includes(
        '- html-app-architecture: Build self-contained HTML apps - use when asked for an HTML artifact',
      ),
    );
    assert.equal(server.requests[0]?.url, '/skillati/catalog');
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer tok-abc');
  });

  it('buildSkillListing forwards search only when non-empty', async () => {
    server.handle(json(200, { skills: [] }));
    server.requests.length = 0;
    assert.equal(await orch(server.url).buildSkillListing({ token: 't', search: 'html apps' }), '');
    await orch(server.url).buildSkillListing({ token: 't', search: '' });
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/skillati/catalog?search=html+apps', '/skillati/catalog'],
    );
  });

  it('buildToolInstructions reproduces the Python worked example (contract §5.5) and reports the failure', async () => {
    const answers: Record<string, [number, unknown]> = {
      '/tools/finnhub%3Aquote': [200, { provider: 'finnhub', skills: ['finnhub-methodology'] }],
      '/tools/finnhub%3Anews': [
        200,
        { provider: 'finnhub', skills: ['finnhub-methodology', 'news-analysis'] },
      ],
      '/tools/web_search': [200, { provider: 'parallel', skills: [] }],
      '/tools/broken': [404, { error: "Tool 'broken' not found" }],
      '/tools/github%3Asearch%20repos%2Fx': [200, { provider: 'github', skills: ['gh-a'] }],
      '/tools/fal%3Asubmit': [200, { skills: ['fal-generate', 'fal-generate'] }],
    };
    server.handle((req, res) => {
      const [status, body] = answers[req.url ?? ''] ?? [500, { error: 'unexpected' }];
      // Answer out of order to prove the output keeps request order.
      setTimeout(
        () => json(status, { name: 'x', description: '', ...(body as object) })(req, res, undefined as never),
        Math.random() * 20,
      );
    });
    server.requests.length = 0;
    const failures: [string, string][] = [];
    const out = await orch(server.url).buildToolInstructions({
      token: 't',
      tools: ['finnhub:quote', 'finnhub:news', 'web_search', 'broken', 'github:search repos/x', 'fal:submit'],
      onToolError: (tool, err) => failures.push([tool, err.code]),
    });
    assert.equal(
      out,
      'Before using finnhub tools, read the relevant skill:\n  ati skill fetch read finnhub-methodology\n  ati skill fetch read news-analysis\nBefore using github tools, read the methodology:\n  ati skill fetch read gh-a\nBefore using fal:submit tools, read the methodology:\n  ati skill fetch read fal-generate',
    );
    assert.deepEqual(failures, [['broken', 'ERR_PROXY_HTTP']]);
    assert.deepEqual(new Set(server.requests.map((r) => r.url)), new Set(Object.keys(answers)));
  });

  it('without onToolError, a skipped tool is a process warning ATI_TOOL_LOOKUP_FAILED (never silent)', async () => {
    server.handle(json(404, { error: "Tool 'gone' not found" }));
    const seen: { code?: string; message: string }[] = [];
    const onWarning = (w: Error & { code?: string }) => seen.push({ code: w.code, message: w.message });
    process.on('warning', onWarning);
    try {
      assert.equal(
        await orch(server.url).buildToolInstructions({ tools: ['gone'], token: 'secret-token-xyz' }),
        '',
      );
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    const w = seen.find((x) => x.code === 'ATI_TOOL_LOOKUP_FAILED');
    assert.ok(w, JSON.stringify(seen));
    assert.match(w.message, /"gone".*ERR_PROXY_HTTP/);
    assert.ok(!w.message.includes('secret-token-xyz'));
  });

  it('buildToolInstructions runs lookups concurrently, bounded by concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    server.handle((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        json(200, { provider: 'p', skills: [`s-${req.url}`] })(req, res, undefined as never);
      }, 30);
    });
    const tools = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await orch(server.url, { concurrency: 4 }).buildToolInstructions({ tools });
    assert.equal(peak, 4);
  });

  it('provisionSandbox with fetchSkillContent resolves the granted scopes, not ["*"]', async () => {
    server.handle(
      json(200, [
        {
          name: 'research',
          content: '# Research',
          description: '',
          version: '1',
          tools: [],
          providers: [],
          categories: [],
        },
      ]),
    );
    server.requests.length = 0;
    const env = await orch(server.url).provisionSandbox({
      agentId: 'a',
      tools: ['web_search'],
      skills: ['research'],
      extraScopes: ['help'],
      fetchSkillContent: true,
    });
    assert.deepEqual(env.skills, { research: '# Research' });
    assert.equal(env.skillsError, undefined);
    assert.deepEqual(JSON.parse(server.requests[0]!.body), {
      scopes: ['tool:web_search', 'skill:research'],
      include_content: true,
    });
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${env.ATI_SESSION_TOKEN}`);
  });

  it('a skill named __proto__ is kept as an ordinary key', async () => {
    server.handle(
      json(200, [
        {
          name: '__proto__',
          content: 'odd',
          description: '',
          version: '1',
          tools: [],
          providers: [],
          categories: [],
        },
      ]),
    );
    const skills = await orch(server.url).fetchSkills({ scopes: ['skill:__proto__'] });
    assert.deepEqual(Object.keys(skills), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(skills, '__proto__')?.value, 'odd');
  });

  it('a failed skill fetch never fails provisioning, and is reported', async () => {
    const port = await closedPort();
    const env = await orch(`http://127.0.0.1:${port}`).provisionSandbox({
      agentId: 'a',
      skills: ['x'],
      fetchSkillContent: true,
    });
    assert.deepEqual(env.skills, {});
    assert.ok(env.skillsError instanceof AtiError);
    assert.equal(env.skillsError.code, 'ERR_PROXY_NETWORK');
    assert.ok((await validateToken(env.ATI_SESSION_TOKEN, { secret: SECRET })).sub === 'a');
  });
});

describe('downloads against a hostile server write nothing outside destDir', () => {
  let server: TestServer;
  let box: Sandbox;
  before(async () => {
    server = await startServer();
    box = await makeSandbox();
  });
  after(async () => {
    await server.close();
    await box.remove();
  });

  const hostileFiles: [string, Record<string, unknown>][] = [
    ['parent traversal', { '../escape.txt': 'x' }],
    ['deep traversal', { 'a/../../escape.txt': 'x' }],
    ['absolute path', { '/tmp/escape.txt': 'x' }],
    ['backslash', { '..\\escape.txt': 'x' }],
    ['NUL byte', { 'a\u0000b': 'x' }],
    ['empty path', { '': 'x' }],
    ['dot path', { '.': 'x' }],
    ['bad file value', { 'a.txt': 42 }],
    ['non-canonical base64', { 'a.bin': { base64: 'AB==' } }],
  ];
  for (const [name, files] of hostileFiles) {
    it(`downloadSkill refuses a bundle with a ${name}`, async () => {
      server.handle(json(200, { name: 'evil', files: { 'SKILL.md': '# ok', ...files } }));
      const before = await snapshot(box.root);
      const err = await orch(server.url)
        .downloadSkill('evil', box.dest)
        .then(
          () => assert.fail('accepted'),
          (e: unknown) => e,
        );
      // The client's shape check or the writer's path check refuses it; either way nothing is written.
      assert.ok(
        err instanceof SkillError || (err instanceof AtiError && err.code === 'ERR_PROXY_INVALID_RESPONSE'),
        String(err),
      );
      assert.deepEqual(
        (await snapshot(box.root)).filter((l) => !l.startsWith('skills')),
        before.filter((l) => !l.startsWith('skills')),
      );
    });
  }

  for (const name of ['../evil', '/abs', 'a/b', '..', '.', 'a\\b', '']) {
    it(`downloadSkill refuses the skill name ${JSON.stringify(name)} before any request`, async () => {
      server.requests.length = 0;
      await rejectsWith(orch(server.url).downloadSkill(name, box.dest), 'ERR_SKILL_NAME_UNSAFE');
      assert.equal(server.requests.length, 0);
    });
  }

  it('an unsafe name is reported as such even when the token is unusable too', async () => {
    const o = orch(server.url);
    await rejectsWith(o.downloadSkill('../x', box.dest, { token: 'a b' }), 'ERR_SKILL_NAME_UNSAFE');
    await rejectsWith(o.downloadSkills(['ok', '../x'], box.dest, { token: 'a b' }), 'ERR_SKILL_NAME_UNSAFE');
    // With safe names, the token is what is wrong.
    await rejectsWith(o.downloadSkills(['ok'], box.dest, { token: 'a b' }), 'ERR_INVALID_ARGUMENT');
  });

  it('downloadSkills refuses a server-provided name that was not requested (../escape)', async () => {
    server.handle(json(200, { missing: [], skills: { '../escape': { files: { 'x.md': 'x' } } } }));
    const before = await snapshot(box.root);
    const err = await orch(server.url)
      .downloadSkills(['good'], box.dest)
      .then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof SkillError);
    assert.deepEqual(await snapshot(box.root), before);
  });

  it('downloadSkill writes text and binary files, decoding base64 as bytes', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 137, 80, 78, 71]);
    server.handle(
      json(200, {
        name: 'good',
        files: { 'SKILL.md': '# Good\n', 'assets/x.bin': { base64: bytes.toString('base64') } },
      }),
    );
    const dir = await orch(server.url).downloadSkill('good', box.dest, { token: 't' });
    assert.equal(dir, join(box.dest, 'good'));
    assert.equal(await readFile(join(dir, 'SKILL.md'), 'utf8'), '# Good\n');
    assert.deepEqual(await readFile(join(dir, 'assets/x.bin')), bytes);
  });

  it('downloadSkills reports missing names, batches over 50, and reports progress', async () => {
    server.handle((req, res, seen) => {
      const names = (JSON.parse(seen.body) as { names: string[] }).names;
      const skills: Record<string, unknown> = {};
      for (const n of names) if (!n.startsWith('gone')) skills[n] = { files: { 'SKILL.md': `# ${n}` } };
      json(200, { missing: names.filter((n) => n.startsWith('gone')), skills })(req, res, seen);
    });
    server.requests.length = 0;
    const names = [...Array.from({ length: 60 }, (_, i) => `s${i}`), 'gone-1', 'gone-2'];
    const progress: number[] = [];
    const result = await orch(server.url).downloadSkills(names, box.dest, {
      onProgress: (p) => progress.push(p.done),
    });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(result.missing, ['gone-1', 'gone-2']);
    assert.equal(Object.keys(result.written).length, 60);
    assert.equal(progress.length, 60);
    assert.equal(await readFile(join(box.dest, 's59', 'SKILL.md'), 'utf8'), '# s59');
  });
});
