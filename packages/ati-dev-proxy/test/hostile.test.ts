/**
 * Hostile input never crashes the dev proxy: oversized bodies, invalid
 * UTF-8 (body, path, header), deep JSON, traversal-looking paths, malformed
 * HTTP, and random bodies and paths (property tests). After each group the
 * server still answers /health.
 */

import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createDevProxy, type RunningDevProxy, sampleFixtures, startDevProxy } from '../src/index.ts';
import { bearer, JSON_CT, raw, SECRET, T0, token } from './helpers.ts';

let proxy: RunningDevProxy;
let all: string;

before(async () => {
  proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET, now: () => T0 });
  all = await token('*');
});
after(() => proxy.close());

async function alive(): Promise<void> {
  const res = await raw(proxy.url, 'GET', '/health');
  assert.equal(res.status, 200);
}

describe('oversized bodies (cap 8 MiB)', () => {
  const big = Buffer.alloc(9 * 1024 * 1024, 0x20);

  it('/call answers 400 in its own shape', async () => {
    const res = await raw(proxy.url, 'POST', '/call', bearer(all), big);
    assert.equal(res.status, 400);
    assert.equal(res.text, '{"result":null,"error":"Failed to read request body: length limit exceeded"}');
    await alive();
  });

  it('Json routes answer 413 like axum', async () => {
    const res = await raw(proxy.url, 'POST', '/skills/bundle', { ...bearer(all), ...JSON_CT }, big);
    assert.equal(res.status, 413);
    assert.equal(res.text, 'Failed to buffer the request body: length limit exceeded');
    await alive();
  });

  it('an unauthenticated huge body is refused without being read', async () => {
    const res = await raw(proxy.url, 'POST', '/call', {}, big);
    assert.equal(res.status, 401);
    await alive();
  });

  it('the in-process handler caps streamed bodies too', async () => {
    const p = createDevProxy({ ...sampleFixtures, maxBodyBytes: 1024 });
    const res = await p.fetch(new Request('http://dev/call', { method: 'POST', body: 'x'.repeat(2048) }));
    assert.equal(res.status, 400);
  });
});

