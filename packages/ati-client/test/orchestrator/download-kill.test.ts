/**
 * A download killed halfway leaves the previous skill or the complete new
 * one, never a partial one: a real child process downloads from a real
 * server and is SIGKILLed as soon as its temp directory appears.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AtiOrchestrator } from '../../src/orchestrator.ts';
import { expectedTree, makeSandbox, readTree, type Sandbox } from '../helpers/fs.ts';
import { json, startServer, type TestServer } from '../helpers/http.ts';
import { bundleFor } from '../skills/kill-bundle.ts';

const CHILD = fileURLToPath(new URL('./download-child.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const NAME = 'big-skill';
const V1 = bundleFor('v1', 20);
const V2 = bundleFor('v2', 3000);

let server: TestServer;
let box: Sandbox;
before(async () => {
  server = await startServer(json(200, { name: NAME, files: V1 }));
  box = await makeSandbox();
});
after(async () => {
  await server.close();
  await box.remove();
});

async function killMidDownload(): Promise<boolean> {
  const child = spawn(
    process.execPath,
    ['--conditions=ati-source', '--import', 'tsx', CHILD, server.url, box.dest, NAME],
    {
      cwd: PROJECT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  let killed = false;
  while (!exited) {
    if ((await readdir(box.dest)).some((e) => e.startsWith(`.${NAME}.tmp-`))) {
      killed = child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setImmediate(r));
  }
  const { code } = await exit;
  if (!killed) assert.equal(code, 0, stderr);
  return killed;
}

it('a download killed mid-write never leaves a partial skill', async () => {
  const orch = new AtiOrchestrator({ proxyUrl: server.url, secret: '11'.repeat(32) });
  await orch.downloadSkill(NAME, box.dest);
  server.handle(json(200, { name: NAME, files: V2 }));
  let midWrite = 0;
  for (let round = 0; round < 3; round++) {
    const killed = await killMidDownload();
    const entries = await readdir(box.dest);
    if (killed && entries.some((e) => e.startsWith(`.${NAME}.tmp-`))) midWrite++;
    if (entries.includes(NAME)) {
      const tree = await readTree(join(box.dest, NAME));
      const version = tree.get('SKILL.md')?.toString('utf8') === '# v2\n' ? V2 : V1;
      assert.deepEqual(tree, expectedTree(version));
    } else {
      assert.ok(
        entries.some((e) => e.startsWith(`.${NAME}.old-`)),
        `skill and backup both missing: ${entries}`,
      );
    }
  }
  assert.ok(midWrite > 0, 'no kill landed mid-write');
});
