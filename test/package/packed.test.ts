/**
 * Test the package we ship: `npm pack`, install the tarball into a fresh
 * project (offline: it has no dependencies), then use it as a user would,
 * from Node (all three entry points and the bin), Bun and Deno. Also publint.
 * Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { VECTOR } from '../keyring/helpers.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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
console.log(JSON.stringify({ subs: [a.sub, b.sub], code, keyring, exports: Object.keys(ati).length }));
`;

before(async () => {
  project = await mkdtemp(join(tmpdir(), 'ati-packed-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: ROOT });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'user-project',
      private: true,
      type: 'module',
      dependencies: { 'ati-client': `file:./${filename}` },
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
}

describe('the packed package', () => {
  it('works from Node, with every entry point', async () => {
    expectSmoke((await run(process.execPath, ['smoke.mjs'], { cwd: project })).stdout);
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const n = await import('ati-client/node'); const t = await import('ati-client/testing'); console.log(typeof n.resolveSessionToken, typeof t.startDevProxy)",
      ],
      { cwd: project },
    );
    assert.equal(stdout.trim(), 'function function');
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

  it('publint finds no problems', async () => {
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/publint'), ['--strict'], { cwd: ROOT });
    assert.doesNotMatch(stdout, /Errors:|Warnings:/, stdout);
  });
});