describe('invalid UTF-8', () => {
  it('in a /call string: 422 with serde_json position', async () => {
    const body = Buffer.concat([Buffer.from('{"tool_name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await raw(proxy.url, 'POST', '/call', bearer(all), body);
    assert.equal(res.status, 422);
    assert.equal(
      res.text,
      '{"result":null,"error":"Invalid request: invalid unicode code point at line 1 column 17"}',
    );
  });

  it('in a path parameter: 400 like axum; valid percent-encoded UTF-8 is decoded', async () => {
    const bad = await raw(proxy.url, 'GET', '/tools/%ff', bearer(all));
    assert.equal(bad.status, 400);
    assert.equal(bad.text, 'Invalid URL: Invalid UTF-8 in `name`');
    const ok = await raw(proxy.url, 'GET', '/skills/%C3%A9t%C3%A9', bearer(all));
    assert.equal(ok.text, `{"error":"Skill 'été' not found"}`);
  });

  it('in a query string: decoded lossily, like form_urlencoded', async () => {
    const res = await raw(proxy.url, 'GET', '/tools?search=%ff', bearer(all));
    assert.equal(res.status, 200);
    assert.equal(res.text, '[]');
  });

  it('in the Authorization header: treated as absent (401)', async () => {
    const res = await raw(proxy.url, 'GET', '/tools', { authorization: `Bearer ${all}\u00ff` });
    assert.equal(res.status, 401);
    await alive();
  });
});

describe('deep JSON', () => {
  it('args nested 100 000 deep: 422 recursion limit, no stack overflow', async () => {
    const body = `{"tool_name":"web_fetch","args":${'['.repeat(100_000)}`;
    const res = await raw(proxy.url, 'POST', '/call', bearer(all), body);
    assert.equal(res.status, 422);
    assert.match(res.text, /recursion limit exceeded at line 1 column 159/);
  });

  it('an unknown field nested 100 000 deep is skipped iteratively', async () => {
    const n = 100_000;
    const body = `{"zz":${'['.repeat(n)}${']'.repeat(n)},"tool_name":"web_fetch"}`;
    assert.equal((await raw(proxy.url, 'POST', '/call', bearer(all), body)).status, 200);
  });

  it('/mcp and Json routes: 400 for too deep, never 500', async () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    const mcp = await raw(proxy.url, 'POST', '/mcp', { ...bearer(all), ...JSON_CT }, deep);
    assert.equal(mcp.status, 400);
    assert.match(mcp.text, /recursion limit exceeded/);
    const resolve = await raw(
      proxy.url,
      'POST',
      '/skills/resolve',
      { ...bearer(all), ...JSON_CT },
      `{"scopes":${deep}}`,
    );
    assert.equal(resolve.status, 422);
    await alive();
  });
});

describe('weird paths (sent raw, not normalized)', () => {
  const cases: [string, number, string | RegExp][] = [
    ['/skills/%2e%2e/bundle', 404, `{"error":"Skill '..' not found"}`],
    ['/skills/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd/bundle', 404, `{"error":"Skill '../../etc/passwd' not found"}`],
    ['/skills/../../etc/passwd', 404, 'not found: passthrough disabled'],
    ['/skills/./bundle', 404, `{"error":"Skill '.' not found"}`],
    ['/tools/%2F', 404, `{"error":"Tool '/' not found"}`],
    ['/tools/a%00b', 404, `{"error":"Tool 'a\\u0000b' not found"}`],
    ['/tools/%', 404, `{"error":"Tool '%' not found"}`],
    ['/tools/%zz', 404, `{"error":"Tool '%zz' not found"}`],
    ['/tools/finnhub%3Aquote', 200, /"name":"finnhub:quote"/],
    ['/skillati/%2e%2e/file?path=x', 404, `{"error":"Skill '..' not found"}`],
    ['/skillati/sec-filings/file?path=..%2f..%2fetc%2fpasswd', 400, /Invalid skill-relative path/],
    ['/skillati/sec-filings/file?path=%2fetc%2fpasswd', 400, /Invalid skill-relative path/],
    ['/skillati/sec-filings/ref/..%2f..%2fx', 400, /Invalid skill-relative path/],
    [`/tools/${'a'.repeat(6000)}`, 404, /not found/],
    ['//health', 404, 'not found: passthrough disabled'],
    ['/health?x=%ff&&&=', 200, /"status":"ok"/],
  ];
  for (const [path, status, body] of cases) {
    it(path.slice(0, 60), async () => {
      const res = await raw(proxy.url, 'GET', path, bearer(all));
      assert.equal(res.status, status);
      if (typeof body === 'string') assert.equal(res.text, body);
      else assert.match(res.text, body);
    });
  }

  it('absolute-form request target', async () => {
    const res = await raw(proxy.url, 'GET', `${proxy.url}/health`);
    assert.equal(res.status, 200);
  });
});

describe('malformed HTTP and connections', () => {
  it('garbage on the socket gets 400 and the server keeps serving', async () => {
    const u = new URL(proxy.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => s.end('GARBAGE \x00\x01 NOT HTTP\r\n\r\n'));
      let data = '';
      s.on('data', (c: Buffer) => {
        data += c.toString('latin1');
      });
      s.on('close', () => resolve(data));
      s.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    await alive();
  });

  it('a client that hangs up mid-body does not break the server', async () => {
    const u = new URL(proxy.url);
    await new Promise<void>((resolve) => {
      const s = connect(Number(u.port), u.hostname, () => {
        s.write(
          `POST /call HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${all}\r\ncontent-length: 100000\r\n\r\n{"tool_`,
        );
        setImmediate(() => s.destroy());
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    await alive();
  });

  it('close() also ends idle keep-alive connections', async () => {
    const p = await startDevProxy({ ...sampleFixtures });
    const agent = new Agent({ keepAlive: true });
    const u = new URL(p.url);
    await new Promise<void>((resolve, reject) => {
      request({ host: u.hostname, port: u.port, path: '/health', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    await p.close(); // would hang until the keep-alive timeout if sockets were left open
    agent.destroy();
  });
});

describe('properties (in-process)', () => {
  const p = createDevProxy({ ...sampleFixtures });
  const allowed = new Set([200, 400, 403, 404, 405, 413, 415, 422]);

  it('random /call bodies never give 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
        ),
        async (body) => {
          const res = await p.fetch(new Request('http://dev/call', { method: 'POST', body }));
          assert.ok(allowed.has(res.status), `status ${res.status}`);
          const parsed = JSON.parse(await res.text()) as { result: unknown; error?: string };
          assert.ok('result' in parsed);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random path segments and queries never give 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/tools/',
          '/skills/',
          '/skillati/',
          '/skills/x/',
          '/skillati/sec-filings/file?path=',
        ),
        fc.string({ unit: 'binary', maxLength: 40 }),
        async (prefix, s) => {
          const res = await p.fetch(new Request(`http://dev${prefix}${encodeURIComponent(s)}`));
          assert.ok(allowed.has(res.status), `${prefix}${s}: ${res.status}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random JSON bodies on every POST route never give 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/skills/resolve', '/skills/bundle', '/help', '/mcp'),
        fc.json(),
        async (path, body) => {
          const res = await p.fetch(
            new Request(`http://dev${path}`, {
              method: 'POST',
              body,
              headers: { 'content-type': 'application/json' },
            }),
          );
          assert.ok(
            allowed.has(res.status) || (path === '/mcp' && res.status === 202),
            `${path}: ${res.status}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
