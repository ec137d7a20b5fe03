/**
 * The README's main job: `npm run demo` runs the whole flow on the embedded
 * dev proxy and exits 0. Runs the same command line as the npm script.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

it('npm run demo provisions, validates, lists, downloads, calls and is refused, then exits 0', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=ati-source', '--import', 'tsx', 'examples/demo.ts'],
    { cwd: ROOT, timeout: 60_000 },
  );
  for (const expected of [
    /listening on http:\/\/127\.0\.0\.1:\d+/,
    /ATI_SESSION_TOKEN=eyJ0eXAiOiJKV1Qi…\S+ \(\d+ chars\)/,
    /valid: sub=sandbox:demo-1 aud=ati-proxy/,
    /"job_id": "job-demo"/,
    /<system-reminder>\nThe following skills are available/,
    /market-research → .*\n\s+SKILL\.md \(\d+ B\)/,
    /assets\/logo\.png \(\d+ B\)/,
    /finnhub:quote → \{"c":/,
    /finnhub:company_news → refused: 403 Access denied: 'finnhub:company_news' is not in your scopes/,
    /web_search → refused: 429 Rate limit exceeded for 'tool:web_search'/,
    /dev proxy closed, temporary files removed/,
  ]) {
    assert.match(stdout, expected);
  }
  // The full token is never printed by the demo.
  assert.doesNotMatch(stdout, /eyJ[\w-]+\.[\w-]+\.[\w-]{20,}/);
});
