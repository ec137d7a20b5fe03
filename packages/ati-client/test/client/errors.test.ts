/**
 * AtiProxyClient failure modes against real node:http servers: every
 * ProxyError code, retry policy, size limits, and secrecy of the token.
 */

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AtiProxyClient } from '../../src/client/client.ts';
import { AtiError, ProxyError } from '../../src/errors.ts';
import {
  closedPort,
  json,
  raw,
  rejectsWith,
  renderings,
  startServer,
  type TestServer,
} from '../helpers/http.ts';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXNlc3Npb24tdG9rZW4.TOKEN-SIG-7f3a9c';
const HEALTH = {
  status: 'ok',
  version: '0.7.10',
  tools: 3,
  providers: 2,
  skills: 1,
  auth: 'jwt',
  db: 'disabled',
};

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

function client(overrides: Partial<ConstructorParameters<typeof AtiProxyClient>[0]> = {}): AtiProxyClient {
  return new AtiProxyClient({ proxyUrl: server.url, token: TOKEN, ...overrides });
}

/** Handler that answers with a TCP RST: the client sees ECONNRESET. */
const reset = (req: IncomingMessage): void => {
  req.socket.resetAndDestroy();
};

/** Wait until the server has seen `count` requests in total. */
async function seen(count: number): Promise<void> {
  while (server.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('ERR_PROXY_HTTP', () => {
  it('404 with {"error"} carries status, proxyError, method, path and a readable message', async () => {
    server.handle(json(404, { error: "Tool 'x' not found" }));
    const err = await rejectsWith(client().getTool('x'), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.status, 404);
    assert.equal(err.proxyError, "Tool 'x' not found");
    assert.equal(err.method, 'GET');
    assert.equal(err.path, '/tools/x');
    assert.equal(err.message, "GET /tools/x failed: 404 Tool 'x' not found");
    assert.equal(err.name, 'ProxyError');
  });

  it('an empty middleware 401 body falls back to the status text; proxyError stays undefined', async () => {
    server.handle((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    const err = await rejectsWith(client().listTools(), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.status, 401);
    assert.equal(err.proxyError, undefined);
    assert.equal(err.message, 'GET /tools failed: 401 Unauthorized');
  });

  it('a plain-text axum rejection is quoted (controls flattened) but is not a proxyError', async () => {
    server.handle(raw(422, 'Failed to deserialize\r\nthe JSON body: missing field `names`', 'text/plain'));
    const err = await rejectsWith(client().getSkillBundles(['a']), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.status, 422);
    assert.equal(err.proxyError, undefined);
    assert.equal(
      err.message,
      'POST /skills/bundle failed: 422 Failed to deserialize the JSON body: missing field `names`',
    );
  });

  it('/call 422 {"result":null,"error"} and 403 surface the proxy text', async () => {
    server.handle(json(422, { result: null, error: 'Invalid request: bad args' }));
    let err = await rejectsWith(client().call('t', {}), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.proxyError, 'Invalid request: bad args');
    server.handle(json(403, { error: "Access denied: 'secret:tool' is not in your scopes" }));
    err = await rejectsWith(client().call('secret:tool', {}), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.status, 403);
    assert.equal(err.message, "POST /call failed: 403 Access denied: 'secret:tool' is not in your scopes");
  });

  it('error path and message carry no query string', async () => {
    server.handle(json(500, { error: 'boom' }));
    const err = await rejectsWith(client().listTools({ search: 'private-term' }), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.path, '/tools');
    for (const text of renderings(err)) assert.ok(!text.includes('private-term'));
  });

  it('a huge error body is an HTTP error, not RESPONSE_TOO_LARGE', async () => {
    server.handle(raw(500, 'x'.repeat(5 * 1024 * 1024), 'text/plain'));
    const err = await rejectsWith(client({ maxResponseBytes: 1024 }).health(), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.status, 500);
    assert.ok(err.message.length < 500);
  });

  it('does not follow redirects (the token stays on the configured origin)', async () => {
    const other = await startServer(json(200, HEALTH));
    try {
      server.handle((_req, res) => {
        res.writeHead(302, { location: `${other.url}/tools` });
        res.end();
      });
      const err = await rejectsWith(client().listTools(), 'ERR_PROXY_HTTP');
      assert.ok(err instanceof ProxyError);
      assert.equal(err.status, 302);
      assert.equal(other.requests.length, 0);
    } finally {
      await other.close();
    }
  });
});

describe('ERR_PROXY_INVALID_RESPONSE', () => {
  it('non-JSON 200', async () => {
    server.handle(raw(200, '<html>proxy</html>', 'text/html'));
    const err = await rejectsWith(client().health(), 'ERR_PROXY_INVALID_RESPONSE');
    assert.equal(err.message, 'GET /health failed: response is not JSON');
  });

  it('invalid UTF-8 in a 200 body', async () => {
    server.handle(raw(200, Uint8Array.from([0x22, 0xff, 0xfe, 0x22])));
    await rejectsWith(client().health(), 'ERR_PROXY_INVALID_RESPONSE');
  });

  it('empty 200 body', async () => {
    server.handle(raw(200, ''));
    await rejectsWith(client().listSkills(), 'ERR_PROXY_INVALID_RESPONSE');
  });

  const wrongShapes: [string, (c: AtiProxyClient) => Promise<unknown>, unknown][] = [
    ['health: tools is a string', (c) => c.health(), { ...HEALTH, tools: '3' }],
    ['health: negative count', (c) => c.health(), { ...HEALTH, skills: -1 }],
    ['health: array', (c) => c.health(), [HEALTH]],
    ['jwks: keys missing', (c) => c.jwks(), {}],
    [
      'jwks: x5c not an array',
      (c) => c.jwks(),
      { keys: [{ alg: 'ES256', kid: 'k', kty: 'EC', use: 'sig', x5c: 'B' }] },
    ],
    ['tools: object, not array', (c) => c.listTools(), { tools: [] }],
    [
      'tools: entry without input_schema',
      (c) => c.listTools(),
      [{ name: 'a', description: '', provider: 'p', method: 'Get', tags: [], skills: [] }],
    ],
    ['tool: null', (c) => c.getTool('a'), null],
    ['skills: entry with numeric hint', (c) => c.listSkills(), [{ name: 'a', hint: 1 }]],
    ['skill: content missing', (c) => c.getSkill('a'), { name: 'a', version: '1', description: '' }],
    ['skill meta: tools not strings', (c) => c.getSkill('a', { meta: true }), { name: 'a', tools: [1] }],
    ['resolve: content is a number', (c) => c.resolveSkills([]), [{ name: 'a', content: 1 }]],
    ['bundle: file value is a number', (c) => c.getSkillBundle('a'), { name: 'a', files: { 'SKILL.md': 1 } }],
    [
      'bundle: {base64} without string',
      (c) => c.getSkillBundle('a'),
      { name: 'a', files: { x: { data: 'AA==' } } },
    ],
    ['batch: missing absent', (c) => c.getSkillBundles(['a']), { skills: {} }],
    ['batch: skill without files', (c) => c.getSkillBundles(['a']), { skills: { a: {} }, missing: [] }],
    ['catalog: skills not array', (c) => c.skillCatalog(), { skills: {} }],
    [
      'catalog: keywords is a string',
      (c) => c.skillCatalog(),
      { skills: [{ name: 'a', description: '', skill_directory: 'd', keywords: 'k' }] },
    ],
    [
      'skillati skill: content missing',
      (c) => c.getSkillatiSkill('a'),
      { name: 'a', description: '', skill_directory: '' },
    ],
    ['call: result missing', (c) => c.call('t'), { error: 'x' }],
    ['help: content not a string', (c) => c.help('q'), { content: null }],
  ];
  for (const [label, run, body] of wrongShapes) {
    it(`wrong shape: ${label}`, async () => {
      server.handle(json(200, body));
      const err = await rejectsWith(run(client()), 'ERR_PROXY_INVALID_RESPONSE');
      assert.match(err.message, / failed: response is not /);
    });
  }
});

describe('ERR_PROXY_RESPONSE_TOO_LARGE', () => {
  it('a streamed body past maxResponseBytes is cut off', async () => {
    let written = 0;
    let closed = false;
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no content-length
      res.on('close', () => {
        closed = true;
      });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = (): void => {
        // Far more than the limit, written until the client hangs up.
        while (!closed && written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const err = await rejectsWith(
      client({ maxResponseBytes: 100_000 }).health(),
      'ERR_PROXY_RESPONSE_TOO_LARGE',
    );
    assert.equal(err.message, 'GET /health failed: response exceeds 100000 bytes');
    assert.ok(written < 64 * 1024 * 1024, 'the client stopped reading early');
  });

  it('a declared content-length past the limit is refused up front', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2000000' });
      res.write('{"status":');
      // never finishes: the client must not wait for the body
    });
    const err = await rejectsWith(
      client({ maxResponseBytes: 1_000_000 }).health(),
      'ERR_PROXY_RESPONSE_TOO_LARGE',
    );
    assert.match(err.message, /2000000 bytes exceeds 1000000/);
  });

  it('exactly maxResponseBytes is accepted', async () => {
    const body = JSON.stringify(HEALTH);
    server.handle(raw(200, body));
    const health = await client({ maxResponseBytes: Buffer.byteLength(body) }).health();
    assert.deepEqual(health, HEALTH);
    server.handle(raw(200, body));
    await rejectsWith(
      client({ maxResponseBytes: Buffer.byteLength(body) - 1 }).health(),
      'ERR_PROXY_RESPONSE_TOO_LARGE',
    );
  });
});

describe('ERR_PROXY_TIMEOUT', () => {
  it('a server that never answers', async () => {
    server.handle(() => {
      // never respond
    });
    const err = await rejectsWith(client({ timeoutMs: 100 }).health(), 'ERR_PROXY_TIMEOUT');
    assert.equal(err.message, 'GET /health failed: timed out after 100 ms');
  });

  it('a body that stalls after the headers', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"ok"');
    });
    await rejectsWith(client().health({ timeoutMs: 100 }), 'ERR_PROXY_TIMEOUT');
  });

  it('timeouts are not retried', async () => {
    server.handle(() => {});
    const before = server.requests.length;
    await rejectsWith(client({ timeoutMs: 100, retries: 3 }).listTools(), 'ERR_PROXY_TIMEOUT');
    assert.equal(server.requests.length - before, 1);
  });
});

