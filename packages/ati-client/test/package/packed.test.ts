/**
 * Test the packages we ship: `npm pack` both workspaces, install the tarballs
 * into a fresh project (offline: ati-client has no dependencies, and
 * ati-dev-proxy's only one is ati-client), then use them as a user would, from
 * Node (every entry point and both bins), Bun and Deno. Also publint.
 * Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { VECTOR } from '../helpers/keyring.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = ['ati-client', 'ati-dev-proxy'] as const;
const BUN = join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun');
const DENO = join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno');
let project: string;

const SMOKE = `
import * as ati from 'ati-client';
const secret = ati.generateSecret();
const hs = await ati.issueToken({ secret, sub: 'rt', scope: 'tool:x' });
const kp = await ati.generateKeyPair();
const es = await ati.issueToken({ privateKey: kp.privateKey, sub: 'es', scope: '' });
const a = await ati.validateToken(hs, { secret });
const b = await ati.validateToken(es, { publicKey: ati.toJwks(kp.publicKey, { format: 'ati' }) });
let code = 'none';
try { await ati.validateToken(hs, { publicKey: kp.publicKey }); } catch (e) { code = e.code; }
const seq = (n) => Uint8Array.from({ length: n }, (_, i) => i);
const { keyringEnc } = await ati.sealKeyring({ finnhub_api_key: 'abc123' }, { key: seq(32), nonce: seq(12) });
const keyring = Array.from(keyringEnc, (x) => x.toString(16).padStart(2, '0')).join('');
const dev = await import('ati-dev-proxy');
const proxy = dev.createDevProxy({ ...dev.sampleFixtures, secret });
const tools = await proxy.fetch(new Request('http://dev.test/tools', { headers: { authorization: 'Bearer ' + hs } }));
const refused = await proxy.fetch(new Request('http://dev.test/tools', { headers: { authorization: 'Bearer ' + es } }));
const dp = [tools.status, refused.status];
console.log(JSON.stringify({ subs: [a.sub, b.sub], code, keyring, dp, exports: Object.keys(ati).length }));
`;

/** A Node-only consumer touching every entry's declarations (types only: never run). */
const CONSUMER = `
import * as ati from 'ati-client';
import { type ResolveSessionTokenOptions, resolveSessionToken, writeSkillBundle } from 'ati-client/node';
import { createDevProxy, type DevProxyOptions, sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { webcrypto } from 'node:crypto';

export async function consumer(): Promise<void> {
  const secret: string = ati.generateSecret();
  const token: string = await ati.issueToken({ secret, sub: 'a', scope: 'tool:x', ttlSeconds: 60 });
  const claims: ati.TokenClaims = await ati.validateToken(token, { secret });
  const scopes: ati.ScopeSet = new ati.ScopeSet(ati.parseScopes(claims.scope));
  const options: DevProxyOptions = { ...sampleFixtures, secret };
  const proxy = await startDevProxy(options);
  const orch = new ati.AtiOrchestrator({ proxyUrl: proxy.url, secret });
  const env = await orch.provisionSandbox({ agentId: 'a', tools: ['x'] });
  const client = new ati.AtiProxyClient({ proxyUrl: proxy.url, token: env.ATI_SESSION_TOKEN });
  const response: Response = await createDevProxy(options).fetch(new Request(proxy.url + '/health'));
  const opts: ResolveSessionTokenOptions = {};
  const resolved: string | undefined = await resolveSessionToken(opts);
  await writeSkillBundle('/tmp/x', 'name', { 'SKILL.md': '# x' });
  console.log(scopes.isAllowed('tool:x'), client, response.status, resolved);
  const code: ati.AtiError['code'] = ati.ERROR_CODES[0];
  if (!ati.ERROR_CODES.includes(code)) throw new ati.AtiError(code, 'never');
  await proxy.close();
  const { publicKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const jwk: webcrypto.JsonWebKey = await webcrypto.subtle.exportKey('jwk', publicKey);
  createDevProxy({ publicKey: jwk }); // a Web Crypto JWK as it is
}
`;

before(async () => {
  project = await mkdtemp(join(tmpdir(), 'ati-packed-'));
  const args = ['pack', '--json', '--pack-destination', project, ...PACKAGES.flatMap((p) => ['-w', p])];
  const { stdout } = await run('npm', args, { cwd: ROOT });
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  const tarball = (name: string) => `file:./${packed.find((p) => p.name === name)!.filename}`;
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'user-project',
      private: true,
      type: 'module',
      dependencies: { 'ati-client': tarball('ati-client') },
      devDependencies: { 'ati-dev-proxy': tarball('ati-dev-proxy') },
    }),
  );
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });
  await writeFile(join(project, 'smoke.mjs'), SMOKE);
});
after(() => rm(project, { recursive: true, force: true }));

function expectSmoke(stdout: string): void {
  const out = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(out.subs, ['rt', 'es']);
  assert.equal(out.code, 'ERR_JWT_ALG_NOT_ALLOWED');
  assert.equal(out.keyring, VECTOR.keyringEncHex, 'the §8 keyring vector');
  assert.deepEqual(
    out.dp,
    [200, 401],
    'the packed dev proxy answers /tools (and refuses an ES256 token it has no key for)',
  );
}

