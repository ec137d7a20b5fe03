/**
 * Child for the racing-reader test: rotates tokens into argv[2] with fileSink
 * as fast as it can, in its own process (as a supervisor would), until its
 * stdin closes; then prints how many tokens it wrote. Token i is
 * `tokenFor(i)`, so the reader can tell a whole token from a partial one.
 */
import { fileSink } from '../../src/node/token-file.ts';
import { tokenFor } from '../helpers/rotation.ts';

const path = process.argv[2]!;
const sink = fileSink(path);
const ctx = { signal: new AbortController().signal, expiresAt: 0, rotation: 1 };
let stop = false;
process.stdin.on('end', () => {
  stop = true;
});
process.stdin.resume();
let i = 0;
await sink(tokenFor(i++), ctx);
process.stdout.write('ready\n');
while (!stop) await sink(tokenFor(i++), ctx);
process.stdout.write(`${i}\n`);
