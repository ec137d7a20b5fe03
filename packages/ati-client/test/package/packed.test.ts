/**
 * Test the packages we ship: `npm pack` both workspaces, install the tarballs
 * into a fresh project (offline: ati-client has no dependencies, and
 * ati-dev-proxy's only one is ati-client), then use them as a user would, from
 * Node (every entry point and both bins), Bun and Deno. Also publint.
 * Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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
console.log(JSON.stringify({ subs: [a.sub, b.sub], code, exports: Object.keys(ati).length }));
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
    await writeFile(probe, "import { backend } from '#crypto'; console.log(backend.name);\n");
    const seen: Record<string, string> = {};
    seen.node = (await run(process.execPath, [probe], { cwd: project })).stdout.trim();
    seen.bun = (await run(BUN, [probe], { cwd: project })).stdout.trim();
    seen.deno = (
      await run(DENO, ['run', '--allow-read', '--allow-env', '--node-modules-dir=manual', probe], {
        cwd: project,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      })
    ).stdout.trim();
    assert.deepEqual(seen, { node: 'node', bun: 'node', deno: 'node' });
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
      files.filter((f) => /\/(src|test)\/|\/cli\/[^/]*\.d\.ts$|\/(bin|cli)\.d\.ts$/.test(f)),
      [],
    );
  });

  for (const name of PACKAGES) {
    it(`publint finds no problems in ${name}`, async () => {
      const { stdout } = await run(join(ROOT, 'node_modules/.bin/publint'), ['--strict'], {
        cwd: join(ROOT, 'packages', name),
      });
      assert.doesNotMatch(stdout, /Errors:|Warnings:/, stdout);
    });
  }
});