describe('the packed package', () => {
  it('works from Node, with every entry point', async () => {
    expectSmoke((await run(process.execPath, ['smoke.mjs'], { cwd: project })).stdout);
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const n = await import('ati-client/node'); const t = await import('ati-dev-proxy'); const f = await import('ati-dev-proxy/fetch'); console.log(typeof n.resolveSessionToken, typeof t.startDevProxy, f.createDevProxy === t.createDevProxy, 'startDevProxy' in f)",
      ],
      { cwd: project },
    );
    assert.equal(stdout.trim(), 'function function true false');
  });

  it('every entry shares one copy of each class and function (bundled entries import one core)', async () => {
    const script = `
      const a = await import('ati-client');
      const n = await import('ati-client/node');
      const i = await import('ati-client/internal');
      const { backend } = await import('#crypto');
      let thrown;
      try { await n.writeSkillBundle('/tmp', '../x', {}); } catch (e) { thrown = e; }
      console.log(JSON.stringify([
        i.AtiError === a.AtiError, i.SkillError === a.SkillError, i.ScopeSet === a.ScopeSet,
        i.validateToken === a.validateToken, i.toJwks === a.toJwks, n.rustTrim === i.rustTrim,
        backend === n.nodeCryptoBackend, thrown instanceof a.SkillError, thrown instanceof a.AtiError,
      ]));`;
    // `#crypto` resolves only from inside the package, so the script runs there.
    const probe = join(project, 'node_modules/ati-client/identity-probe.mjs');
    await writeFile(probe, script);
    const { stdout } = await run(process.execPath, [probe], { cwd: project });
    assert.deepEqual(JSON.parse(stdout), Array(9).fill(true));
  });

  it('a cold import of . on Node reads four files (the entry, the core and both backends)', async () => {
    const entry = join(project, 'node_modules/ati-client/dist/index.js');
    for (const [conditions, backend] of [
      [['node'], 'backend-node.js'],
      [['browser'], 'backend-web.js'],
    ] as const) {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        format: 'esm',
        platform: 'neutral',
        conditions: [...conditions],
        external: ['node:*'],
        logLevel: 'silent',
      });
      // Static imports only: skill downloads load the writer on demand.
      const { inputs } = result.metafile;
      const seen = new Set<string>();
      const visit = (p: string): void => {
        if (seen.has(p) || inputs[p] === undefined) return;
        seen.add(p);
        for (const i of inputs[p].imports) if (i.kind === 'import-statement') visit(i.path);
      };
      visit(Object.keys(inputs).find((p) => p.endsWith('ati-client/dist/index.js'))!);
      const files = [...seen].map((p) => p.replace(/^.*node_modules\/ati-client\//, ''));
      const expected = new Set([
        'dist/index.js',
        'dist/core.js',
        'dist/jws/backend-web.js',
        `dist/jws/${backend}`,
      ]);
      assert.deepEqual(files.sort(), [...expected].sort());
    }
  });

  it('npx ati-client --help works', async () => {
    const { stdout } = await run('npx', ['--no-install', 'ati-client', '--help'], { cwd: project });
    assert.match(stdout, /^Usage: ati-client <command>/);
  });

  it('works from Bun', async () => {
    expectSmoke((await run(BUN, ['smoke.mjs'], { cwd: project })).stdout);
  });

  it('works from Deno (npm package in node_modules)', async () => {
    const { stdout } = await run(
      DENO,
      ['run', '--allow-read', '--allow-env', '--node-modules-dir=manual', 'smoke.mjs'],
      {
        cwd: project,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      },
    );
    expectSmoke(stdout);
  });

  it('picks the node:crypto backend on Node, Bun and Deno (all three match the "node" condition)', async () => {
    // `#crypto` resolves only from inside the package, so the probe is placed there.
    const probe = join(project, 'node_modules/ati-client/which-backend.mjs');
    // The name, and whether HS256 ran on node:crypto (synchronous) rather than Web Crypto.
    await writeFile(
      probe,
      "import { backend } from '#crypto'; const k = await backend.importHmacKey(new Uint8Array(32)); console.log(backend.name + ':' + typeof backend.hmacSign(k, 'x'));\n",
    );
    const seen: Record<string, string> = {};
    seen.node = (await run(process.execPath, [probe], { cwd: project })).stdout.trim();
    seen.bun = (await run(BUN, [probe], { cwd: project })).stdout.trim();
    seen.deno = (
      await run(DENO, ['run', '--allow-read', '--allow-env', '--node-modules-dir=manual', probe], {
        cwd: project,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      })
    ).stdout.trim();
    assert.deepEqual(seen, { node: 'node:string', bun: 'node:string', deno: 'node:string' });
  });

  it('a cold import of . on Node does not load node:crypto; the first token does', async () => {
    const script = `
      const loaded = () => process.moduleLoadList.includes('NativeModule crypto');
      const ati = await import('ati-client');
      const atImport = loaded();
      await ati.issueToken({ secret: 'ab'.repeat(32), sub: 'a', scope: '' });
      console.log(JSON.stringify([atImport, loaded()]));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    assert.deepEqual(JSON.parse(stdout), [false, true]);
  });

  it('the dev proxy runs from its own bin and from `ati-client dev-proxy`', async () => {
    for (const argv of [
      ['ati-dev-proxy', '--help'],
      ['ati-client', 'dev-proxy', '--help'],
    ]) {
      const { stdout } = await run('npx', ['--no-install', ...argv], { cwd: project });
      assert.match(stdout, /^Usage: ati-dev-proxy /);
    }
  });

  it('`ati-client dev-proxy` without the dev proxy installed says how to install it', async () => {
    const alone = await mkdtemp(join(tmpdir(), 'ati-alone-'));
    try {
      const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      const dep = pkg.dependencies['ati-client']!.replace('file:./', `file:${project}/`);
      await writeFile(
        join(alone, 'package.json'),
        JSON.stringify({ name: 'alone', private: true, dependencies: { 'ati-client': dep } }),
      );
      await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: alone,
      });
      const failed = await run('npx', ['--no-install', 'ati-client', 'dev-proxy'], { cwd: alone }).then(
        () => assert.fail('exit 0'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /ERR_DEV_PROXY_NOT_INSTALLED.*npm install --save-dev ati-dev-proxy/);
    } finally {
      await rm(alone, { recursive: true, force: true });
    }
  });

  it('ships no internal sources, tests or CLI declarations', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: project });
    for (const name of PACKAGES) assert.ok(stdout.includes(`node_modules/${name}`), name);
    const files = (
      await run('find', ['node_modules/ati-client', 'node_modules/ati-dev-proxy', '-type', 'f'], {
        cwd: project,
      })
    ).stdout.split('\n');
    assert.deepEqual(
      // ati-client/internal/cli re-exports cli/context (with its args types) and cli/keys for the dev proxy CLI:
      // their declarations ship, no other CLI's do.
      files.filter((f) =>
        /\/(src|test)\/|\/cli\/(?!context|keys|args)[^/]*\.d\.ts$|\/(bin|cli)\.d\.ts$/.test(f),
      ),
      [],
    );
  });

  for (const [module, moduleResolution] of [
    ['NodeNext', 'NodeNext'],
    ['Node16', 'Node16'],
    ['ESNext', 'Bundler'],
  ] as const) {
    it(`the declarations compile for a Node-only consumer: module ${module}, moduleResolution ${moduleResolution}, no DOM lib, skipLibCheck off`, async () => {
      const dir = join(project, `types-${moduleResolution.toLowerCase()}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'consumer.ts'), CONSUMER);
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module,
            moduleResolution,
            lib: ['ES2022'],
            types: ['node'],
            typeRoots: [join(ROOT, 'node_modules/@types')],
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
          },
          files: ['consumer.ts'],
        }),
      );
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const out = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
      assert.equal(out, '', out);
    });
  }

  it('npm publish corrects nothing in either manifest (it drops a bin written as ./dist/…)', async () => {
    const args = [
      'publish',
      '--dry-run',
      '--offline',
      '--ignore-scripts',
      ...PACKAGES.flatMap((p) => ['-w', p]),
    ];
    const { stderr } = await run('npm', args, { cwd: ROOT });
    assert.doesNotMatch(stderr, /auto-corrected|invalid and removed|normalized/, stderr);
  });

  for (const name of PACKAGES) {
    it(`${name} ships the license, a README whose links work on npm, and where it comes from`, async () => {
      const dir = join(project, 'node_modules', name);
      assert.equal(
        await readFile(join(dir, 'LICENSE'), 'utf8'),
        await readFile(join(ROOT, 'LICENSE'), 'utf8'),
      );
      const readme = await readFile(join(dir, 'README.md'), 'utf8');
      assert.match(readme, new RegExp(`^(<!--[^\\n]*-->\\n)?# ${name}\\n`));
      const prose = readme.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
      const targets = [
        ...prose.matchAll(/\]\(([^)\s]*)|\b(?:href|src)="([^"]*)"|^\[[^\]]+\]:\s*(\S+)/gm),
      ].map((m) => m[1] ?? m[2] ?? m[3]!);
      assert.ok(targets.length > 0);
      assert.deepEqual(
        targets.filter((t) => !/^(https:\/\/|#|mailto:)/.test(t)),
        [],
      );
      const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      const base = 'https://github.com/ati-client/ati-client-ts';
      assert.deepEqual(pkg.repository, { ...root.repository, directory: `packages/${name}` });
      assert.equal(root.repository.url, `git+${base}.git`);
      assert.ok(pkg.homepage.startsWith(base), pkg.homepage);
      assert.deepEqual(pkg.bugs, { url: `${base}/issues` });
      assert.equal(pkg.license, 'Apache-2.0');
    });

    it(`publint finds no problems in ${name}`, async () => {
      const { stdout } = await run(join(ROOT, 'node_modules/.bin/publint'), ['--strict'], {
        cwd: join(ROOT, 'packages', name),
      });
      assert.doesNotMatch(stdout, /Errors:|Warnings:/, stdout);
    });
  }
});
