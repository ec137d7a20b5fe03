/**
 * The node backend builds HMAC from two `crypto.hash` calls where Node has
 * them, and falls back to `createHmac` where it does not (Node 20 before
 * 20.12) or where `crypto.hash` fails the known-answer check at load. Every
 * other test runs the first path; these run the second, in child processes
 * whose `crypto.hash` is removed or broken before the backend loads.
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
    assert.equal(out.mac, EXPECTED);
    assert.equal(out.verifies, true);
    assert.equal(out.tamperedVerifies, false);
    assert.equal(out.createHmacCalls, 0);
  });

  for (const mode of ['absent', 'broken']) {
    it(`crypto.hash ${mode}: createHmac for every MAC, same result`, async () => {
      const out = await runChild(mode, DATA);
      assert.equal(out.hashPresent, mode === 'broken');
      assert.equal(out.mac, EXPECTED);
      assert.equal(out.verifies, true);
      assert.equal(out.tamperedVerifies, false);
      // sign, verify, tampered verify
      assert.equal(out.createHmacCalls, 3);
    });
  }
});
