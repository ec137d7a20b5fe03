/**
 * One dev proxy "pod" in its own process, for `bench/keys.ts`: serves the
 * sample fixtures with virtual keys on the Postgres server at argv[2],
 * prints `url <url>` once listening, then `revoked <hash> <epoch ms>` for
 * every NOTIFY its listener receives. Stops when stdin closes.
 *
 * @module
 */
import { sampleFixtures, startDevProxy } from '../packages/ati-dev-proxy/src/index.ts';

const databaseUrl = process.argv[2];
if (databaseUrl === undefined) throw new Error('usage: key-pod.ts <postgres url> <admin token> <jwt secret>');
const proxy = await startDevProxy({
  ...sampleFixtures,
  secret: process.argv[4],
  adminToken: process.argv[3],
  databaseUrl,
  onKeyEvent: (e) => {
    if (e.type === 'revoked')
      process.stdout.write(`revoked ${e.hash} ${performance.timeOrigin + performance.now()}\n`);
  },
});
process.stdout.write(`url ${proxy.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void proxy.close().then(() => process.exit(0));
});
