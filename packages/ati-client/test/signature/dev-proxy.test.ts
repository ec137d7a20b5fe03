/**
 * Sandbox signatures end to end over real HTTP on 127.0.0.1: AtiProxyClient
 * with `signingSecret` against the dev proxy's signature layer in each mode,
 * layered as in the proxy (signature check, then JWT auth, then the route).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DevSignatureEvent, RunningDevProxy } from 'ati-dev-proxy';
import { createDevProxy, sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import { AtiError, type ProxyError } from '../../src/errors.ts';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { signSandboxRequest } from '../../src/signature/sandbox.ts';
import { issueToken } from '../../src/token/issue.ts';
import { SECRET } from '../helpers/constants.ts';

const SIGNING_SECRET = 'sandbox-signing-secret';
const events: DevSignatureEvent[] = [];
let enforce: RunningDevProxy;
let warn: RunningDevProxy;
let token: string;

before(async () => {
  enforce = await startDevProxy({
    ...sampleFixtures,
    secret: SECRET,
    signatures: { mode: 'enforce', secret: SIGNING_SECRET, onVerdict: (e) => events.push(e) },
  });
  warn = await startDevProxy({
    ...sampleFixtures,
    secret: SECRET,
    signatures: { mode: 'warn', secret: SIGNING_SECRET },
  });
  token = await issueToken({
    secret: SECRET,
    sub: 'signed',
    scope: 'tool:web_search skill:market-research',
  });
});
after(async () => {
  await enforce.close();
  await warn.close();
});

describe('enforce mode', () => {
  it('a signing client gets through, on GET and POST, with and without a query string', async () => {
    const client = new AtiProxyClient({
      proxyUrl: enforce.url,
      token,
      signingSecret: SIGNING_SECRET,
      jobId: 'job-42',
    });
    assert.deepEqual((await client.listTools()).map((t) => t.name).sort(), ['web_fetch', 'web_search']);
    assert.ok((await client.listSkills({ search: 'market' })).length >= 1); // signed path excludes ?search=
    await client.call('web_search', { query: 'x' });
    const last = events.at(-1)!;
    assert.deepEqual(last, { verdict: 'valid', method: 'POST', path: '/call', jobId: 'job-42' });
  });

  it('an unsigned client is refused with 403 and the verdict as the body, before JWT auth', async () => {
    for (const t of [token, undefined]) {
      const client = new AtiProxyClient({ proxyUrl: enforce.url, ...(t === undefined ? {} : { token: t }) });
      const err = (await client.listTools().catch((e: unknown) => e)) as ProxyError;
      assert.equal(err.code, 'ERR_PROXY_HTTP');
      assert.equal(err.status, 403);
    }
    const res = await fetch(`${enforce.url}/tools`);
    assert.equal(res.status, 403);
    assert.equal(await res.text(), 'missing_signature');
    assert.equal(res.headers.get('content-type'), null);
  });

  it('a signed request without a token still meets JWT auth (401)', async () => {
    const client = new AtiProxyClient({ proxyUrl: enforce.url, signingSecret: SIGNING_SECRET });
    const err = (await client.listTools().catch((e: unknown) => e)) as ProxyError;
    assert.equal(err.status, 401);
  });

  it('the wrong secret, a stale timestamp and a replay on another path are refused with their reasons', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string]> = [
      [await signSandboxRequest({ secret: 'other', method: 'GET', path: '/tools' }), 'hmac_mismatch'],
      [
        await signSandboxRequest({
          secret: SIGNING_SECRET,
          method: 'GET',
          path: '/tools',
          timestamp: now - 3600,
        }),
        'expired_timestamp_drift=',
      ],
      [await signSandboxRequest({ secret: SIGNING_SECRET, method: 'GET', path: '/skills' }), 'hmac_mismatch'],
      ['t=abc,s=00', 'invalid_timestamp'],
    ];
    for (const [signature, reason] of cases) {
      const res = await fetch(`${enforce.url}/tools`, {
        headers: { authorization: `Bearer ${token}`, 'x-sandbox-signature': signature },
      });
      assert.equal(res.status, 403);
      assert.ok((await res.text()).startsWith(reason), reason);
    }
  });

  it('exempt paths (/health, /.well-known/jwks.json) need no signature', async () => {
    assert.equal((await fetch(`${enforce.url}/health`)).status, 200);
    assert.equal((await fetch(`${enforce.url}/.well-known/jwks.json`)).status, 404); // no ES256 key: JWKS 404, not 403
    // Exempt, so JWT auth answers (401), not the signature layer (403); `*` crosses `/`, as in globset.
    for (const path of ['/healthz', '/root/a/b', '/npm/x', '/otel/v1/traces']) {
      assert.equal((await fetch(`${enforce.url}${path}`)).status, 401, path);
    }
  });

  it('unknown routes are behind the signature layer too', async () => {
    assert.equal((await fetch(`${enforce.url}/nope`)).status, 403);
  });
});

describe('warn mode', () => {
  it('passes every request and reports the verdict in X-Signature-Status, also on a 401', async () => {
    const unsigned = await fetch(`${warn.url}/tools`);
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.headers.get('x-signature-status'), 'missing_signature');
    const signature = await signSandboxRequest({ secret: SIGNING_SECRET, method: 'GET', path: '/tools' });
    const signed = await fetch(`${warn.url}/tools`, {
      headers: { authorization: `Bearer ${token}`, 'x-sandbox-signature': signature },
    });
    assert.equal(signed.status, 200);
    assert.equal(signed.headers.get('x-signature-status'), 'valid');
    assert.equal((await fetch(`${warn.url}/health`)).headers.get('x-signature-status'), null); // exempt
  });
});

describe('log mode and options', () => {
  it('log mode passes everything and only reports, with job id "none" when absent', async () => {
    const seen: DevSignatureEvent[] = [];
    const proxy = createDevProxy({ ...sampleFixtures, signatures: { onVerdict: (e) => seen.push(e) } });
    assert.equal((await proxy.fetch(new Request('http://dev/tools'))).status, 200);
    const header = {
      'x-sandbox-signature': `t=${Math.floor(Date.now() / 1000)},s=00`,
      'x-sandbox-job-id': 'j1',
    };
    assert.equal((await proxy.fetch(new Request('http://dev/tools', { headers: header }))).status, 200);
    assert.deepEqual(seen, [
      { verdict: 'missing_signature', method: 'GET', path: '/tools', jobId: 'none' },
      { verdict: 'no_signing_secret_configured', method: 'GET', path: '/tools', jobId: 'j1' },
    ]);
  });

  it('custom exempt paths replace the defaults', async () => {
    const proxy = createDevProxy({
      ...sampleFixtures,
      signatures: { mode: 'enforce', secret: SIGNING_SECRET, exemptPaths: ['/tools', '/skills/?*'] },
    });
    assert.equal((await proxy.fetch(new Request('http://dev/tools'))).status, 200);
    assert.equal((await proxy.fetch(new Request('http://dev/skills/market-research'))).status, 200);
    assert.equal((await proxy.fetch(new Request('http://dev/skills'))).status, 403);
    assert.equal((await proxy.fetch(new Request('http://dev/health'))).status, 403);
  });

  it('whole-component ** follows globset: /a/**/b matches /a/b, **/x matches /x, /r/** not /r', async () => {
    const table: Array<[string, string[], string[]]> = [
      ['/a/**/b', ['/a/b', '/a/x/b', '/a/x/y/b'], ['/ab', '/a/xb']],
      ['**/x', ['/x', '/a/x'], ['/ax']],
      ['/r/**', ['/r/', '/r/a/b'], ['/r']],
      ['/a?c', ['/abc', '/a/c'], ['/ac']],
      ['/x.y(z)', ['/x.y(z)'], ['/xzyz']],
    ];
    for (const [glob, exempt, checked] of table) {
      const proxy = createDevProxy({
        signatures: { mode: 'enforce', secret: SIGNING_SECRET, exemptPaths: [glob] },
      });
      for (const path of exempt) {
        assert.notEqual((await proxy.fetch(new Request(`http://dev${path}`))).status, 403, `${glob} ${path}`);
      }
      for (const path of checked) {
        assert.equal((await proxy.fetch(new Request(`http://dev${path}`))).status, 403, `${glob} ${path}`);
      }
    }
  });

  it('refuses what the proxy refuses at startup, and bad option values', () => {
    for (const signatures of [
      { mode: 'enforce' },
      { mode: 'strict' },
      { secret: '' },
      { driftSeconds: -1 },
      { exemptPaths: ['/a/[bc]'] },
      { exemptPaths: ['/a]'] },
      { exemptPaths: ['/a\\b'] },
      { exemptPaths: ['{/a,/b}'] },
      { exemptPaths: [''] },
      { onVerdict: 'log' },
    ]) {
      assert.throws(
        () => createDevProxy({ signatures } as unknown as Parameters<typeof createDevProxy>[0]),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
        JSON.stringify(signatures),
      );
    }
  });
});

