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
    absWorkingDir: ROOT,
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
      nodeCrypto: typeof globalThis.process?.getBuiltinModule?.('node:crypto')?.createHmac,
    });
  },
};
`;

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

/** The token worker, bundled three ways; each is served under `/<path>/`. */
const TOKEN_CASES = [
  { path: 'wrangler-compat', conditions: WRANGLER, compat: true, backend: 'web' },
  { path: 'wrangler', conditions: WRANGLER, compat: false, backend: 'web' },
  { path: 'node-compat', conditions: ['node'], compat: true, backend: 'node' },
] as const;

const SECRET = generateSecret();
const bundles = new Map<string, Bundle>();
let mf: Miniflare;
let url: URL;

// One workerd process serves every worker: the dev proxy at the root (without nodejs_compat),
// each token worker on its own route.
before(async () => {
  const proxy = await bundle(PROXY_WORKER, WRANGLER);
  bundles.set('proxy', proxy);
  for (const c of TOKEN_CASES) bundles.set(c.path, await bundle(TOKEN_WORKER, [...c.conditions]));
  const worker = (name: string, compat: boolean) => ({
    name,
    modules: true,
    script: bundles.get(name)!.js,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: compat ? ['nodejs_compat'] : [],
  });
  mf = new Miniflare({
    workers: [
      { ...worker('proxy', false), bindings: { SECRET } },
      ...TOKEN_CASES.map((c) => ({ ...worker(c.path, c.compat), routes: [`*/${c.path}/*`] })),
    ],
    host: '127.0.0.1',
    port: 0,
    log: new NoOpLog(),
    // Miniflare otherwise fetches a `request.cf` sample from workers.cloudflare.com: stay offline.
    cf: false,
  });
  url = await mf.ready;
});

after(() => mf?.dispose());

describe('ati-client in workerd', () => {
  for (const c of TOKEN_CASES) {
    const name = `${c.conditions.join(', ')}${c.compat ? ', nodejs_compat' : ''}`;
    it(`issues and validates HS256 and ES256 (conditions ${name}), interoperating with Node`, async () => {
      const b = bundles.get(c.path)!;
      const backend = `packages/ati-client/dist/jws/backend-${c.backend}.js`;
      assert.ok(b.inputs.includes(backend), `${backend} bundled`);
      if (c.backend === 'web') assert.deepEqual(b.nodeImports, []);

      const secret = generateSecret();
      const { privateKey, publicKey } = await generateKeyPair();
      const fromNode = {
        hs: await issueToken({ secret, sub: 'node', scope: 'tool:x' }),
        es: await issueToken({ privateKey, sub: 'node-es', scope: '' }),
      };
      const res = await fetch(new URL(`/${c.path}/`, url), {
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
      if (c.backend === 'node') {
        // The node backend loads node:crypto at run time (no static import): workerd must give it synchronously.
        assert.equal(
          out.nodeCrypto,
          'function',
          "process.getBuiltinModule('node:crypto') under nodejs_compat",
        );
      }
      assert.equal((await validateToken(out.hs!, { secret })).sub, 'workerd');
      assert.equal((await validateToken(out.es!, { publicKey })).sub, 'workerd-es');
    });
  }
});

describe('the dev proxy in workerd without nodejs_compat', () => {
  async function tools(authorization: string | undefined): Promise<{ status: number; text: string }> {
    const res = await fetch(new URL('/tools', url), {
      headers: authorization === undefined ? {} : { authorization },
    });
    return { status: res.status, text: await res.text() };
  }

  it('is bundled without any node: module', () => {
    assert.deepEqual(bundles.get('proxy')!.nodeImports, []);
  });

  it('an authorized /tools call returns the tools the token may see', async () => {
    const token = await issueToken({ secret: SECRET, sub: 'agent', scope: 'tool:web_search' });
    const res = await tools(`Bearer ${token}`);
    assert.equal(res.status, 200, res.text);
    const names = (JSON.parse(res.text) as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes('web_search'), res.text);
    assert.ok(!names.includes('get_stock_quote'), 'tools outside the scope stay hidden');
  });

  it('a bad token, a token signed with another secret and no token get 401', async () => {
    const other = await issueToken({ secret: generateSecret(), sub: 'agent', scope: 'tool:web_search' });
    for (const [what, authorization] of [
      ['junk', 'Bearer junk'],
      ['other secret', `Bearer ${other}`],
      ['none', undefined],
    ] as const) {
      assert.equal((await tools(authorization)).status, 401, what);
    }
  });

  it('calls a tool through /call', async () => {
    const token = await issueToken({ secret: SECRET, sub: 'agent', scope: 'tool:web_search' });
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
