/**
 * Both packages in workerd, Cloudflare's runtime, run by miniflare from npm
 * (the binary comes with the `workerd` package: no download at test time).
 * Each worker is bundled with esbuild from the built packages, as wrangler
 * would (`npm run build` first), served on 127.0.0.1 and driven over HTTP:
 *
 * - ati-client issues and validates HS256 and ES256 tokens, interoperating
 *   with Node, under wrangler's conditions with and without `nodejs_compat`,
 *   and bundled with the `node` condition under `nodejs_compat` (where the
 *   node:crypto backend once failed ES256 signing with ERR_INVALID_ARG_TYPE);
 * - the dev proxy's fetch handler serves tools with the proxy's auth without
 *   `nodejs_compat`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare, NoOpLog } from 'miniflare';
import { generateKeyPair, generateSecret, issueToken, toJwks, validateToken } from '../../src/index.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The conditions wrangler bundles a worker with. */
const WRANGLER = ['workerd', 'worker', 'browser'];

interface Bundle {
  js: string;
  /** Bundled files, relative to the repository root. */
  inputs: string[];
  /** `node:` modules the bundle imports. */
  nodeImports: string[];
}

async function bundle(source: string, conditions: string[]): Promise<Bundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'worker.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions,
    external: ['node:*'],
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = result.metafile.inputs;
  return {
    js: result.outputFiles[0]!.text,
    inputs: Object.keys(inputs),
    nodeImports: Object.values(inputs).flatMap((i) =>
      i.imports.filter((x) => x.path.startsWith('node:')).map((x) => x.path),
    ),
  };
}

const running: Miniflare[] = [];

/** Serve `js` in workerd on an ephemeral 127.0.0.1 port; returns its URL. */
async function serve(js: string, nodejsCompat: boolean, bindings: Record<string, string> = {}): Promise<URL> {
  const mf = new Miniflare({
    modules: true,
    script: js,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: nodejsCompat ? ['nodejs_compat'] : [],
    bindings,
    host: '127.0.0.1',
    port: 0,
    log: new NoOpLog(),
  });
  running.push(mf);
  return mf.ready;
}

after(() => Promise.all(running.map((mf) => mf.dispose())));

const TOKEN_WORKER = `
import * as ati from 'ati-client';
async function code(p) {
  try { await p; return 'accepted'; } catch (e) { return e.code; }
}
export default {
  async fetch(request) {
    const { secret, privateKey, publicKey, fromNode } = await request.json();
    const hs = await ati.issueToken({ secret, sub: 'workerd', scope: 'tool:web_search' });
    const es = await ati.issueToken({ privateKey, sub: 'workerd-es', scope: '' });
    const own = await ati.generateKeyPair();
    const ownToken = await ati.issueToken({ privateKey: own.privateKey, sub: 'own', scope: '' });
    const jwks = ati.toJwks(own.publicKey, { format: 'standard' });
    const flipped = hs.slice(0, -1) + (hs.endsWith('A') ? 'Q' : 'A');
    return Response.json({
      hs,
      es,
      own: (await ati.validateToken(ownToken, { publicKey: jwks })).sub,
      nodeHs: (await ati.validateToken(fromNode.hs, { secret })).sub,
      nodeEs: (await ati.validateToken(fromNode.es, { publicKey })).sub,
      forged: await code(ati.validateToken(flipped, { secret })),
      wrongAlg: await code(ati.validateToken(es, { secret })),
    });
  },
};
`;

const TOKEN_CASES = [
  { name: "wrangler's conditions, nodejs_compat", conditions: WRANGLER, compat: true, backend: 'web' },
  { name: "wrangler's conditions, no nodejs_compat", conditions: WRANGLER, compat: false, backend: 'web' },
  { name: 'the node condition, nodejs_compat', conditions: ['node'], compat: true, backend: 'node' },
] as const;