describe('ERR_PROXY_ABORTED', () => {
  it('the caller aborts while the request is in flight', async () => {
    server.handle(() => {});
    const controller = new AbortController();
    const count = server.requests.length;
    const pending = client().getSkill('a', { signal: controller.signal });
    await seen(count + 1);
    controller.abort();
    const err = await rejectsWith(pending, 'ERR_PROXY_ABORTED');
    assert.equal(err.message, 'GET /skills/a failed: aborted by the caller');
  });

  it('an already-aborted signal sends nothing', async () => {
    const count = server.requests.length;
    await rejectsWith(client().call('t', {}, { signal: AbortSignal.abort() }), 'ERR_PROXY_ABORTED');
    assert.equal(server.requests.length, count);
  });

  it('the caller abort wins over the timeout and is reported as such', async () => {
    server.handle(() => {});
    const controller = new AbortController();
    const count = server.requests.length;
    const pending = client({ timeoutMs: 60_000 }).listSkills({ signal: controller.signal });
    await seen(count + 1);
    controller.abort(new Error('user navigated away'));
    const err = await rejectsWith(pending, 'ERR_PROXY_ABORTED');
    assert.ok(err.cause instanceof Error && err.cause.message === 'user navigated away');
  });

  it('abort during retry backoff stops retrying', async () => {
    const port = await closedPort();
    const controller = new AbortController();
    const c = new AtiProxyClient({ proxyUrl: `http://127.0.0.1:${port}`, retries: 10 });
    const pending = c.health({ signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await rejectsWith(pending, 'ERR_PROXY_ABORTED');
  });
});

describe('ERR_PROXY_NETWORK and retries', () => {
  it('connection refused', async () => {
    const port = await closedPort();
    const err = await rejectsWith(
      new AtiProxyClient({ proxyUrl: `http://127.0.0.1:${port}`, retries: 0 }).health(),
      'ERR_PROXY_NETWORK',
    );
    assert.equal(err.message, 'GET /health failed: network error (ECONNREFUSED)');
    assert.ok(err.cause !== undefined, 'the fetch error is kept as cause');
  });

  it('a GET is retried after resets, up to `retries` extra attempts', async () => {
    let resets = 2;
    server.handle((req, res, _seen) => {
      if (resets > 0) {
        resets--;
        req.socket.resetAndDestroy();
        return;
      }
      json(200, [])(req, res, _seen);
    });
    const count = server.requests.length;
    let tokenCalls = 0;
    const c = client({
      token: undefined,
      retries: 2,
      getToken: () => {
        tokenCalls++;
        return TOKEN;
      },
    });
    assert.deepEqual(await c.listTools(), []);
    assert.equal(server.requests.length - count, 3, 'two resets then a success');
    assert.equal(tokenCalls, 1, 'getToken is called once per call, not per attempt');
  });

  it('gives up with ERR_PROXY_NETWORK after 1 + retries attempts', async () => {
    server.handle(reset);
    const count = server.requests.length;
    const err = await rejectsWith(client({ retries: 3 }).health(), 'ERR_PROXY_NETWORK');
    assert.equal(server.requests.length - count, 4);
    assert.match(err.message, /^GET \/health failed: network error/);
  });

  it('retries: 0 makes one attempt', async () => {
    server.handle(reset);
    const count = server.requests.length;
    await rejectsWith(client({ retries: 0 }).getTool('a'), 'ERR_PROXY_NETWORK');
    assert.equal(server.requests.length - count, 1);
  });

  it('a POST is never retried', async () => {
    server.handle(reset);
    for (const run of [
      (c: AtiProxyClient) => c.call('t', { a: 1 }),
      (c: AtiProxyClient) => c.help('q'),
      (c: AtiProxyClient) => c.resolveSkills(['tool:x']),
      (c: AtiProxyClient) => c.getSkillBundles(['a']),
    ]) {
      const count = server.requests.length;
      await rejectsWith(run(client({ retries: 5 })), 'ERR_PROXY_NETWORK');
      assert.equal(server.requests.length - count, 1);
    }
  });

  it('HTTP error statuses are not retried', async () => {
    server.handle(json(503, { error: 'registry not configured' }));
    const count = server.requests.length;
    await rejectsWith(client({ retries: 5 }).skillCatalog(), 'ERR_PROXY_HTTP');
    assert.equal(server.requests.length - count, 1);
  });

  it('a custom fetch that throws is a network error', async () => {
    const c = client({
      retries: 0,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await rejectsWith(c.health(), 'ERR_PROXY_NETWORK');
  });
});

describe('the token never leaks into an error', () => {
  const scenarios: [string, () => Promise<unknown>][] = [
    [
      'HTTP error echoing the token and the header',
      async () => {
        server.handle((req, res, s) =>
          json(401, { error: `bad ${req.headers.authorization} / ${TOKEN}` })(req, res, s),
        );
        return client().getTool('x');
      },
    ],
    [
      'HTTP error echoing only the payload and signature segments',
      async () => {
        const [, payload, sig] = TOKEN.split('.');
        server.handle(json(401, { error: `claims ${payload} sig ${sig}` }));
        return client().listTools();
      },
    ],
    [
      'HTTP error plain text echoing the token',
      async () => {
        server.handle(raw(400, `token was ${TOKEN}`, 'text/plain'));
        return client().call('t', {});
      },
    ],
    [
      'invalid response echoing the token',
      async () => {
        server.handle(raw(200, `not json ${TOKEN}`));
        return client().listTools();
      },
    ],
    [
      'wrong shape echoing the token',
      async () => {
        server.handle(json(200, { token: TOKEN }));
        return client().health();
      },
    ],
    [
      'timeout',
      async () => {
        server.handle(() => {});
        return client({ timeoutMs: 50 }).listSkills();
      },
    ],
    ['abort', async () => client().listSkills({ signal: AbortSignal.abort() })],
    [
      'network',
      async () =>
        new AtiProxyClient({
          proxyUrl: `http://127.0.0.1:${await closedPort()}`,
          token: TOKEN,
          retries: 0,
        }).listTools(),
    ],
    [
      'too large',
      async () => {
        server.handle(raw(200, JSON.stringify({ pad: 'x'.repeat(5000), t: TOKEN })));
        return client({ maxResponseBytes: 100 }).listTools();
      },
    ],
    [
      'token with a newline (constructor)',
      async () => new AtiProxyClient({ proxyUrl: server.url, token: `${TOKEN}\n` }),
    ],
    ['token with a space', async () => new AtiProxyClient({ proxyUrl: server.url, token: `${TOKEN} x` })],
    ['token with non-ASCII', async () => new AtiProxyClient({ proxyUrl: server.url, token: `${TOKEN}é` })],
    [
      'getToken returning a header-breaking token',
      async () => client({ token: undefined, getToken: () => `${TOKEN}\r\nX-Injected: 1` }).listTools(),
    ],
    [
      'credentials in proxyUrl',
      async () => new AtiProxyClient({ proxyUrl: `http://user:${TOKEN}@127.0.0.1:1/` }),
    ],
    [
      'unparsable proxyUrl holding the token',
      async () => new AtiProxyClient({ proxyUrl: `http://[${TOKEN}` }),
    ],
  ];
  for (const [label, run] of scenarios) {
    it(label, async () => {
      let caught: unknown;
      try {
        await run();
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof AtiError, `${label}: expected an AtiError, got ${String(caught)}`);
      for (const text of renderings(caught)) {
        assert.ok(!text.includes(TOKEN), `${label}: token in ${text}`);
        assert.ok(!text.includes('TOKEN-SIG'), `${label}: token fragment in ${text}`);
        assert.ok(!text.includes(TOKEN.split('.')[1]!), `${label}: token payload in ${text}`);
      }
    });
  }

  it('the redacted proxyError still says what went wrong', async () => {
    server.handle(json(401, { error: `token ${TOKEN} expired` }));
    const err = await rejectsWith(client().listTools(), 'ERR_PROXY_HTTP');
    assert.ok(err instanceof ProxyError);
    assert.equal(err.proxyError, 'token [REDACTED] expired');
  });
});

it('an error status whose body breaks off is ERR_PROXY_HTTP with the status, and is not retried', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"error":"overlo');
    setTimeout(() => res.destroy(), 10);
  });
  try {
    const err = (await rejectsWith(
      new AtiProxyClient({ proxyUrl: server.url, retries: 2 }).listTools(),
      'ERR_PROXY_HTTP',
    )) as ProxyError;
    assert.equal(err.status, 503);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});
