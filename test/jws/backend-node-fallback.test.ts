/**
 * The node backend builds HMAC from two `crypto.hash` calls where Node has
 * them, and falls back to `createHmac` where it does not (Node 20 before
 * 20.12). Every other test runs the first path; this one runs the second in
 * a child process whose `crypto.hash` is removed before the backend loads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child/no-one-shot-hash.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

function runChild(data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=ati-source', '--import', 'tsx', CHILD, data],
      { cwd: PROJECT },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

describe('node backend without crypto.hash', () => {
  it('signs and verifies with createHmac, same MAC as createHmac', async () => {
    const data = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0';
    const out = JSON.parse(await runChild(data)) as {
      hashPresent: boolean;
      mac: string;
      verifies: boolean;
      tamperedVerifies: boolean;
    };
    assert.equal(out.hashPresent, false);
    assert.equal(out.mac, createHmac('sha256', Buffer.alloc(40, 9)).update(data).digest('base64url'));
    assert.equal(out.verifies, true);
    assert.equal(out.tamperedVerifies, false);
  });
});