describe('ati-client in workerd', () => {
  const urls = new Map<string, Promise<URL>>();
  const bundles = new Map<string, Promise<Bundle>>();
  before(() => {
    for (const c of TOKEN_CASES) {
      const b = bundle(TOKEN_WORKER, [...c.conditions]);
      bundles.set(c.name, b);
      urls.set(
        c.name,
        b.then((x) => serve(x.js, c.compat)),
      );
    }
  });

  for (const c of TOKEN_CASES) {
    it(`issues and validates HS256 and ES256 (${c.name}), interoperating with Node`, async () => {
      const b = await bundles.get(c.name)!;
      const backend = `packages/ati-client/dist/jws/backend-${c.backend}.js`;
      assert.ok(b.inputs.includes(backend), `${backend} bundled`);
      if (c.backend === 'web') assert.deepEqual(b.nodeImports, []);
      else assert.ok(b.nodeImports.includes('node:crypto'));

      const secret = generateSecret();
      const { privateKey, publicKey } = await generateKeyPair();
      const fromNode = {
        hs: await issueToken({ secret, sub: 'node', scope: 'tool:x' }),
        es: await issueToken({ privateKey, sub: 'node-es', scope: '' }),
      };
      const res = await fetch(await urls.get(c.name)!, {
        method: 'POST',
        body: JSON.stringify({
          secret,
          privateKey,
          publicKey: toJwks(publicKey, { format: 'ati' }),
          fromNode,
        }),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      const out = JSON.parse(text) as Record<string, string>;
      assert.deepEqual(
        { own: out.own, nodeHs: out.nodeHs, nodeEs: out.nodeEs, forged: out.forged, wrongAlg: out.wrongAlg },
        {
          own: 'own',
          nodeHs: 'node',
          nodeEs: 'node-es',
          forged: 'ERR_JWT_SIGNATURE_INVALID',
          wrongAlg: 'ERR_JWT_ALG_NOT_ALLOWED',
        },
      );
      assert.equal((await validateToken(out.hs!, { secret })).sub, 'workerd');
      assert.equal((await validateToken(out.es!, { publicKey })).sub, 'workerd-es');
    });
  }
});

const PROXY_WORKER = `
import { createDevProxy, sampleFixtures } from 'ati-dev-proxy/fetch';
let proxy;
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/__skills-dir') {
      const p = createDevProxy({ skillsDir: '/skills' });
      return Response.json(await p.ready.then(() => 'loaded', (e) => e.code));
    }
    proxy ??= createDevProxy({ ...sampleFixtures, secret: env.SECRET });
    return proxy.fetch(request);
  },
};
`;

describe('the dev proxy in workerd without nodejs_compat', () => {
  const secret = generateSecret();
  let url: URL;
  before(async () => {
    const b = await bundle(PROXY_WORKER, WRANGLER);
    assert.deepEqual(b.nodeImports, []);
    url = await serve(b.js, false, { SECRET: secret });
  });

  async function tools(authorization: string | undefined): Promise<{ status: number; text: string }> {
    const res = await fetch(new URL('/tools', url), {
      headers: authorization === undefined ? {} : { authorization },
    });
    return { status: res.status, text: await res.text() };
  }

  it('an authorized /tools call returns the tools the token may see', async () => {
    const token = await issueToken({ secret, sub: 'agent', scope: 'tool:web_search' });
    const res = await tools(`Bearer ${token}`);
    assert.equal(res.status, 200, res.text);
    const names = (JSON.parse(res.text) as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes('web_search'), res.text);
    assert.ok(!names.includes('get_stock_quote'), 'tools outside the scope stay hidden');
  });

  it('a bad token, a token signed with another secret and no token get 401', async () => {
    const other = await issueToken({ secret: generateSecret(), sub: 'agent', scope: 'tool:web_search' });
    for (const authorization of ['Bearer junk', `Bearer ${other}`, undefined]) {
      assert.equal((await tools(authorization)).status, 401, String(authorization === undefined));
    }
  });

  it('calls a tool through /call', async () => {
    const token = await issueToken({ secret, sub: 'agent', scope: 'tool:web_search' });
    const res = await fetch(new URL('/call', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"tool_name":"web_search","args":{"query":"workerd"}}',
    });
    const body = (await res.json()) as { result: { query: string } };
    assert.equal(res.status, 200);
    assert.equal(body.result.query, 'workerd');
  });

  it('skillsDir outside Node is a coded error, not a missing node:fs', async () => {
    const res = await fetch(new URL('/__skills-dir', url));
    assert.equal(await res.json(), 'ERR_SKILL_BUNDLE_INVALID');
  });
});

describe('worker bundles of the dev proxy load no node: module', () => {
  for (const [specifier, conditions] of [
    ['ati-dev-proxy', WRANGLER],
    ['ati-dev-proxy/fetch', WRANGLER],
    ['ati-dev-proxy/fetch', []],
  ] as const) {
    it(`${specifier} with conditions [${conditions.join(', ')}]`, async () => {
      const b = await bundle(`export { createDevProxy } from '${specifier}';`, [...conditions]);
      assert.deepEqual(b.nodeImports, []);
      assert.ok(b.inputs.includes('packages/ati-dev-proxy/dist/fetch.js'));
      assert.ok(b.inputs.includes('packages/ati-dev-proxy/dist/skills-dir-unsupported.js'));
    });
  }
});
