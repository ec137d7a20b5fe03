/**
 * Hot rotation end to end (contract §6), with real files and the dev proxy
 * over HTTP: an agent calling the proxy every 50 ms through
 * resolveSessionToken() while the orchestrator rotates 3-second tokens into
 * the file sees no refusal, across five rotations and well past the first
 * token's expiry.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import { ProxyError } from '../../src/errors.ts';
import { resolveSessionToken } from '../../src/node/session-token.ts';
import { fileSink } from '../../src/node/token-file.ts';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { SECRET } from '../helpers/constants.ts';
import { holdEventLoop, pause, Recorder } from '../helpers/rotation.ts';

let dir: string;
let proxy: RunningDevProxy;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-rotation-'));
  proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET });
});
after(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

it('an agent loop calling the proxy every 50 ms while 3 s tokens rotate 5 times sees 0 refusals', async () => {
  const release = holdEventLoop();
  const path = join(dir, 'run', 'ati', 'session_token');
  const orch = new AtiOrchestrator({ proxyUrl: proxy.url, secret: SECRET });
  const rec = new Recorder();
  const rotator = orch.rotateSessionToken({
    agentId: 'sandbox:loop',
    tools: ['web_search'],
    ttlSeconds: 3,
    sink: fileSink(path),
    onRotate: rec.onRotate,
    onError: rec.onError,
  });
  const first = await rotator.start();

  // The sandbox side: ATI_SESSION_TOKEN_FILE only, re-read on every request.
  const env = { ATI_SESSION_TOKEN_FILE: path };
  const seenTokens = new Set<string>();
  const client = new AtiProxyClient({
    proxyUrl: proxy.url,
    getToken: async () => {
      const token = await resolveSessionToken({ env, defaultPath: join(dir, 'none') });
      if (token !== undefined) seenTokens.add(token);
      return token;
    },
  });
  let calls = 0;
  const refusals: string[] = [];
  let done = false;
  const agent = (async () => {
    while (!done) {
      try {
        await client.call('web_search', { query: `q${calls}` });
      } catch (err) {
        refusals.push(err instanceof ProxyError ? `${err.code} ${err.status}` : String(err));
      }
      calls++;
      await pause(50);
    }
  })();

  try {
    await rec.until(() => rec.events.length >= 6 || rec.errors.length > 0); // the first token + 5 rotations
    // Then until the agent has sent the sixth token at least once.
    for (let i = 0; i < 100 && seenTokens.size < 6; i++) await pause(50);
  } finally {
    done = true;
    await agent;
    await rotator.stop();
    release();
  }

  assert.deepEqual(rec.errors, []);
  assert.deepEqual(refusals, [], `refused calls: ${refusals.join(', ')}`);
  assert.equal(rec.events.length, 6);
  assert.equal(seenTokens.size, 6, 'the agent used every token');
  // Every token the agent sent was a 3 s one, and the loop ran past the first one's expiry.
  for (const token of seenTokens) {
    const claims = inspectToken(token);
    assert.equal(claims.exp - claims.iat, 3);
    assert.equal(claims.scope, 'tool:web_search');
  }
  assert.ok(Date.now() > first.expiresAt * 1000 + 1000, 'ran past the first token expiry');
  assert.ok(calls > 60);
  // Control: pinned to the first token (what ATI_SESSION_TOKEN would do), the agent is refused by now.
  const [firstToken] = seenTokens;
  await assert.rejects(orch.client(firstToken).call('web_search', { query: 'pinned' }), (err: unknown) => {
    return (
      err instanceof ProxyError &&
      err.code === 'ERR_PROXY_HTTP' &&
      err.status !== undefined &&
      err.status >= 401
    );
  });
});