describe('AtiOrchestrator against an enforcing proxy', () => {
  it('with signingSecret, provisioning resolves skills; without it, the skill fetch fails visibly (403)', async () => {
    const signed = new AtiOrchestrator({
      proxyUrl: enforce.url,
      secret: SECRET,
      signingSecret: SIGNING_SECRET,
    });
    const ok = await signed.provisionSandbox({
      agentId: 'a',
      skills: ['market-research'],
      fetchSkillContent: true,
    });
    assert.equal(ok.skillsError, undefined);
    assert.ok(Object.keys(ok.skills ?? {}).includes('market-research'));
    const unsigned = new AtiOrchestrator({ proxyUrl: enforce.url, secret: SECRET });
    const failed = await unsigned.provisionSandbox({
      agentId: 'a',
      skills: ['market-research'],
      fetchSkillContent: true,
    });
    assert.equal(failed.skillsError?.code, 'ERR_PROXY_HTTP');
    assert.equal((failed.skillsError as ProxyError).status, 403);
  });

  it('refuses an empty or mistyped signingSecret at construction (ERR_PROVISION_CONFIG)', () => {
    for (const signingSecret of ['', new Uint8Array(0), 5]) {
      assert.throws(
        () => new AtiOrchestrator({ proxyUrl: enforce.url, secret: SECRET, signingSecret } as never),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_PROVISION_CONFIG',
      );
    }
  });
});

describe('AtiProxyClient signing options', () => {
  it('never sends the secret: only the signature and job id headers are added', async () => {
    const sent: Array<Record<string, string>> = [];
    const spy: typeof fetch = (input, init) => {
      sent.push({ ...(init?.headers as Record<string, string>) });
      return fetch(input, init);
    };
    const client = new AtiProxyClient({
      proxyUrl: enforce.url,
      token,
      signingSecret: SIGNING_SECRET,
      jobId: 'j',
      fetch: spy,
    });
    await client.listTools();
    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(sent[0]!).sort(), [
      'accept',
      'authorization',
      'x-sandbox-job-id',
      'x-sandbox-signature',
    ]);
    assert.ok(!JSON.stringify(sent).includes(SIGNING_SECRET));
  });

  it('refuses an empty or mistyped signingSecret and a bad jobId, without quoting them', () => {
    for (const over of [{ signingSecret: '' }, { signingSecret: 7 }, { jobId: 'a\nb' }, { jobId: '' }]) {
      assert.throws(
        () => new AtiProxyClient({ proxyUrl: 'http://127.0.0.1:1', ...over } as never),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
      );
    }
  });
});
