/**
 * `orch.issueJobKey` against the dev proxy over real HTTP: `await using`
 * revokes on scope exit, also when the job throws; revoking twice is not an
 * error; a failed revocation can be retried.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import { ProvisionError, ProxyError } from '../../src/errors.ts';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { JobKey } from '../../src/virtual-keys/job-key.ts';
import { SECRET } from '../helpers/constants.ts';
import { rejectsWith, renderings } from '../helpers/http.ts';
import { closeKeyDatabase, startKeyProxy } from '../helpers/virtual-keys.ts';

const ADMIN_TOKEN = 'admin-token-job-keys-0123456789abcdef';

let proxy: RunningDevProxy;
let orch: AtiOrchestrator;

before(async () => {
  proxy = await startKeyProxy(ADMIN_TOKEN);
  orch = new AtiOrchestrator({ proxyUrl: proxy.url, secret: SECRET, adminToken: ADMIN_TOKEN });
});
after(async () => {
  await proxy.close();
  await closeKeyDatabase();
});

/** Whether the proxy still accepts the key (200) or refuses it (401). */
async function works(rawKey: string, proxyUrl = proxy.url): Promise<boolean> {
  try {
    await new AtiProxyClient({ proxyUrl, apiKey: rawKey }).listTools();
    return true;
  } catch (err) {
    assert.ok(err instanceof ProxyError && err.status === 401, String(err));
    return false;
  }
}

describe('issueJobKey', () => {
  it('issues a live key with job defaults (random alias, one-hour expiry)', async () => {
    const key = await orch.issueJobKey({ userId: 'u-job', tools: ['web_search'] });
    try {
      assert.ok(key instanceof JobKey);
      assert.match(key.alias, /^job-[0-9a-f-]{36}$/);
      const ms = (key.expiresAt?.getTime() ?? 0) - Date.now();
      assert.ok(ms > 3_500_000 && ms <= 3_600_000, `${ms}`);
      assert.ok(await works(key.rawKey));
      assert.equal(key.revoked, false);
      const info = await orch.adminClient().getKey(key.hash);
      assert.deepEqual(info.tools, ['web_search']);
    } finally {
      await key.revoke();
    }
  });

  it('await using revokes on normal scope exit', async () => {
    let raw = '';
    let handle: JobKey | undefined;
    {
      await using key = await orch.issueJobKey({ userId: 'u-job', tools: ['web_search'] });
      raw = key.rawKey;
      handle = key;
      assert.ok(await works(raw));
    }
    assert.equal(handle?.revoked, true);
    assert.equal(await works(raw), false);
  });

  it('await using revokes when the job throws, and the job’s error is what propagates', async () => {
    let raw = '';
    const job = async () => {
      await using key = await orch.issueJobKey({ userId: 'u-job', alias: 'throwing-job' });
      raw = key.rawKey;
      throw new Error('job failed');
    };
    await assert.rejects(job(), /job failed/);
    assert.equal(await works(raw), false);
    // The alias is free again: a revoked key's (user, alias) can be issued anew.
    const again = await orch.issueJobKey({ userId: 'u-job', alias: 'throwing-job' });
    await again.revoke();
  });

  it('revoking twice is not an error: true, then false, and dispose after revoke is quiet', async () => {
    const key = await orch.issueJobKey({ userId: 'u-job' });
    assert.equal(await key.revoke(), true);
    assert.equal(await key.revoke(), false);
    await key[Symbol.asyncDispose]();
    assert.equal(key.revoked, true);
  });

  it('concurrent revokes share one request; a key revoked elsewhere disposes quietly', async () => {
    const key = await orch.issueJobKey({ userId: 'u-job' });
    const results = await Promise.all([key.revoke(), key.revoke(), key.revoke()]);
    assert.deepEqual(results, [true, true, true]);
    const other = await orch.issueJobKey({ userId: 'u-job' });
    assert.equal(await orch.adminClient().revokeKey(other.hash), true);
    assert.equal(await other.revoke(), false);
  });

  it('a failed revocation throws, leaves the key live, and can be retried', async () => {
    const down = await startKeyProxy(ADMIN_TOKEN);
    const o = new AtiOrchestrator({ proxyUrl: down.url, adminToken: ADMIN_TOKEN });
    const key = await o.issueJobKey({ userId: 'u-retry' });
    const url = down.url;
    await down.close();
    await rejectsWith(key.revoke(), 'ERR_PROXY_NETWORK');
    assert.equal(key.revoked, false);
    // The proxy comes back on the same port and database: the retry revokes the key that stayed live.
    const up = await startKeyProxy(ADMIN_TOKEN, { port: down.port });
    try {
      assert.equal(up.url, url);
      assert.ok(await works(key.rawKey, up.url), 'still live after the failed revoke');
      assert.equal(await key.revoke(), true);
      assert.equal(key.revoked, true);
      assert.equal(await works(key.rawKey, up.url), false);
    } finally {
      await up.close();
    }
  });

  it('inspect and JSON of a job key show no raw key', async () => {
    await using key = await orch.issueJobKey({ userId: 'u-job' });
    for (const text of [inspect(key), JSON.stringify(key), inspect(orch, { showHidden: true })]) {
      assert.ok(!text.includes(key.rawKey), text);
      assert.ok(!text.includes(ADMIN_TOKEN), text);
    }
  });
});

describe('orchestrator configuration', () => {
  it('adminToken alone is enough for virtual keys; provisionSandbox then asks for a signing key', async () => {
    const keysOnly = new AtiOrchestrator({ proxyUrl: proxy.url, adminToken: ADMIN_TOKEN });
    await using key = await keysOnly.issueJobKey({ userId: 'u-cfg' });
    assert.ok(await works(key.rawKey));
    const err = await rejectsWith(keysOnly.provisionSandbox({ agentId: 'a' }), 'ERR_PROVISION_CONFIG');
    assert.ok(err instanceof ProvisionError);
    // Rotation asks at once, not when start() issues the first token.
    assert.throws(() => keysOnly.rotateSessionToken({ agentId: 'a', sink: () => {} }), {
      code: 'ERR_PROVISION_CONFIG',
    });
  });

  it('without adminToken, issueJobKey and adminClient fail with ERR_PROVISION_CONFIG', async () => {
    const jwtOnly = new AtiOrchestrator({ proxyUrl: proxy.url, secret: SECRET });
    await rejectsWith(jwtOnly.issueJobKey({ userId: 'u' }), 'ERR_PROVISION_CONFIG');
    assert.throws(() => jwtOnly.adminClient(), ProvisionError);
  });

  it('a bad adminToken fails at construction, unquoted', () => {
    const bad = `${ADMIN_TOKEN}\n`;
    assert.throws(
      () => new AtiOrchestrator({ proxyUrl: proxy.url, adminToken: bad }),
      (err: unknown) => {
        assert.ok(err instanceof ProvisionError && err.code === 'ERR_PROVISION_CONFIG');
        for (const text of renderings(err)) assert.ok(!text.includes(ADMIN_TOKEN), text);
        return true;
      },
    );
  });

  it('a wrong adminToken surfaces as ERR_ADMIN_UNAUTHORIZED from issueJobKey', async () => {
    const wrong = new AtiOrchestrator({ proxyUrl: proxy.url, adminToken: 'not-the-token' });
    const err = await rejectsWith(wrong.issueJobKey({ userId: 'u' }), 'ERR_ADMIN_UNAUTHORIZED');
    for (const text of renderings(err)) assert.ok(!text.includes('not-the-token'), text);
  });
});
