/**
 * The node backend builds HMAC from two `crypto.hash` calls where Node has
 * them, and falls back to `createHmac` where it does not (Node 20 before
 * 20.12) or where `crypto.hash` fails the known-answer check at load. It loads
 * node:crypto on first use: with `process.getBuiltinModule` synchronously,
 * without it by one `import()` on the first key import; where neither gives
 * node:crypto, every call goes to Web Crypto. Every other test runs the
 * first path; these run the others, in child processes changed before the
 * backend loads (see the child's modes).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child/no-one-shot-hash.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

interface ChildReport {
  hashPresent: boolean;
  importAsync: boolean;
  synchronous: boolean;
  es256: boolean;
  mac: string;
  verifies: boolean;
  tamperedVerifies: boolean;
  createHmacCalls: number;
}

function runChild(mode: string, data: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=ati-source', '--import', 'tsx', CHILD, mode, data],
      { cwd: PROJECT },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as ChildReport)),
    );
  });
}

const DATA = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0';
const EXPECTED = createHmac('sha256', Buffer.alloc(40, 9)).update(DATA).digest('base64url');

describe('node backend HMAC path', () => {
  it('with crypto.hash: the one-shot path, createHmac never called', async () => {
    const out = await runChild('present', DATA);
    assert.equal(out.hashPresent, true);
    assert.equal(out.importAsync, false);
    assert.equal(out.synchronous, true);
    assert.equal(out.es256, true);
    assert.equal(out.mac, EXPECTED);
    assert.equal(out.verifies, true);
    assert.equal(out.tamperedVerifies, false);
    assert.equal(out.createHmacCalls, 0);
  });

  for (const mode of ['absent', 'broken']) {
    it(`crypto.hash ${mode}: createHmac for every MAC, same result`, async () => {
      const out = await runChild(mode, DATA);
      assert.equal(out.hashPresent, mode === 'broken');
      assert.equal(out.synchronous, true);
      assert.equal(out.mac, EXPECTED);
      assert.equal(out.verifies, true);
      assert.equal(out.tamperedVerifies, false);
      // sign, verify, tampered verify
      assert.equal(out.createHmacCalls, 3);
    });
  }

  it('process.getBuiltinModule absent: node:crypto by import() on the first key import, synchronous after', async () => {
    const out = await runChild('no-builtin-loader', DATA);
    assert.equal(out.importAsync, true);
    assert.equal(out.synchronous, true);
    assert.equal(out.mac, EXPECTED);
    assert.equal(out.verifies, true);
    assert.equal(out.tamperedVerifies, false);
    assert.equal(out.es256, true);
    assert.equal(out.createHmacCalls, 0);
  });

  for (const [mode, what] of [
    ['loader-returns-nothing', 'returns nothing'],
    ['loader-throws', 'throws'],
  ] as const) {
    it(`process.getBuiltinModule ${what}: Web Crypto for every call, same results`, async () => {
      const out = await runChild(mode, DATA);
      assert.equal(out.synchronous, false);
      assert.equal(out.mac, EXPECTED);
      assert.equal(out.verifies, true);
      assert.equal(out.tamperedVerifies, false);
      assert.equal(out.es256, true);
      assert.equal(out.createHmacCalls, 0);
    });
  }
});
